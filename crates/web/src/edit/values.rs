//! The edit form's values by form field name: read from the record, merged with what the clerk
//! posted, and written back as a small dataset folder for the reader and the import.
//!
//! Field names are the FACTS.md columns of the enterprise and of the year's row and the codes
//! of the facts the policy declares beyond them; `recognition` (a kind to add for the year);
//! `town_new` (a town not yet in the registry); `p{i}.{column}` for the enterprise's i-th project
//! and `pn.{column}` for a new one.

use super::form::Specs;
use lianzhang_facts::{Dataset, EnterpriseFacts, ExtraAt, Fen, Vocabulary};
use std::collections::BTreeMap;

pub type Values = BTreeMap<String, String>;

fn yes_no(b: Option<bool>) -> String {
    b.map_or(String::new(), |b| if b { "是" } else { "否" }.to_string())
}

fn money(f: Option<Fen>) -> String {
    f.map_or(String::new(), |f| f.to_yuan().to_string())
}

fn year(y: Option<i32>) -> String {
    y.map_or(String::new(), |y| y.to_string())
}

/// A declared fact's value at `at` as the form shows it (the cell as the exchange format writes
/// it: yuan, 是/否, `12.5%`), empty when unknown.
fn declared(v: &Vocabulary, f: &EnterpriseFacts<'_>, code: &str, at: &ExtraAt) -> String {
    let Some((i, decl)) = v.extras.iter().enumerate().find(|(_, d)| d.code == code) else { return String::new() };
    match f.extra(i as u16, at) {
        None => String::new(),
        // As the form shows FACTS.md's money: yuan with two places.
        Some(lianzhang_facts::ExtraValue::Money(m)) => money(Some(*m)),
        Some(x) => x.cell_text_as(decl.ty),
    }
}

/// The current values of the form, from the record.
pub fn current(v: &Vocabulary, specs: &Specs, ds: &Dataset, year_shown: i32) -> Values {
    let f = ds.get(0);
    let e = f.enterprise;
    let chain = e.chain.map(|c| v.chain_info(c));
    let mut m = Values::new();
    let mut put = |k: &str, val: String| {
        m.insert(k.to_string(), val);
    };
    put("name", e.name.clone());
    put("chain", chain.map_or(String::new(), |c| c.code.clone()));
    put("stage", chain.zip(e.stage).map_or(String::new(), |(c, s)| c.stages[s as usize].clone()));
    put("town", e.town.clone().unwrap_or_default());
    put("industry_code", e.industry_code.clone().unwrap_or_default());
    put("strategic_emerging", yes_no(e.strategic_emerging));
    put("established", e.established.map_or(String::new(), |d| format!("{}年{}月{}日", d.year(), d.month(), d.day())));
    put("chain_joined_year", year(e.chain_joined_year));
    let r = f.row(year_shown);
    put("revenue", money(r.and_then(|r| r.revenue)));
    put("above_scale", yes_no(r.and_then(|r| r.above_scale)));
    put("chain_master", yes_no(r.and_then(|r| r.chain_master)));
    put("local_procurement", money(r.and_then(|r| r.local_procurement)));
    put("total_procurement", money(r.and_then(|r| r.total_procurement)));
    put("rd_expense", money(r.and_then(|r| r.rd_expense)));
    for s in specs.enterprise.iter().filter(|s| s.declared) {
        put(&s.code, declared(v, &f, &s.code, &ExtraAt::Enterprise));
    }
    for s in specs.annual.iter().filter(|s| s.declared) {
        put(&s.code, declared(v, &f, &s.code, &ExtraAt::Year(year_shown)));
    }
    for (i, p) in f.projects.iter().enumerate() {
        let k = |c: &str| format!("p{i}.{c}");
        put(&k("project_id"), p.project_id.clone());
        put(&k("name"), p.name.clone());
        put(&k("category"), p.category.map_or(String::new(), |c| v.category_info(c).code.clone()));
        put(&k("fixed_asset_investment"), money(p.fixed_asset_investment));
        put(&k("start_year"), year(p.start_year));
        put(&k("completed_year"), year(p.completed_year));
        for s in specs.project.iter().filter(|s| s.declared) {
            put(&k(&s.code), declared(v, &f, &s.code, &ExtraAt::Project(p.project_id.clone())));
        }
    }
    m
}

