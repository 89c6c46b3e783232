//! The dataset model: what FACTS.md describes, validated and indexed for the engine.
//!
//! `None` always means *unknown* (an empty cell), never zero.

use crate::money::Fen;
use crate::uscc::Uscc;
use crate::vocab::{CategoryId, ChainId, KindId, Vocabulary};
use jiff::civil::Date;

/// A calendar year, validated to 1949..=2100 on input.
pub type Year = i32;

pub const MIN_YEAR: Year = 1949;
pub const MAX_YEAR: Year = 2100;

/// 企业: one row of the `enterprises` sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enterprise {
    pub uscc: Uscc,
    pub name: String,
    pub chain: Option<ChainId>,
    /// Index into the chain's stages.
    pub stage: Option<u16>,
    pub town: Option<String>,
    /// GB/T 4754-2017 code as given, normalised to the `C3110` form.
    pub industry_code: Option<String>,
    pub strategic_emerging: Option<bool>,
    pub established: Option<Date>,
    pub chain_joined_year: Option<Year>,
}

impl Enterprise {
    pub fn established_year(&self) -> Option<Year> {
        self.established.map(|d| i32::from(d.year()))
    }
}

/// 年度数据: one enterprise's facts for one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annual {
    pub year: Year,
    pub revenue: Option<Fen>,
    pub above_scale: Option<bool>,
    pub chain_master: Option<bool>,
    pub local_procurement: Option<Fen>,
    pub total_procurement: Option<Fen>,
    pub rd_expense: Option<Fen>,
}

impl Annual {
    /// A row of unknown cells for `year`.
    pub fn unknown(year: Year) -> Self {
        Annual {
            year,
            revenue: None,
            above_scale: None,
            chain_master: None,
            local_procurement: None,
            total_procurement: None,
            rd_expense: None,
        }
    }
}

/// 认定: a recognition of an enterprise in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Recognition {
    pub kind: KindId,
    pub year: Year,
}

/// 项目: an investment project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub project_id: String,
    pub name: String,
    pub category: Option<CategoryId>,
    pub fixed_asset_investment: Option<Fen>,
    pub start_year: Option<Year>,
    /// `None` while the project is under way.
    pub completed_year: Option<Year>,
}

/// Everything known about one enterprise, borrowed from a [`Dataset`].
#[derive(Debug, Clone, Copy)]
pub struct EnterpriseFacts<'a> {
    pub enterprise: &'a Enterprise,
    /// Sorted by year, at most one row per year.
    pub annual: &'a [Annual],
    /// Sorted by (kind, year).
    pub recognitions: &'a [Recognition],
    /// Sorted by project id.
    pub projects: &'a [Project],
    /// The values of the facts the policy declares beyond FACTS.md, sorted by (what they
    /// belong to, fact); usually empty.
    pub extras: &'a [crate::extra::Extra],
}

impl<'a> EnterpriseFacts<'a> {
    /// The annual row of `year`, if there is one.
    pub fn row(&self, year: Year) -> Option<&'a Annual> {
        // Rows are few (one per year) and sorted: a short scan beats a binary search here.
        self.annual.iter().find(|r| r.year == year)
    }

    /// The value of declared fact `fact` (an index of [`Vocabulary::extras`]) at `at`; `None`
    /// when unknown (an empty cell, no row).
    pub fn extra(&self, fact: u16, at: &crate::extra::ExtraAt) -> Option<&'a crate::extra::ExtraValue> {
        self.extras.iter().find(|e| e.fact == fact && &e.at == at).map(|e| &e.value)
    }

    /// F: the year of the earliest annual row.
    pub fn first_row_year(&self) -> Option<Year> {
        self.annual.first().map(|r| r.year)
    }
}

/// A validated dataset: enterprises sorted by USCC, each with its rows, recognitions and
/// projects. Built only through [`DatasetBuilder`] (or the readers), which keep the invariants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    vocabulary: Vocabulary,
    enterprises: Vec<Enterprise>,
    annual: Vec<Annual>,
    annual_start: Vec<u32>,
    recognitions: Vec<Recognition>,
    recognition_start: Vec<u32>,
    projects: Vec<Project>,
    project_start: Vec<u32>,
    extras: Vec<crate::extra::Extra>,
    extra_start: Vec<u32>,
}

