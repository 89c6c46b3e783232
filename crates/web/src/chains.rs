//! 产业链: the seven chains, and each chain's map: the stage graph drawn as SVG (computed here,
//! no script), enterprises placed on their stages, empty stages marked as gaps for investment
//! promotion, and the links to other chains.

use crate::auth::Session;
use crate::format::{wan, xml_text, yi};
use crate::pages::{Frame, latest_year};
use crate::scope::Scope;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use lianzhang_store::{ChainRole, EnterpriseFilter, EnterpriseSummary};
use std::fmt::Write;
use std::sync::Arc;

pub struct ChainRow {
    pub code: String,
    pub name: String,
    pub stages: usize,
    pub gaps: usize,
    pub enterprises: u32,
    pub revenue: String,
    pub chain_masters: u32,
    /// (name, uscc) of the chain masters of the latest year.
    pub masters: Vec<(String, String)>,
    pub chiefs: Vec<ChainRole>,
}

#[derive(Template, WebTemplate)]
#[template(path = "chains.html")]
pub struct ChainsPage {
    frame: Frame,
    year: Option<i32>,
    chains: Vec<ChainRow>,
}

pub async fn chains(State(state): State<Arc<AppState>>, session: Session) -> Result<ChainsPage, WebError> {
    let snap = state.snapshot.get(&state.store, &state.inputs, state.versions()).await?;
    let roles = state.store.chain_roles().await?;
    let masters = match snap.latest_year {
        Some(y) => state.store.chain_masters(y).await?,
        None => Vec::new(),
    };
    // Chain masters by name only within the user's scope (all for the bureau, its own chain for
    // a task force); others see how many.
    let scope = Scope::of(&session.user);
    let mut chains = Vec::new();
    for (c, f) in state.policy.vocabulary.chains.iter().zip(&snap.chains) {
        let counts = state.store.stage_counts(&c.code).await?;
        let gaps = c.stages.iter().filter(|s| !counts.iter().any(|(st, n)| st.as_deref() == Some(s) && *n > 0)).count();
        chains.push(ChainRow {
            code: c.code.clone(),
            name: c.name.clone(),
            stages: c.stages.len(),
            gaps,
            enterprises: f.enterprises,
            revenue: yi(&f.revenue),
            chain_masters: f.chain_masters,
            masters: masters
                .iter()
                .filter(|m| m.0 == c.code && scope.allows(Some(&c.code), false))
                .map(|m| (m.1.clone(), m.2.clone()))
                .collect(),
            chiefs: roles.iter().filter(|r| r.chain == c.code).cloned().collect(),
        });
    }
    Ok(ChainsPage { frame: Frame::new(session, "chains"), year: snap.latest_year, chains })
}

pub struct StageBox {
    pub name: String,
    pub count: i64,
    /// Up to ten enterprises of the stage the user may see, largest revenue first.
    pub top: Vec<EnterpriseSummary>,
}

pub struct Link {
    pub direction: &'static str,
    /// True when the other chain supplies this one (drawn on the left), false when this chain
    /// supplies the other (drawn on the right).
    pub incoming: bool,
    /// Index of this chain's stage in the chain's stage list.
    pub stage_index: usize,
    pub stage: String,
    pub other_code: String,
    pub other_name: String,
    pub other_stage: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "chain.html")]
pub struct ChainPage {
    frame: Frame,
    code: String,
    name: String,
    svg: String,
    stages: Vec<StageBox>,
    unplaced: i64,
    links: Vec<Link>,
    roles: Vec<ChainRole>,
    names_visible: bool,
}

impl ChainPage {
    fn revenue(&self, fen: &Option<i64>) -> String {
        fen.map_or("—".into(), wan)
    }
}

