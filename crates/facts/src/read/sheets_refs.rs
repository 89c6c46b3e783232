//! The rows of `recognitions` and `projects`: rows that refer to an enterprise of `enterprises`.

use super::keys::KeyMap;
use super::row::{Cells, Errors, RowCtx, SheetInfo};
use super::schema::{proj, rec};
use super::sheets::{Fold, Parse, Recent, Slots, reference};
use super::values;
use crate::extra::{Extra, ExtraAt, ExtraValue};
use crate::model::{Project, Recognition, Year};
use crate::vocab::Vocabulary;
use std::collections::HashMap;

// ---- recognitions ----

pub(crate) struct RecognitionParse<'a> {
    pub vocab: &'a Vocabulary,
    pub slots: &'a Slots,
}

impl Parse for RecognitionParse<'_> {
    type Row = (u32, Recognition);

    fn parse<C: Cells>(&self, ctx: &mut RowCtx<'_, C>, recent: &mut Recent) -> Option<(u32, Recognition)> {
        let vocab = self.vocab;
        let slot = reference(self.slots, ctx, rec::USCC, recent);
        let kind = ctx.req(rec::KIND, |t| {
            vocab.recognition_kind(t).ok_or_else(|| {
                let names: Vec<&str> = vocab.recognition_kinds.iter().map(|c| c.name.as_str()).collect();
                format!("未知的认定类型（应为 {}）", names.join("、"))
            })
        });
        let year = ctx.req(rec::YEAR, values::year);
        Some((slot?, Recognition { kind: kind?, year: year? }))
    }
}

/// Keeps every recognition. The same recognition (enterprise, kind, year) twice is an error at
/// the repeating row, naming the first: one row per recognition (FACTS.md), and an import would
/// otherwise keep one of the two without saying so.
pub(crate) struct RecognitionFold<'a> {
    pub rows: &'a mut Vec<(u32, Recognition)>,
    pub first: KeyMap<(u32, crate::vocab::KindId, Year), u32>,
}

impl Fold for RecognitionFold<'_> {
    type Row = (u32, Recognition);

    fn fold(&mut self, sheet: &SheetInfo, row: u32, (slot, r): (u32, Recognition), errors: &mut Errors) {
        match self.first.entry((slot, r.kind, r.year)) {
            std::collections::hash_map::Entry::Occupied(f) => {
                let reason = format!("该企业{}年的同一认定重复（第{}行已有）", r.year, f.get());
                errors.at(sheet, row, rec::YEAR, &r.year.to_string(), reason);
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(row);
                self.rows.push((slot, r));
            }
        }
    }
}

// ---- projects ----

/// The `projects` sheet: valid projects by enterprise slot; the row of every project id.
#[derive(Default)]
pub(crate) struct Projects {
    pub rows: Vec<(u32, Project)>,
    pub ids: HashMap<String, u32>,
    /// The declared facts' values, by slot.
    pub extras: Vec<(u32, Extra)>,
}

pub(crate) struct ProjectParse<'a> {
    pub vocab: &'a Vocabulary,
    pub slots: &'a Slots,
}

/// A row with a project id; the project (and its enterprise) if the row has no error.
pub(crate) struct ProjectRow {
    project_id: String,
    project: Option<(u32, Project)>,
    extras: Vec<(u16, ExtraValue)>,
}

impl Parse for ProjectParse<'_> {
    type Row = ProjectRow;

    fn parse<C: Cells>(&self, ctx: &mut RowCtx<'_, C>, recent: &mut Recent) -> Option<ProjectRow> {
        let vocab = self.vocab;
        let project_id = ctx.req(proj::PROJECT_ID, values::text);
        let slot = reference(self.slots, ctx, proj::USCC, recent);
        let name = ctx.req(proj::NAME, values::text);
        let category = ctx.opt(proj::CATEGORY, |t| {
            vocab.project_category(t).ok_or_else(|| {
                let names: Vec<&str> = vocab.project_categories.iter().map(|c| c.name.as_str()).collect();
                format!("未知的项目类别（应为 {}）", names.join("、"))
            })
        });
        let fixed_asset_investment = ctx.opt(proj::FIXED_ASSET_INVESTMENT, values::money);
        let start_year = ctx.opt(proj::START_YEAR, values::year);
        let completed_year = ctx.opt(proj::COMPLETED_YEAR, values::year);
        if let (Some(start), Some(done)) = (start_year, completed_year)
            && done < start
        {
            ctx.report(proj::COMPLETED_YEAR, &done.to_string(), format!("竣工投产年度早于开工年度（{start}）"));
        }
        let extras = ctx.extras(vocab);
        let project_id = project_id?;
        let project = match (ctx.ok, slot, name) {
            (true, Some(slot), Some(name)) => Some((
                slot,
                Project {
                    project_id: project_id.clone(),
                    name,
                    category,
                    fixed_asset_investment,
                    start_year,
                    completed_year,
                },
            )),
            _ => None,
        };
        Some(ProjectRow { project_id, project, extras })
    }
}

impl Fold for Projects {
    type Row = ProjectRow;

    fn fold(&mut self, sheet: &SheetInfo, row: u32, parsed: ProjectRow, errors: &mut Errors) {
        if let Some(&first) = self.ids.get(&parsed.project_id) {
            errors.at(sheet, row, proj::PROJECT_ID, &parsed.project_id, format!("项目编号重复（第{first}行已有）"));
            return;
        }
        if let Some((slot, p)) = &parsed.project {
            let at = |(fact, value)| (*slot, Extra { at: ExtraAt::Project(p.project_id.clone()), fact, value });
            self.extras.extend(parsed.extras.into_iter().map(at));
        }
        self.ids.insert(parsed.project_id, row);
        self.rows.extend(parsed.project);
    }
}
