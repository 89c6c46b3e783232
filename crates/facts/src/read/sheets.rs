//! The rows of each sheet. Reading a row is split in two: *parsing* its cells (read-only, so
//! batches of rows can be parsed on several threads) and *folding* the parsed row into what was
//! read before (in row order: keys, repeats).

use super::keys::KeyMap;
use super::row::{Cell, Cells, Errors, RowCtx, SheetInfo};
use super::schema::{SheetKind, ann, ent};
use super::sheets_refs::{ProjectParse, Projects, RecognitionFold, RecognitionParse};
use super::values;
use crate::extra::{Extra, ExtraAt, ExtraValue};
use crate::model::{Annual, Enterprise, MIN_YEAR, Recognition, Year};
use crate::uscc::Uscc;
use crate::vocab::Vocabulary;

/// Parses one row of a sheet; shared by the threads that parse.
pub(crate) trait Parse: Sync {
    type Row: Send;
    fn parse<C: Cells>(&self, ctx: &mut RowCtx<'_, C>, cache: &mut Recent) -> Option<Self::Row>;
}

/// Takes the parsed rows of a sheet in row order.
pub(crate) trait Fold {
    type Row;
    fn fold(&mut self, sheet: &SheetInfo, row: u32, parsed: Self::Row, errors: &mut Errors);
    fn finish(&mut self, _sheet: &SheetInfo, _errors: &mut Errors) {}
    /// About how many rows the sheet has (to allocate once, not grow by copying).
    fn expect(&mut self, _rows: usize) {}
}

/// A source of rows (a CSV file, a worksheet) after its header: hands every row to `parse` and,
/// in order, to `fold`.
pub(crate) trait Source {
    type Stop;
    fn drive<P: Parse, F: Fold<Row = P::Row>>(
        &mut self,
        sheet: &SheetInfo,
        parse: &P,
        fold: &mut F,
        errors: &mut Errors,
    ) -> Result<(), Self::Stop>;
}

/// Parses a data row: blank rows are skipped, values under no header reported.
pub(crate) fn parse_row<C: Cells, P: Parse>(
    parse: &P,
    sheet: &SheetInfo,
    row: u32,
    cells: &C,
    errors: &mut Errors,
    recent: &mut Recent,
) -> Option<P::Row> {
    if cells.is_blank() {
        return None;
    }
    if let Some(col) = cells.oversize() {
        let Cell::Text(text) = cells.cell(col) else { return None };
        let reason = format!(
            "单元格有 {} 个字，超过一个单元格的上限 {} 个字：这不是正常填写的内容，请检查这一格",
            text.chars().count(),
            crate::typed::CELL_MAX_CHARS
        );
        errors.push(sheet, row, Some(col), &sheet.column_at(col), text, reason);
        return None;
    }
    if !sheet.headless.is_empty() || cells.len() > sheet.header.len() {
        sheet.check_headless(row, cells, errors);
    }
    let mut ctx = RowCtx::new(row, cells, sheet, errors);
    parse.parse(&mut ctx, recent)
}

/// The enterprises known so far. Each USCC of `enterprises` gets a *slot* (its position in the
/// sheet, each USCC once) — even on a row with errors, so that the other sheets do not report
/// its rows again as unknown enterprises.
#[derive(Default)]
pub(crate) struct Slots {
    pub map: KeyMap<Uscc, u32>,
    by_slot: Vec<Uscc>,
    /// Whether `enterprises` has a `uscc` column at all, i.e. whether references can be checked.
    pub keyed: bool,
}

impl Slots {
    fn get(&self, u: &Uscc, recent: &Recent) -> Option<u32> {
        // Sheets usually list enterprises in the same order: try the one after the last.
        if let Some((_, last)) = recent.0
            && self.by_slot.get(last as usize + 1) == Some(u)
        {
            return Some(last + 1);
        }
        self.map.get(u).copied()
    }
}

/// The last USCC text a parsing thread resolved, and its slot: rows come grouped.
#[derive(Default)]
pub(crate) struct Recent(Option<([u8; 18], u32)>);

/// The slot of the enterprise a row refers to (in column `f`), or `None` (reported).
pub(crate) fn reference<C: Cells>(
    slots: &Slots,
    ctx: &mut RowCtx<'_, C>,
    f: usize,
    recent: &mut Recent,
) -> Option<u32> {
    let Cell::Text(text) = ctx.get(f) else {
        ctx.ok = false;
        return None;
    };
    if let Some((last, slot)) = &recent.0
        && text.as_bytes() == last
    {
        return Some(*slot);
    }
    let uscc = ctx.req(f, values::uscc)?;
    match slots.get(&uscc, recent) {
        Some(slot) => {
            if let Ok(bytes) = <[u8; 18]>::try_from(text.as_bytes()) {
                recent.0 = Some((bytes, slot));
            }
            Some(slot)
        }
        None if slots.keyed => {
            ctx.report(f, uscc.as_str(), UNKNOWN_ENTERPRISE.into());
            None
        }
        None => {
            ctx.ok = false;
            None
        }
    }
}

/// The reason of a reference to an enterprise the `enterprises` sheet does not have.
pub(crate) const UNKNOWN_ENTERPRISE: &str =
    "企业表中没有这家企业：请先在企业表中添加它，或检查统一社会信用代码是否填错";

/// Everything read so far.
pub(crate) struct Rows<'v> {
    pub vocab: &'v Vocabulary,
    pub errors: Errors,
    pub slots: Slots,
    pub enterprises: Enterprises,
    pub annual: AnnualRows,
    pub recognitions: Vec<(u32, Recognition)>,
    pub projects: Projects,
    /// The sheets started, as their headers mapped.
    pub sheets: Vec<SheetInfo>,
    /// The export stamp, if the dataset has one.
    pub stamp: Option<crate::stamp::ExportStamp>,
    /// The text of the `enterprises` records lost to a quote.
    pub swallowed: Vec<String>,
}