pub async fn chain(
    State(state): State<Arc<AppState>>,
    session: Session,
    Path(code): Path<String>,
) -> Result<ChainPage, WebError> {
    let v = &state.policy.vocabulary;
    let idx =
        v.chains.iter().position(|c| c.code == code).ok_or_else(|| WebError::NotFound(format!("产业链 {code}")))?;
    let chain = &v.chains[idx];
    let counts = state.store.stage_counts(&code).await?;
    let count = |s: &str| counts.iter().find(|(st, _)| st.as_deref() == Some(s)).map_or(0, |c| c.1);
    // Names only within the user's scope: all for the bureau, the own chain for a task force.
    let scope = Scope::of(&session.user);
    let names_visible = scope.allows(Some(&code), false) || matches!(scope, Scope::Liaison(_));
    let year = latest_year(&state).await?;
    let mut stages = Vec::new();
    for s in &chain.stages {
        let mut top = Vec::new();
        if names_visible && count(s) > 0 {
            let mut f = EnterpriseFilter {
                chain: Some(code.clone()),
                stage: Some(s.clone()),
                year,
                sort: Some("revenue".into()),
                page: 1,
                per_page: 10,
                ..Default::default()
            };
            scope.restrict(&mut f);
            top = state.store.search_enterprises(&f).await?.0;
        }
        stages.push(StageBox { name: s.clone(), count: count(s), top });
    }
    let unplaced = counts.iter().filter(|(s, _)| s.is_none()).map(|c| c.1).sum();
    let mut links = Vec::new();
    for l in &state.policy.chain_links {
        let (incoming, here, there) = if l.from.0 == idx {
            (false, l.from, l.to)
        } else if l.to.0 == idx {
            (true, l.to, l.from)
        } else {
            continue;
        };
        let other = &v.chains[there.0];
        links.push(Link {
            direction: if incoming { "来自" } else { "供给" },
            incoming,
            stage_index: here.1 as usize,
            stage: chain.stages[here.1 as usize].clone(),
            other_code: other.code.clone(),
            other_name: other.name.clone(),
            other_stage: other.stages[there.1 as usize].clone(),
        });
    }
    let roles = state.store.chain_roles().await?.into_iter().filter(|r| r.chain == code).collect();
    let svg = map_svg(&chain.stages, &state.policy.chain_edges[idx], &stages, &links);
    Ok(ChainPage {
        frame: Frame::new(session, "chains"),
        code: code.clone(),
        name: chain.name.clone(),
        svg,
        stages,
        unplaced,
        links,
        roles,
        names_visible,
    })
}

/// Columns by longest path from the sources (upstream left, downstream right); rows in stage
/// order within a column.
pub fn layout(n: usize, edges: &[(u16, u16)]) -> Vec<(usize, usize)> {
    let mut layer = vec![0usize; n];
    // Stage graphs are small DAGs: relax n times.
    for _ in 0..n {
        for &(a, b) in edges {
            let (a, b) = (a as usize, b as usize);
            if layer[b] < layer[a] + 1 {
                layer[b] = layer[a] + 1;
            }
        }
    }
    let mut next_row = vec![0usize; n + 1];
    layer
        .iter()
        .map(|&l| {
            let l = l.min(n);
            let r = next_row[l];
            next_row[l] += 1;
            (l, r)
        })
        .collect()
}

const W: usize = 168;
const H: usize = 60;
const DX: usize = 220;
const DY: usize = 84;