impl Dataset {
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    pub fn len(&self) -> usize {
        self.enterprises.len()
    }

    pub fn is_empty(&self) -> bool {
        self.enterprises.is_empty()
    }

    pub fn enterprises(&self) -> &[Enterprise] {
        &self.enterprises
    }

    /// The facts of the enterprise at index `i` (in USCC order).
    pub fn get(&self, i: usize) -> EnterpriseFacts<'_> {
        let span = |starts: &[u32]| starts[i] as usize..starts[i + 1] as usize;
        EnterpriseFacts {
            enterprise: &self.enterprises[i],
            annual: &self.annual[span(&self.annual_start)],
            recognitions: &self.recognitions[span(&self.recognition_start)],
            projects: &self.projects[span(&self.project_start)],
            extras: if self.extras.is_empty() { &[] } else { &self.extras[span(&self.extra_start)] },
        }
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = EnterpriseFacts<'_>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The index of an enterprise by USCC.
    pub fn position(&self, uscc: &Uscc) -> Option<usize> {
        self.enterprises.binary_search_by(|e| e.uscc.cmp(uscc)).ok()
    }

    pub fn find(&self, uscc: &Uscc) -> Option<EnterpriseFacts<'_>> {
        self.position(uscc).map(|i| self.get(i))
    }

    pub fn annual_count(&self) -> usize {
        self.annual.len()
    }

    pub fn recognition_count(&self) -> usize {
        self.recognitions.len()
    }

    pub fn project_count(&self) -> usize {
        self.projects.len()
    }

    /// What the dataset holds, for messages: `600 家企业、4428 条年度数据、325 条认定、70 个项目`.
    pub fn summary_zh(&self) -> String {
        format!(
            "{} 家企业、{} 条年度数据、{} 条认定、{} 个项目",
            self.len(),
            self.annual_count(),
            self.recognition_count(),
            self.project_count()
        )
    }
}

impl Dataset {
    /// Assembles a dataset from rows keyed by their enterprise's position in `enterprises` (any
    /// order), for readers that have checked the keys already; they are checked again here.
    /// Sorts in place, so a large dataset needs little more memory than its rows.
    ///
    /// # Panics
    /// If a key is not a position in `enterprises` or `annual_keys` and `annual` differ in
    /// length (a reader's bug, not bad data).
    pub(crate) fn from_positions(
        vocabulary: Vocabulary,
        mut enterprises: Vec<Enterprise>,
        mut annual_keys: Vec<u32>,
        mut annual: Vec<Annual>,
        mut recognitions: Vec<(u32, Recognition)>,
        mut projects: Vec<(u32, Project)>,
        extras: Vec<(u32, crate::extra::Extra)>,
    ) -> Result<Dataset, BuildError> {
        assert_eq!(annual_keys.len(), annual.len(), "one key per annual row");
        let n = enterprises.len();

        // Enterprises in USCC order; `rank[old position] = new position`.
        let mut order: Vec<(Uscc, u32)> = enterprises.iter().enumerate().map(|(i, e)| (e.uscc, i as u32)).collect();
        order.sort_unstable();
        if let Some(w) = order.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(BuildError::DuplicateEnterprise(w[0].0));
        }
        let mut rank = vec![0u32; n];
        for (new, &(_, old)) in order.iter().enumerate() {
            rank[old as usize] = new as u32;
        }
        drop(order);
        permute(&mut enterprises, rank.clone());

        // Annual rows grouped by enterprise (a stable counting sort, applied in place), then
        // sorted by year within each enterprise.
        for k in &mut annual_keys {
            *k = rank[*k as usize];
        }
        let annual_start = starts(n, annual_keys.iter().copied());
        let mut next = annual_start.clone();
        let dest: Vec<u32> = annual_keys
            .iter()
            .map(|&k| {
                let d = next[k as usize];
                next[k as usize] += 1;
                d
            })
            .collect();
        drop(annual_keys);
        drop(next);
        permute(&mut annual, dest);
        for (i, w) in annual_start.windows(2).enumerate() {
            let rows = &mut annual[w[0] as usize..w[1] as usize];
            if !rows.is_sorted_by_key(|r| r.year) {
                rows.sort_unstable_by_key(|r| r.year);
            }
            if let Some(p) = rows.windows(2).find(|p| p[0].year == p[1].year) {
                return Err(BuildError::DuplicateAnnual(enterprises[i].uscc, p[0].year));
            }
        }