impl<'v> Rows<'v> {
    pub(crate) fn new(vocab: &'v Vocabulary) -> Self {
        Rows {
            vocab,
            errors: Errors::default(),
            slots: Slots::default(),
            enterprises: Enterprises::default(),
            annual: AnnualRows::default(),
            recognitions: Vec::new(),
            projects: Projects::default(),
            sheets: Vec::new(),
            stamp: None,
            swallowed: Vec::new(),
        }
    }

    /// Forgets a sheet read so far (to read it again in another encoding).
    pub(crate) fn reset(&mut self, kind: SheetKind) {
        self.errors.0.retain(|e| e.key.0 != kind.order());
        self.sheets.retain(|s| s.kind != kind);
        match kind {
            SheetKind::Enterprises => {
                self.slots = Slots::default();
                self.enterprises = Enterprises::default();
            }
            SheetKind::Annual => self.annual = AnnualRows::default(),
            SheetKind::Recognitions => self.recognitions.clear(),
            SheetKind::Projects => self.projects = Projects::default(),
        }
    }

    /// Starts a sheet: maps its header row (at `header_row`, its first cell in column `left`).
    pub(crate) fn start(&mut self, kind: SheetKind, name: &str, headers: &[&str], at: (u32, usize)) -> SheetInfo {
        let info = SheetInfo::new(kind, name, kind.order(), headers, at, self.vocab, &mut self.errors);
        if kind == SheetKind::Enterprises {
            self.slots.keyed = info.of_field[ent::USCC].is_some();
        }
        self.sheets.push(info.clone());
        info
    }

    /// Reads a sheet's rows from `source`.
    pub(crate) fn read<S: Source>(&mut self, sheet: &SheetInfo, source: &mut S) -> Result<(), S::Stop> {
        let vocab = self.vocab;
        let errors = &mut self.errors;
        match sheet.kind {
            SheetKind::Enterprises => {
                let mut fold = EnterpriseFold { slots: &mut self.slots, rows: &mut self.enterprises };
                source.drive(sheet, &EnterpriseParse { vocab }, &mut fold, errors)?;
                fold.finish(sheet, errors);
            }
            SheetKind::Annual => {
                let parse = AnnualParse { vocab, slots: &self.slots };
                let mut fold = AnnualFold { slots: self.slots.by_slot.len(), rows: &mut self.annual };
                source.drive(sheet, &parse, &mut fold, errors)?;
                fold.finish(sheet, errors);
            }
            SheetKind::Recognitions => {
                let parse = RecognitionParse { vocab, slots: &self.slots };
                let mut fold = RecognitionFold { rows: &mut self.recognitions, first: KeyMap::default() };
                source.drive(sheet, &parse, &mut fold, errors)?;
            }
            SheetKind::Projects => {
                let parse = ProjectParse { vocab, slots: &self.slots };
                source.drive(sheet, &parse, &mut self.projects, errors)?;
            }
        }
        Ok(())
    }
}

// ---- enterprises ----

