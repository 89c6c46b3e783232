//! 数据大屏: headline figures, charts and tables of the county against its targets, all read from
//! the cached [`Snapshot`].

use crate::auth::Session;
use crate::charts;
use crate::format::wan_yuan;
use crate::pages::Frame;
use crate::snapshot::Snapshot;
use crate::{AppState, WebError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::sync::Arc;

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    frame: Frame,
    snap: Arc<Snapshot>,
    /// The award rounds: proposed, approved and paid (paid against owed).
    rounds: Vec<crate::payouts::RoundFigures>,
    /// The newest year with a round: its award lines over all its rounds against its budget.
    budget: Option<(i32, crate::rounds::view::Totals)>,
}

/// A headline figure at the top of the dashboard.
pub struct Tile {
    pub label: &'static str,
    pub value: String,
    pub note: String,
}

impl DashboardPage {
    /// The latest year's headline figures, each against the year before.
    fn tiles(&self) -> Vec<Tile> {
        let snap = &self.snap;
        let mut tiles =
            vec![Tile { label: "在库企业", value: format!("{} 家", snap.enterprises), note: String::new() }];
        let Some(last) = snap.years.last() else { return tiles };
        let prev = snap.years.len().checked_sub(2).map(|i| &snap.years[i]);
        let change = |now: u32, before: Option<u32>| match before {
            Some(b) if now >= b => format!("较上年 +{}", now - b),
            Some(b) => format!("较上年 −{}", b - now),
            None => String::new(),
        };
        let y = last.year;
        tiles.push(Tile {
            label: "规上工业企业",
            value: format!("{} 家", last.above_scale),
            note: format!("{y}年 · {}", change(last.above_scale, prev.map(|p| p.above_scale))),
        });
        tiles.push(Tile {
            label: "链主企业",
            value: format!("{} 家", last.chain_masters),
            note: format!("{y}年 · {}", change(last.chain_masters, prev.map(|p| p.chain_masters))),
        });
        tiles.push(Tile {
            label: "专精特新认定",
            value: format!("{} 家次", last.specialized),
            note: format!("{y}年新认定"),
        });
        tiles.push(Tile {
            label: "应奖金额",
            value: format!("{} 万元", wan_yuan(&last.award_total)),
            note: format!("{y}年 · 政策实施以来合计 {} 万元", wan_yuan(&snap.award_grand_total())),
        });
        let parts: Vec<_> = snap.targets.iter().flat_map(|t| &t.parts).collect();
        tiles.push(Tile {
            label: "目标达成",
            value: format!("{} / {} 项", parts.iter().filter(|p| p.2 >= p.1).count(), parts.len()),
            note: "县级与各链目标".into(),
        });
        tiles
    }

    /// Awards by year, stacked by chain, in 万元.
    fn award_chart(&self) -> String {
        let years = self.snap.award_years();
        let categories: Vec<String> = years.iter().map(|y| format!("{}年", y.year)).collect();
        let names: Vec<&String> = years.last().map(|y| y.by_chain.iter().map(|c| &c.0).collect()).unwrap_or_default();
        let series: Vec<charts::Series> = names
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let amounts: Vec<Decimal> =
                    years.iter().map(|y| y.by_chain.get(k).map(|c| c.1).unwrap_or_default()).collect();
                charts::Series {
                    name: name.to_string(),
                    values: amounts.iter().map(|a| (a / Decimal::from(10_000)).to_f64().unwrap_or(0.0)).collect(),
                    labels: amounts.iter().map(wan_yuan).collect(),
                }
            })
            .collect();
        let totals: Vec<String> = years.iter().map(|y| wan_yuan(&y.award_total)).collect();
        charts::stacked_columns(&categories, &series, &totals, "万元", "奖励金额按年度和产业链")
    }

    /// Above-scale enterprises, chain masters and new 专精特新 recognitions by year.
    fn count_chart(&self) -> String {
        let years = &self.snap.years;
        let categories: Vec<String> = years.iter().map(|y| y.year.to_string()).collect();
        let series = |name: &str, get: fn(&crate::snapshot::YearFigures) -> u32| charts::Series {
            name: name.into(),
            values: years.iter().map(|y| f64::from(get(y))).collect(),
            labels: years.iter().map(|y| get(y).to_string()).collect(),
        };
        charts::lines(
            &categories,
            &[
                series("规上工业企业", |y| y.above_scale),
                series("专精特新认定", |y| y.specialized),
                series("链主企业", |y| y.chain_masters),
            ],
            "家",
            "企业数逐年变化",
        )
    }

    fn percent(value: &u32, target: &u32) -> u32 {
        if *target == 0 { 100 } else { (*value as u64 * 100 / *target as u64).min(100) as u32 }
    }
    fn chain_name(&self, code: &str) -> String {
        if code.is_empty() {
            return "全县".into();
        }
        self.snap.chains.iter().find(|c| c.code == code).map_or(code.to_string(), |c| c.name.clone())
    }
    fn max_award(&self) -> Decimal {
        self.snap.years.iter().map(|y| y.award_total).max().unwrap_or_default()
    }
    fn bar(&self, amount: &Decimal) -> u32 {
        let max = self.max_award();
        if max.is_zero() { 0 } else { (*amount * Decimal::from(100) / max).to_u32().unwrap_or(0) }
    }
}

pub async fn dashboard(State(state): State<Arc<AppState>>, session: Session) -> Result<DashboardPage, WebError> {
    let snap = state.snapshot.get(&state.store, &state.inputs, state.versions()).await?;
    let records = state.store.rounds().await?;
    let rounds = crate::payouts::figures(&state, &records);
    let budget = match records.iter().map(|r| r.header.year).max() {
        Some(year) => Some((year, crate::rounds::year_totals(&state, &records, year).await?)),
        None => None,
    };
    Ok(DashboardPage { frame: Frame::new(session, "dashboard"), snap, rounds, budget })
}