/// The chain map as an inline SVG: the stages left to right, and the other chains' stages linked
/// to this chain in an extra column on each side (suppliers left, customers right), dashed.
pub fn map_svg(stages: &[String], edges: &[(u16, u16)], boxes: &[StageBox], links: &[Link]) -> String {
    let pos = layout(stages.len(), edges);
    let (inbound, outbound): (Vec<&Link>, Vec<&Link>) = links.iter().partition(|l| l.incoming);
    let shift = usize::from(!inbound.is_empty());
    let inner = pos.iter().map(|p| p.0).max().unwrap_or(0) + 1;
    let cols = shift + inner + usize::from(!outbound.is_empty());
    let rows = (pos.iter().map(|p| p.1 + 1).max().unwrap_or(1)).max(inbound.len()).max(outbound.len());
    let (width, height) = (cols * DX + 20, rows * DY + 20);
    let at = |col: usize, row: usize| (20 + col * DX, 16 + row * DY);
    let xy = |i: usize| at(pos[i].0 + shift, pos[i].1);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chain-map\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"产业链图谱\">\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
         orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#64748b\"/></marker></defs>"
    );
    let curve = |s: &mut String, (x1, y1): (usize, usize), (x2, y2): (usize, usize), dash: &str| {
        let mid = (x1 + x2) / 2;
        let _ = write!(
            s,
            "<path d=\"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}\" fill=\"none\" stroke=\"#64748b\" \
             stroke-width=\"1.5\"{dash} marker-end=\"url(#arrow)\"/>"
        );
    };
    for &(a, b) in edges {
        let ((ax, ay), (bx, by)) = (xy(a as usize), xy(b as usize));
        curve(&mut s, (ax + W, ay + H / 2), (bx, by + H / 2), "");
    }
    let dashed = " stroke-dasharray=\"6 4\"";
    for (side, list) in [(0, &inbound), (shift + inner, &outbound)] {
        for (row, l) in list.iter().enumerate() {
            let (ox, oy) = at(side, row);
            let (sx, sy) = xy(l.stage_index);
            if l.incoming {
                curve(&mut s, (ox + W, oy + H / 2), (sx, sy + H / 2), dashed);
            } else {
                curve(&mut s, (sx + W, sy + H / 2), (ox, oy + H / 2), dashed);
            }
            let _ = write!(
                s,
                "<a href=\"/chains/{}\" class=\"link\"><rect x=\"{ox}\" y=\"{oy}\" width=\"{W}\" height=\"{H}\" \
                 rx=\"6\" fill=\"#f8fafc\" stroke=\"#94a3b8\" stroke-width=\"1.5\"{dashed}/><text x=\"{}\" y=\"{}\" \
                 text-anchor=\"middle\" font-size=\"12\" fill=\"#475569\">{}产业链</text><text x=\"{}\" y=\"{}\" \
                 text-anchor=\"middle\" font-size=\"14\" fill=\"#334155\">{}</text></a>",
                xml_text(&l.other_code),
                ox + W / 2,
                oy + 23,
                xml_text(&l.other_name),
                ox + W / 2,
                oy + 45,
                xml_text(&l.other_stage),
            );
        }
    }
    for (i, name) in stages.iter().enumerate() {
        let (x, y) = xy(i);
        let count = boxes.get(i).map_or(0, |b| b.count);
        let (fill, stroke, dash, note) = if count == 0 {
            ("#fff7ed", "#c2410c", " stroke-dasharray=\"5 3\"", "缺口 · 招商".to_string())
        } else {
            ("#eff6ff", "#1f4e8c", "", format!("{count} 家企业"))
        };
        let _ = write!(
            s,
            "<g class=\"stage{}\"><rect x=\"{x}\" y=\"{y}\" width=\"{W}\" height=\"{H}\" rx=\"6\" fill=\"{fill}\" \
             stroke=\"{stroke}\" stroke-width=\"1.5\"{dash}/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" \
             font-size=\"14\" font-weight=\"600\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" \
             font-size=\"12\" fill=\"{stroke}\">{note}</text></g>",
            if count == 0 { " gap" } else { "" },
            x + W / 2,
            y + 25,
            xml_text(name),
            x + W / 2,
            y + 46,
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branches_share_a_column_and_chains_run_left_to_right() {
        // 煤炭 → 甲醇 → {醋酸, 聚甲醛}; 煤炭 → 合成氨
        let pos = layout(5, &[(0, 1), (1, 2), (1, 3), (0, 4)]);
        assert_eq!(pos, vec![(0, 0), (1, 0), (2, 0), (2, 1), (1, 1)]);
    }

    #[test]
    fn gaps_are_marked_and_names_escaped() {
        let stages = vec!["<a>".to_string(), "B".to_string()];
        let boxes = vec![
            StageBox { name: "<a>".into(), count: 3, top: vec![] },
            StageBox { name: "B".into(), count: 0, top: vec![] },
        ];
        let svg = map_svg(&stages, &[(0, 1)], &boxes, &[]);
        assert!(svg.contains("&lt;a&gt;") && !svg.contains("<a>"));
        assert_eq!(svg.matches("class=\"stage gap\"").count(), 1);
        assert!(svg.contains("缺口 · 招商") && svg.contains("3 家企业"));
    }

    #[test]
    fn links_to_other_chains_are_drawn_on_their_side_and_lead_there() {
        let stages = vec!["甲".to_string(), "乙".to_string()];
        let boxes = vec![
            StageBox { name: "甲".into(), count: 1, top: vec![] },
            StageBox { name: "乙".into(), count: 1, top: vec![] },
        ];
        let link = |incoming, stage_index: usize, code: &str| Link {
            direction: if incoming { "来自" } else { "供给" },
            incoming,
            stage_index,
            stage: stages[stage_index].clone(),
            other_code: code.into(),
            other_name: "其他".into(),
            other_stage: "丙".into(),
        };
        let plain = map_svg(&stages, &[(0, 1)], &boxes, &[]);
        let linked = map_svg(&stages, &[(0, 1)], &boxes, &[link(true, 0, "up"), link(false, 1, "down")]);
        assert!(!plain.contains("class=\"link\""));
        assert!(linked.contains("href=\"/chains/up\"") && linked.contains("href=\"/chains/down\""));
        // Two stage columns become four: a supplier column on the left, a customer column on the right.
        assert!(plain.contains(&format!("width=\"{}\"", 2 * DX + 20)));
        assert!(linked.contains(&format!("width=\"{}\"", 4 * DX + 20)));
        assert_eq!(linked.matches("stroke-dasharray=\"6 4\"").count(), 4);
    }
}