/// The `enterprises` sheet by slot: the enterprise if its row is valid, and the row number.
#[derive(Default)]
pub(crate) struct Enterprises {
    pub by_slot: Vec<Option<Enterprise>>,
    pub rows: Vec<u32>,
    /// The declared facts' values, by slot.
    pub extras: Vec<(u32, Extra)>,
}

struct EnterpriseParse<'v> {
    vocab: &'v Vocabulary,
}

/// A row with a well-formed USCC; the enterprise if the row has no error.
struct EnterpriseRow {
    uscc: Uscc,
    enterprise: Option<Enterprise>,
    extras: Vec<(u16, ExtraValue)>,
}

impl Parse for EnterpriseParse<'_> {
    type Row = EnterpriseRow;

    fn parse<C: Cells>(&self, ctx: &mut RowCtx<'_, C>, _: &mut Recent) -> Option<EnterpriseRow> {
        let vocab = self.vocab;
        let uscc = ctx.req(ent::USCC, values::uscc);
        let name = ctx.req(ent::NAME, values::text);
        let chain = ctx.opt(ent::CHAIN, |t| {
            vocab.chain(t).ok_or_else(|| {
                let names: Vec<&str> = vocab.chains.iter().map(|c| c.name.as_str()).collect();
                format!("未知的产业链（应为 {}）", names.join("、"))
            })
        });
        let stage = match ctx.get(ent::STAGE) {
            Cell::Text("") => None,
            Cell::Reported => {
                ctx.ok = false;
                None
            }
            Cell::Text(t) => match chain {
                Some(c) => {
                    let found = vocab.stage(c, t);
                    if found.is_none() {
                        let info = vocab.chain_info(c);
                        let reason = format!("不是{}产业链的环节（可用：{}）", info.name, info.stages.join("、"));
                        ctx.report(ent::STAGE, t, reason);
                    }
                    found
                }
                None if ctx.is_empty(ent::CHAIN) => {
                    ctx.report(ent::STAGE, t, "填写环节时须同时填写产业链".into());
                    None
                }
                // The chain is invalid and reported: the stage cannot be checked.
                None => None,
            },
        };
        let town = ctx.opt(ent::TOWN, values::text);
        let industry_code = ctx.opt(ent::INDUSTRY_CODE, values::industry_code);
        let strategic_emerging = ctx.opt(ent::STRATEGIC_EMERGING, values::boolean);
        let established = ctx.opt(ent::ESTABLISHED, values::date);
        let chain_joined_year = ctx.opt(ent::CHAIN_JOINED_YEAR, values::year);
        let extras = ctx.extras(vocab);
        let uscc = uscc?;
        let enterprise = match (ctx.ok, name) {
            (true, Some(name)) => Some(Enterprise {
                uscc,
                name,
                chain,
                stage,
                town,
                industry_code,
                strategic_emerging,
                established,
                chain_joined_year,
            }),
            _ => None,
        };
        Some(EnterpriseRow { uscc, enterprise, extras })
    }
}

struct EnterpriseFold<'a> {
    slots: &'a mut Slots,
    rows: &'a mut Enterprises,
}

impl Fold for EnterpriseFold<'_> {
    type Row = EnterpriseRow;

    fn expect(&mut self, rows: usize) {
        self.slots.map.reserve(rows);
        self.slots.by_slot.reserve(rows);
        self.rows.by_slot.reserve(rows);
        self.rows.rows.reserve(rows);
    }

    fn fold(&mut self, sheet: &SheetInfo, row: u32, parsed: EnterpriseRow, errors: &mut Errors) {
        let slot = self.rows.by_slot.len() as u32;
        if let Some(&first) = self.slots.map.get(&parsed.uscc) {
            let first = self.rows.rows[first as usize];
            let reason = format!("统一社会信用代码重复（第{first}行已有）");
            errors.at(sheet, row, ent::USCC, parsed.uscc.as_str(), reason);
            return;
        }
        self.slots.map.insert(parsed.uscc, slot);
        self.slots.by_slot.push(parsed.uscc);
        if parsed.enterprise.is_some() {
            let at = |(fact, value)| (slot, Extra { at: ExtraAt::Enterprise, fact, value });
            self.rows.extras.extend(parsed.extras.into_iter().map(at));
        }
        self.rows.by_slot.push(parsed.enterprise);
        self.rows.rows.push(row);
    }
}

// ---- annual ----

