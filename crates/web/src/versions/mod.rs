//! 政策版本 (issue 12): the policy texts in force year by year. The file the server was started
//! with is in force until an administrator adopts another text from a year on; each assessment
//! year then uses the version in force for it (the enterprise pages, the dashboard, new award
//! rounds, the sandbox and the near-miss lists), so a revision from 2024 on leaves 2022–2023 as
//! they were. Rounds pin the text they were made with and keep it.
//!
//! `page.rs`: the list, the upload with the same diagnostics as `policy check` (line, column and
//! the offending text of every problem, nothing stored while there is one), and a version's page
//! with its difference from the version before it (`diff.rs`).

mod diff;
mod page;

use crate::{AppState, WebError};
use axum::Router;
use axum::routing::get;
use lianzhang_policy::{Policy, PolicyFile};
use lianzhang_store::Adoption;
use std::sync::Arc;

pub use diff::{Change, diff};

pub fn routes(upload_body: usize) -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/policy/versions",
            get(page::list).post(page::upload).layer(axum::extract::DefaultBodyLimit::max(upload_body)),
        )
        .route("/policy/versions/{id}", get(page::show))
}

/// One policy version: its text compiled, and the adoption that put it in force (`None` for the
/// file the server was started with).
pub struct Version {
    pub adoption: Option<Adoption>,
    /// The first assessment year it is in force (the started file: its own first year).
    pub from_year: i32,
    pub file: Arc<PolicyFile>,
    pub policy: Arc<Policy>,
    pub hash: String,
}

impl Version {
    /// `启动时的政策文件` or `第 3 次启用（2024年起）`.
    pub fn label(&self) -> String {
        match &self.adoption {
            None => format!("启动时的政策文件（{}）", self.file.name()),
            Some(a) => format!("第 {} 次启用：{}（{}年起）", a.id, a.name, a.from_year),
        }
    }

    pub fn short_hash(&self) -> &str {
        &self.hash[..12]
    }
}

/// Every version: the started file, then the adoptions in the order they were made.
pub struct Versions {
    pub base: Version,
    pub adopted: Vec<Version>,
}

impl Versions {
    pub fn started(file: Arc<PolicyFile>, policy: Arc<Policy>) -> Versions {
        let hash = lianzhang_store::policy_hash(file.text());
        let from_year = policy.meta.effective_from;
        Versions { base: Version { adoption: None, from_year, file, policy, hash }, adopted: Vec::new() }
    }

    /// The version in force for `year`: the adoption with the greatest first year not after it,
    /// the later adoption when two name the same year; the started file before any.
    pub fn for_year(&self, year: i32) -> &Version {
        self.adopted
            .iter()
            .enumerate()
            .filter(|(_, v)| v.from_year <= year)
            .max_by_key(|(i, v)| (v.from_year, *i))
            .map_or(&self.base, |(_, v)| v)
    }

    /// Every version, the started file first.
    pub fn all(&self) -> impl Iterator<Item = &Version> {
        std::iter::once(&self.base).chain(&self.adopted)
    }

    /// The years each version is in force from `first` on, as (version, from, to) runs; `to` is
    /// `None` for the last run, open-ended (in force until another version is adopted). The runs
    /// reach the year after `latest` (the newest data) or the latest adoption's first year.
    pub fn years_in_force(&self, first: i32, latest: i32) -> Vec<(&Version, i32, Option<i32>)> {
        let end = (latest + 1).max(self.adopted.iter().map(|v| v.from_year).max().unwrap_or(first)).max(first);
        self.in_force(first..=end).into_iter().map(|(v, a, b)| (v, a, (b != end).then_some(b))).collect()
    }

    /// The years each version is in force for, among `years`: (version, first, last) runs.
    pub fn in_force(&self, years: std::ops::RangeInclusive<i32>) -> Vec<(&Version, i32, i32)> {
        let mut out: Vec<(&Version, i32, i32)> = Vec::new();
        for y in years {
            let v = self.for_year(y);
            match out.last_mut() {
                Some((last, _, to)) if std::ptr::eq(*last, v) => *to = y,
                _ => out.push((v, y, y)),
            }
        }
        out
    }
}

/// Why a text cannot be adopted in this registry, beside its own problems: its chains,
/// recognition kinds, project categories and declared facts must be those the registry's data
/// were read with.
pub fn incompatible(new: &Policy, started: &Policy) -> Option<String> {
    let (a, b) = (&new.vocabulary, &started.vocabulary);
    let codes = |cs: &[lianzhang_facts::Code]| cs.iter().map(|c| c.code.clone()).collect::<Vec<_>>();
    let chains = |v: &lianzhang_facts::Vocabulary| v.chains.iter().map(|c| c.code.clone()).collect::<Vec<_>>();
    let mut what = Vec::new();
    if chains(a) != chains(b) {
        what.push("产业链");
    }
    if codes(&a.recognition_kinds) != codes(&b.recognition_kinds) {
        what.push("认定类型");
    }
    if codes(&a.project_categories) != codes(&b.project_categories) {
        what.push("项目类别");
    }
    if a.extras != b.extras {
        what.push("声明的事实（[[facts]]）");
    }
    (!what.is_empty()).then(|| {
        format!(
            "新文件的{}与企业库所用的政策文件不一致：企业库的数据按现有的代码读入，请保持这些部分不变（只修改规则、金额、门槛、分组、上限和目标）",
            what.join("、")
        )
    })
}

impl AppState {
    /// Every policy version (cheap: the list is shared).
    pub fn versions(&self) -> Arc<Versions> {
        self.versions.read().expect("versions lock").clone()
    }

    /// The version in force for `year`: its file and policy.
    pub fn policy_for(&self, year: i32) -> (Arc<PolicyFile>, Arc<Policy>) {
        let vs = self.versions();
        let v = vs.for_year(year);
        (v.file.clone(), v.policy.clone())
    }

    /// Reads the adoptions from the registry and compiles each text (at start, and after an
    /// adoption). A stored text this program can no longer compile is left out with a warning
    /// in the log, and the years it covered fall back on the version before it.
    pub async fn load_versions(&self) -> Result<(), WebError> {
        let mut vs = Versions::started(self.file.clone(), self.policy.clone());
        for a in self.store.adoptions().await? {
            let (name, text) = self.store.policy_text(&a.hash).await?;
            let file = PolicyFile::parse(name, text);
            match file.compile() {
                Ok(p) if incompatible(&p, &self.policy).is_none() => {
                    vs.adopted.push(Version {
                        from_year: a.from_year,
                        hash: a.hash.clone(),
                        file: Arc::new(file),
                        policy: Arc::new(p),
                        adoption: Some(a),
                    });
                }
                _ => tracing::warn!(adoption = a.id, "an adopted policy text does not compile any more: left out"),
            }
        }
        *self.versions.write().expect("versions lock") = Arc::new(vs);
        Ok(())
    }
}
