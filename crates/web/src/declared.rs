//! The facts a policy declares beyond FACTS.md (issue 11), as the enterprise page shows them:
//! the enterprise's own beside its profile, the yearly ones as columns of the years, the
//! project ones as columns of the projects, each under its Chinese name, money in 万元.

use crate::format::wan;
use lianzhang_facts::{EnterpriseFacts, ExtraAt, ExtraFact, ExtraPlace, ExtraType, ExtraValue, Vocabulary};

/// What the enterprise page shows of the declared facts (empty for a policy that declares none).
#[derive(Default)]
pub struct Declared {
    /// (name, value) of the enterprise's own declared facts.
    pub own: Vec<(String, String)>,
    /// Column headings of the yearly ones (with their unit).
    pub yearly_heads: Vec<String>,
    /// Per annual row (in the page's order), its values.
    pub yearly: Vec<(i32, Vec<String>)>,
    /// Column headings of the project ones.
    pub project_heads: Vec<String>,
    /// Per project id, its values.
    pub project: Vec<(String, Vec<String>)>,
}

impl Declared {
    /// The yearly values of `year` (dashes when the row has none).
    pub fn of_year(&self, year: &i32) -> Vec<String> {
        self.yearly
            .iter()
            .find(|(y, _)| y == year)
            .map_or_else(|| vec!["—".to_string(); self.yearly_heads.len()], |(_, v)| v.clone())
    }

    /// The values of project `id`.
    pub fn of_project(&self, id: &str) -> Vec<String> {
        self.project
            .iter()
            .find(|(p, _)| p == id)
            .map_or_else(|| vec!["—".to_string(); self.project_heads.len()], |(_, v)| v.clone())
    }
}

fn head(f: &ExtraFact) -> String {
    match f.ty {
        ExtraType::Money => format!("{}（万元）", f.name),
        _ => f.name.clone(),
    }
}

fn shown(f: &ExtraFact, v: Option<&ExtraValue>) -> String {
    match v {
        None => "—".into(),
        Some(ExtraValue::Money(m)) => wan(m.0),
        Some(v) => v.cell_text_as(f.ty),
    }
}

/// The declared facts of `place` at `at`, as the API writes them: each under its code, money in
/// yuan as a decimal string (as FACTS.md's money), yes/no as booleans, counts and years as
/// numbers, percentages as the fraction, the rest as text; unknown ones are left out.
pub fn json_of(
    v: &Vocabulary,
    facts: &EnterpriseFacts<'_>,
    place: ExtraPlace,
    at: &ExtraAt,
) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    let mut out = serde_json::Map::new();
    for (i, f) in v.extras_of(place) {
        let Some(x) = facts.extra(i, at) else { continue };
        let value = match x {
            ExtraValue::Money(m) => Value::String(m.to_yuan().to_string()),
            ExtraValue::Bool(b) => Value::Bool(*b),
            ExtraValue::Int(n) => Value::from(*n),
            ExtraValue::Decimal(d) => Value::String(d.normalize().to_string()),
            ExtraValue::Date(d) => Value::String(d.to_string()),
            ExtraValue::Text(t) => Value::String(t.clone()),
        };
        out.insert(f.code.clone(), value);
    }
    out
}

/// The declared facts of one enterprise.
pub fn of(v: &Vocabulary, facts: &EnterpriseFacts<'_>) -> Declared {
    let list = |place| v.extras_of(place).collect::<Vec<_>>();
    let (own, yearly, project) = (list(ExtraPlace::Enterprise), list(ExtraPlace::Yearly), list(ExtraPlace::Project));
    let values = |facts_of: &[(u16, &ExtraFact)], at: &ExtraAt| -> Vec<String> {
        facts_of.iter().map(|(i, f)| shown(f, facts.extra(*i, at))).collect()
    };
    Declared {
        own: own.iter().map(|(i, f)| (f.name.clone(), shown(f, facts.extra(*i, &ExtraAt::Enterprise)))).collect(),
        yearly_heads: yearly.iter().map(|(_, f)| head(f)).collect(),
        yearly: if yearly.is_empty() {
            Vec::new()
        } else {
            facts.annual.iter().map(|r| (r.year, values(&yearly, &ExtraAt::Year(r.year)))).collect()
        },
        project_heads: project.iter().map(|(_, f)| head(f)).collect(),
        project: if project.is_empty() {
            Vec::new()
        } else {
            facts
                .projects
                .iter()
                .map(|p| (p.project_id.clone(), values(&project, &ExtraAt::Project(p.project_id.clone()))))
                .collect()
        },
    }
}