/// The `annual` sheet: rows with their enterprise's slot and row number, in step.
#[derive(Default)]
pub(crate) struct AnnualRows {
    pub rows: Vec<Annual>,
    pub slots: Vec<u32>,
    pub lines: Vec<u32>,
    /// By slot: the years seen, a bit per year from 1949.
    years_seen: Vec<[u64; 3]>,
    /// Repeated (enterprise, year) pairs: (row, slot, year).
    repeats: Vec<(u32, u32, Year)>,
    /// The declared facts' values, by slot.
    pub extras: Vec<(u32, Extra)>,
}

struct AnnualParse<'a> {
    vocab: &'a Vocabulary,
    slots: &'a Slots,
}

/// A row whose enterprise and year are known.
struct AnnualRow {
    slot: u32,
    annual: Annual,
    extras: Vec<(u16, ExtraValue)>,
}

impl Parse for AnnualParse<'_> {
    type Row = AnnualRow;

    fn parse<C: Cells>(&self, ctx: &mut RowCtx<'_, C>, recent: &mut Recent) -> Option<AnnualRow> {
        let slot = reference(self.slots, ctx, ann::USCC, recent);
        let year = ctx.req(ann::YEAR, values::year);
        let revenue = ctx.opt(ann::REVENUE, values::money);
        let above_scale = ctx.opt(ann::ABOVE_SCALE, values::boolean);
        let chain_master = ctx.opt(ann::CHAIN_MASTER, values::boolean);
        let local_procurement = ctx.opt(ann::LOCAL_PROCUREMENT, values::money);
        let total_procurement = ctx.opt(ann::TOTAL_PROCUREMENT, values::money);
        let rd_expense = ctx.opt(ann::RD_EXPENSE, values::money);
        let extras = ctx.extras(self.vocab);
        if let (Some(local), Some(total)) = (local_procurement, total_procurement)
            && local > total
        {
            let text = |f| match ctx.get(f) {
                Cell::Text(t) => t,
                Cell::Reported => "",
            };
            let (local_text, total_text) = (text(ann::LOCAL_PROCUREMENT), text(ann::TOTAL_PROCUREMENT));
            let reason = format!("本地配套采购额大于配套采购总额（{total_text}）");
            ctx.report(ann::LOCAL_PROCUREMENT, local_text, reason);
        }
        let annual = Annual {
            year: year?,
            revenue,
            above_scale,
            chain_master,
            local_procurement,
            total_procurement,
            rd_expense,
        };
        Some(AnnualRow { slot: slot?, annual, extras })
    }
}

struct AnnualFold<'a> {
    /// How many enterprise slots there are.
    slots: usize,
    rows: &'a mut AnnualRows,
}

impl Fold for AnnualFold<'_> {
    type Row = AnnualRow;

    fn expect(&mut self, rows: usize) {
        self.rows.rows.reserve(rows);
        self.rows.slots.reserve(rows);
        self.rows.lines.reserve(rows);
    }

    fn fold(&mut self, _: &SheetInfo, row: u32, parsed: AnnualRow, _: &mut Errors) {
        let rows = &mut *self.rows;
        if rows.years_seen.is_empty() {
            rows.years_seen = vec![[0; 3]; self.slots];
        }
        let AnnualRow { slot, annual, extras } = parsed;
        let bit = (annual.year - MIN_YEAR) as usize;
        let seen = &mut rows.years_seen[slot as usize][bit / 64];
        if *seen & (1 << (bit % 64)) != 0 {
            rows.repeats.push((row, slot, annual.year));
            return;
        }
        *seen |= 1 << (bit % 64);
        let at = |(fact, value)| (slot, Extra { at: ExtraAt::Year(annual.year), fact, value });
        rows.extras.extend(extras.into_iter().map(at));
        rows.rows.push(annual);
        rows.slots.push(slot);
        rows.lines.push(row);
    }

    /// A repeated (enterprise, year) is reported at the repeating row, naming the first.
    fn finish(&mut self, sheet: &SheetInfo, errors: &mut Errors) {
        let rows = &mut *self.rows;
        if rows.repeats.is_empty() {
            return;
        }
        let mut first: KeyMap<(u32, Year), u32> = rows.repeats.iter().map(|&(_, s, y)| ((s, y), 0)).collect();
        for ((&slot, annual), &line) in rows.slots.iter().zip(&rows.rows).zip(&rows.lines) {
            if let Some(f) = first.get_mut(&(slot, annual.year))
                && *f == 0
            {
                *f = line;
            }
        }
        for &(line, slot, year) in &rows.repeats {
            let f = first.get(&(slot, year)).copied().unwrap_or_default();
            let reason = format!("该企业{year}年的数据重复（第{f}行已有）");
            errors.at(sheet, line, ann::YEAR, &year.to_string(), reason);
        }
    }
}