        for (k, _) in &mut recognitions {
            *k = rank[*k as usize];
        }
        recognitions.sort_unstable();
        let recognition_start = starts(n, recognitions.iter().map(|(k, _)| *k));

        for (k, _) in &mut projects {
            *k = rank[*k as usize];
        }
        {
            let mut ids: Vec<&str> = projects.iter().map(|(_, p)| p.project_id.as_str()).collect();
            ids.sort_unstable();
            if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
                return Err(BuildError::DuplicateProject(w[0].to_string()));
            }
        }
        projects.sort_by(|a, b| (a.0, &a.1.project_id).cmp(&(b.0, &b.1.project_id)));
        let project_start = starts(n, projects.iter().map(|(k, _)| *k));
        let (extras, extra_start) = index_extras(n, extras, |k| rank[k as usize]);

        Ok(Dataset {
            vocabulary,
            enterprises,
            annual,
            annual_start,
            recognitions: recognitions.into_iter().map(|(_, r)| r).collect(),
            recognition_start,
            projects: projects.into_iter().map(|(_, p)| p).collect(),
            project_start,
            extras,
            extra_start,
        })
    }
}

/// The declared facts' values grouped by enterprise (its key mapped by `key`) and sorted, with
/// where each enterprise's start; nothing is allocated when there are none.
fn index_extras(
    n: usize,
    mut extras: Vec<(u32, crate::extra::Extra)>,
    key: impl Fn(u32) -> u32,
) -> (Vec<crate::extra::Extra>, Vec<u32>) {
    if extras.is_empty() {
        return (Vec::new(), Vec::new());
    }
    for (k, _) in &mut extras {
        *k = key(*k);
    }
    extras.sort_unstable_by(|a, b| (a.0, &a.1.at, a.1.fact).cmp(&(b.0, &b.1.at, b.1.fact)));
    let start = starts(n, extras.iter().map(|(k, _)| *k));
    (extras.into_iter().map(|(_, e)| e).collect(), start)
}

/// Where each enterprise's rows start, given the (sorted or not) enterprise of every row.
fn starts(n: usize, keys: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut starts = vec![0u32; n + 1];
    for k in keys {
        starts[k as usize + 1] += 1;
    }
    for i in 0..n {
        starts[i + 1] += starts[i];
    }
    starts
}

/// Moves `data[i]` to `data[dest[i]]` for every `i`, in place (`dest` is a permutation).
fn permute<T>(data: &mut [T], mut dest: Vec<u32>) {
    for i in 0..data.len() {
        while dest[i] as usize != i {
            let j = dest[i] as usize;
            data.swap(i, j);
            dest.swap(i, j);
        }
    }
}

/// Why a dataset could not be assembled (keys). Readers report these with sheet and row;
/// the builder itself only refuses what would break the model's invariants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("duplicate enterprise {0}")]
    DuplicateEnterprise(Uscc),
    #[error("unknown enterprise {0}")]
    UnknownEnterprise(Uscc),
    #[error("duplicate annual row {0} {1}")]
    DuplicateAnnual(Uscc, Year),
    #[error("duplicate project id {0}")]
    DuplicateProject(String),
}

/// Collects rows in any order and builds a [`Dataset`].
#[derive(Debug, Default)]
pub struct DatasetBuilder {
    vocabulary: Vocabulary,
    enterprises: Vec<Enterprise>,
    annual: Vec<(Uscc, Annual)>,
    recognitions: Vec<(Uscc, Recognition)>,
    projects: Vec<(Uscc, Project)>,
    extras: Vec<(Uscc, crate::extra::Extra)>,
}

