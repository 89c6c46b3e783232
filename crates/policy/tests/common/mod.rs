//! Small builders for engine tests: one or a few enterprises, rows written out in full.
#![allow(dead_code)] // each test file uses a part

use lianzhang_facts::{Annual, Dataset, DatasetBuilder, Enterprise, Fen, Project, Recognition, Uscc};
use lianzhang_policy::{NothingPaid, Policy, PolicyFile, Status, assess};

pub fn policy(sets: &[&str]) -> Policy {
    let mut f = PolicyFile::bundled();
    for s in sets {
        f.set(s);
    }
    f.compile().unwrap_or_else(|e| panic!("{}", e.to_plain()))
}

pub fn uscc(n: u32) -> Uscc {
    Uscc::from_body(format!("91140525MA{n:07}").as_bytes())
}

pub fn y(yuan: i64) -> Option<Fen> {
    Some(Fen::yuan(yuan))
}

/// An annual row with every cell unknown; fill what the test needs.
pub fn row(year: i32) -> Annual {
    Annual::unknown(year)
}

/// A fully known ordinary row: below scale, not chain master, no procurement or R&D.
pub fn plain(year: i32, revenue: i64) -> Annual {
    Annual {
        year,
        revenue: y(revenue),
        above_scale: Some(false),
        chain_master: Some(false),
        local_procurement: y(0),
        total_procurement: y(0),
        rd_expense: y(0),
    }
}

#[derive(Clone)]
pub struct Ent {
    pub established: Option<i32>,
    pub strategic: Option<bool>,
    pub rows: Vec<Annual>,
    pub recognitions: Vec<(&'static str, i32)>,
    pub projects: Vec<Project>,
}

impl Default for Ent {
    fn default() -> Self {
        Ent { established: Some(2000), strategic: Some(false), rows: vec![], recognitions: vec![], projects: vec![] }
    }
}

pub fn dataset(policy: &Policy, ents: Vec<Ent>) -> Dataset {
    let mut b = DatasetBuilder::new(policy.vocabulary.clone());
    for (i, e) in ents.into_iter().enumerate() {
        let u = uscc(i as u32 + 1);
        b.enterprise(Enterprise {
            uscc: u,
            name: format!("测试企业{}", i + 1),
            chain: None,
            stage: None,
            town: None,
            industry_code: None,
            strategic_emerging: e.strategic,
            established: e.established.map(|y| jiff::civil::date(y as i16, 6, 1)),
            chain_joined_year: None,
        });
        for r in e.rows {
            b.annual(u, r);
        }
        for (k, year) in e.recognitions {
            let kind = policy.vocabulary.recognition_kind(k).expect("kind");
            b.recognition(u, Recognition { kind, year });
        }
        for p in e.projects {
            b.project(u, p);
        }
    }
    b.build().expect("valid dataset")
}

/// (rule, status, amount) of every outcome of the first enterprise.
pub fn outcomes(policy: &Policy, ents: Vec<Ent>, year: i32) -> Vec<(String, Status, Option<String>)> {
    let ds = dataset(policy, ents);
    assess(policy, &ds, year, &NothingPaid)
        .outcomes
        .into_iter()
        .map(|o| (o.rule, o.status, o.amount.map(|a| a.to_string())))
        .collect()
}

/// The outcome of one rule, if any.
pub fn of(policy: &Policy, ents: Vec<Ent>, year: i32, rule: &str) -> Option<(Status, Option<String>)> {
    outcomes(policy, ents, year).into_iter().find(|o| o.0 == rule).map(|o| (o.1, o.2))
}

pub fn award(a: &str) -> Option<(Status, Option<String>)> {
    Some((Status::Award, Some(a.to_string())))
}

pub fn review() -> Option<(Status, Option<String>)> {
    Some((Status::NeedsReview, None))
}

pub fn project(
    id: &str,
    category: Option<&str>,
    investment: Option<Fen>,
    completed: Option<i32>,
    p: &Policy,
) -> Project {
    Project {
        project_id: id.to_string(),
        name: format!("项目{id}"),
        category: category.map(|c| p.vocabulary.project_category(c).expect("category")),
        fixed_asset_investment: investment,
        start_year: Some(2021),
        completed_year: completed,
    }
}