/// The project rows a save writes, in order (their row in `projects.csv` is index + 2): every
/// project of the enterprise, then the new one if anything was typed for it.
pub fn written_projects(specs: &Specs, values: &Values) -> Vec<String> {
    let mut rows: Vec<String> =
        (0..).map(|i| format!("p{i}")).take_while(|p| values.contains_key(&format!("{p}.project_id"))).collect();
    let typed = |c: &str| values.get(&format!("pn.{c}")).is_some_and(|v| !v.is_empty());
    if typed("project_id") || specs.project.iter().any(|s| typed(&s.code)) {
        rows.push("pn".into());
    }
    rows
}

/// The values to save: the registry's, with each cell the clerk changed from what the form
/// showed (`was.{name}`) taken from the form. A cell changed in the registry since the form was
/// shown, and changed by the clerk to something else, is a clash: never silently overwritten.
/// A post without `was.{name}` (a client that does not send it) sets the cell as posted.
/// Returns (values, what the form showed, the clashing form fields).
pub fn merge(registry: &Values, posted: &BTreeMap<String, String>) -> (Values, Values, Vec<String>) {
    let mut values = registry.clone();
    let mut was = Values::new();
    let mut clashes = Vec::new();
    for (name, v) in posted {
        let v = v.trim().to_string();
        let editable = registry.contains_key(name)
            || ["recognition", "town_new"].contains(&name.as_str())
            || name.starts_with("pn.");
        if !editable {
            continue;
        }
        match posted.get(&format!("was.{name}")).map(|w| w.trim().to_string()) {
            Some(shown) => {
                let now = registry.get(name).cloned().unwrap_or_default();
                if v != shown {
                    if now != shown && now != v {
                        clashes.push(name.clone());
                    }
                    values.insert(name.clone(), v);
                }
                was.insert(name.clone(), shown);
            }
            None => {
                values.insert(name.clone(), v);
            }
        }
    }
    (values, was, clashes)
}

/// The form as a small dataset folder (English headers: FACTS.md's columns and the declared
/// facts' codes).
pub fn write_sheets(
    dir: &std::path::Path,
    specs: &Specs,
    uscc: &str,
    year: i32,
    values: &Values,
) -> std::io::Result<()> {
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let write = |file: &str, header: &[String], rows: Vec<Vec<String>>| -> std::io::Result<()> {
        let mut w = csv::Writer::from_path(dir.join(file))?;
        w.write_record(header)?;
        for row in rows {
            w.write_record(&row)?;
        }
        w.flush()
    };
    let columns = |lead: &[&str], specs: &[super::form::Spec]| -> Vec<String> {
        lead.iter().map(|c| c.to_string()).chain(specs.iter().map(|s| s.code.clone())).collect()
    };
    let mut enterprise = vec![uscc.to_string()];
    enterprise.extend(specs.enterprise.iter().map(|s| get(&s.code)));
    write("enterprises.csv", &columns(&["uscc"], &specs.enterprise), vec![enterprise])?;
    let mut annual = vec![uscc.to_string(), year.to_string()];
    annual.extend(specs.annual.iter().map(|s| get(&s.code)));
    write("annual.csv", &columns(&["uscc", "year"], &specs.annual), vec![annual])?;
    let kind = get("recognition");
    if !kind.is_empty() {
        let header = columns(&["uscc", "kind", "year"], &[]);
        write("recognitions.csv", &header, vec![vec![uscc.to_string(), kind, year.to_string()]])?;
    }
    let projects: Vec<Vec<String>> = written_projects(specs, values)
        .iter()
        .map(|p| {
            let mut row = vec![get(&format!("{p}.project_id")), uscc.to_string()];
            row.extend(specs.project.iter().map(|s| get(&format!("{p}.{}", s.code))));
            row
        })
        .collect();
    if !projects.is_empty() {
        write("projects.csv", &columns(&["project_id", "uscc"], &specs.project), projects)?;
    }
    Ok(())
}