impl DatasetBuilder {
    pub fn new(vocabulary: Vocabulary) -> Self {
        DatasetBuilder { vocabulary, ..Default::default() }
    }

    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    pub fn enterprise(&mut self, e: Enterprise) -> &mut Self {
        self.enterprises.push(e);
        self
    }

    pub fn annual(&mut self, uscc: Uscc, row: Annual) -> &mut Self {
        self.annual.push((uscc, row));
        self
    }

    pub fn recognition(&mut self, uscc: Uscc, r: Recognition) -> &mut Self {
        self.recognitions.push((uscc, r));
        self
    }

    pub fn project(&mut self, uscc: Uscc, p: Project) -> &mut Self {
        self.projects.push((uscc, p));
        self
    }

    /// A declared fact's value (see [`crate::extra`]).
    pub fn extra(&mut self, uscc: Uscc, e: crate::extra::Extra) -> &mut Self {
        self.extras.push((uscc, e));
        self
    }

    pub fn reserve_annual(&mut self, n: usize) {
        self.annual.reserve(n);
    }

    /// Sorts and indexes the rows. Refuses duplicate keys and rows of unknown enterprises
    /// (the first such problem only: readers check keys row by row before building).
    pub fn build(self) -> Result<Dataset, BuildError> {
        let mut enterprises = self.enterprises;
        enterprises.sort_by_key(|e| e.uscc);
        if let Some(w) = enterprises.windows(2).find(|w| w[0].uscc == w[1].uscc) {
            return Err(BuildError::DuplicateEnterprise(w[0].uscc));
        }
        let index = |u: &Uscc| {
            enterprises
                .binary_search_by(|e| e.uscc.cmp(u))
                .map(|i| i as u32)
                .map_err(|_| BuildError::UnknownEnterprise(*u))
        };

        let mut annual = Vec::with_capacity(self.annual.len());
        for (u, row) in self.annual {
            annual.push((index(&u)?, row));
        }
        annual.sort_unstable_by_key(|(i, r)| (*i, r.year));
        if let Some(w) = annual.windows(2).find(|w| w[0].0 == w[1].0 && w[0].1.year == w[1].1.year) {
            return Err(BuildError::DuplicateAnnual(enterprises[w[0].0 as usize].uscc, w[0].1.year));
        }

        let mut recognitions = Vec::with_capacity(self.recognitions.len());
        for (u, r) in self.recognitions {
            recognitions.push((index(&u)?, r));
        }
        recognitions.sort_unstable();

        let mut projects = Vec::with_capacity(self.projects.len());
        for (u, p) in self.projects {
            projects.push((index(&u)?, p));
        }
        {
            let mut ids: Vec<&str> = projects.iter().map(|(_, p)| p.project_id.as_str()).collect();
            ids.sort_unstable();
            if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
                return Err(BuildError::DuplicateProject(w[0].to_string()));
            }
        }
        projects.sort_by(|a, b| (a.0, &a.1.project_id).cmp(&(b.0, &b.1.project_id)));

        let n = enterprises.len();
        let starts = |keys: &mut dyn Iterator<Item = u32>| {
            let mut starts = vec![0u32; n + 1];
            for k in keys {
                starts[k as usize + 1] += 1;
            }
            for i in 0..n {
                starts[i + 1] += starts[i];
            }
            starts
        };
        let annual_start = starts(&mut annual.iter().map(|(i, _)| *i));
        let recognition_start = starts(&mut recognitions.iter().map(|(i, _)| *i));
        let project_start = starts(&mut projects.iter().map(|(i, _)| *i));
        let mut extras = Vec::with_capacity(self.extras.len());
        for (u, e) in self.extras {
            extras.push((index(&u)?, e));
        }
        let (extras, extra_start) = index_extras(n, extras, |k| k);

        Ok(Dataset {
            vocabulary: self.vocabulary,
            enterprises,
            annual: annual.into_iter().map(|(_, r)| r).collect(),
            annual_start,
            recognitions: recognitions.into_iter().map(|(_, r)| r).collect(),
            recognition_start,
            projects: projects.into_iter().map(|(_, p)| p).collect(),
            project_start,
            extras,
            extra_start,
        })
    }
}
