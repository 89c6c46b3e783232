//! Rendering assessments: JSON (FACTS.md), a terminal table, CSV and an Excel workbook, and
//! the `explain` report.

use anyhow::Context as _;
use clap::ValueEnum;
use comfy_table::{CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use lianzhang_facts::typed::{csv_formula_safe, escaped};
use lianzhang_facts::{EnterpriseFacts, format_yuan};
use lianzhang_policy::plausibility::Finding as Doubt;
use lianzhang_policy::{Assessment, Finding, Outcome, Policy, RuleReport, Status};
use rust_decimal::Decimal;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

mod xlsx;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Xlsx,
}

pub struct Context<'a> {
    pub policy: &'a Policy,
    pub overrides: &'a [String],
    pub assessment: &'a Assessment,
    /// Where each fact came from, to locate findings (files only).
    pub locations: Option<&'a lianzhang_facts::Locations>,
}

pub fn write(ctx: &Context, format: Format, out: Option<&Path>) -> anyhow::Result<()> {
    if format == Format::Xlsx {
        let path = out.expect("checked by the caller");
        return xlsx::write(ctx, path).with_context(|| format!("无法写入 {}", path.display()));
    }
    let mut sink: Box<dyn Write> = match out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("无法创建 {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut sink, &json(ctx))?;
            writeln!(sink)?;
        }
        Format::Csv => csv(ctx.assessment, &mut sink)?,
        Format::Table => write!(sink, "{}", table(ctx))?,
        Format::Xlsx => unreachable!(),
    }
    sink.flush()?;
    Ok(())
}

/// Several years, one after the other: JSON as an array of the one-year objects (FACTS.md,
/// each with its `findings`), the table as one table per year.
pub fn write_years(ctxs: &[Context], format: Format, out: Option<&Path>) -> anyhow::Result<()> {
    let mut sink: Box<dyn Write> = match out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("无法创建 {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match format {
        Format::Json => {
            let all: Vec<_> = ctxs.iter().map(json).collect();
            serde_json::to_writer_pretty(&mut sink, &all)?;
            writeln!(sink)?;
        }
        Format::Table => {
            for c in ctxs {
                writeln!(sink, "{}", table(c))?;
            }
        }
        Format::Csv | Format::Xlsx => anyhow::bail!("CSV 与 xlsx 输出一次一个年度"),
    }
    sink.flush()?;
    Ok(())
}

fn money(d: Option<Decimal>) -> Option<String> {
    d.map(|d| format!("{d:.2}"))
}

#[derive(Serialize)]
struct JsonOutcome<'a> {
    uscc: String,
    enterprise: &'a str,
    rule: &'a str,
    clause: &'a str,
    status: Status,
    amount: Option<String>,
    project_id: Option<&'a str>,
    explanation: &'a str,
}

#[derive(Serialize)]
struct JsonAssessment<'a> {
    policy: &'a str,
    year: i32,
    outcomes: Vec<JsonOutcome<'a>>,
    total: String,
    /// Plausibility findings in force (warnings; outcomes that read a doubtful fact need review).
    findings: Vec<JsonFinding<'a>>,
}

/// A finding with where its facts are in the file (`年度数据:3:营业收入`, in the order of its
/// `facts`; empty when the data came from the registry or the demo).
#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    finding: &'a Doubt,
    locations: Vec<String>,
}

fn json<'a>(ctx: &Context<'a>) -> JsonAssessment<'a> {
    let a = ctx.assessment;
    JsonAssessment {
        policy: &a.policy,
        year: a.year,
        outcomes: a
            .outcomes
            .iter()
            .map(|o| JsonOutcome {
                uscc: o.uscc.to_string(),
                enterprise: &o.enterprise,
                rule: &o.rule,
                clause: &o.clause,
                status: o.status,
                amount: money(o.amount),
                project_id: o.project_id.as_deref(),
                explanation: &o.explanation,
            })
            .collect(),
        total: format!("{:.2}", a.total()),
        findings: a
            .findings
            .iter()
            .map(|f| JsonFinding {
                finding: f,
                locations: f.facts.iter().filter_map(|i| crate::findings_cmd::locate(ctx.locations, f, i)).collect(),
            })
            .collect(),
    }
}

fn csv(a: &Assessment, sink: &mut dyn Write) -> anyhow::Result<()> {
    sink.write_all("\u{feff}".as_bytes())?; // Excel opens UTF-8 only with a BOM
    let mut w = csv::Writer::from_writer(sink);
    w.write_record(["uscc", "enterprise", "rule", "clause", "status", "amount", "project_id", "explanation"])?;
    for o in &a.outcomes {
        let amount = money(o.amount).unwrap_or_default();
        // Every text cell through the formula escape: a name beginning with `=` must not run
        // when the file is opened in Excel or WPS. The amount is a number and stays one.
        let cells = [
            csv_formula_safe(o.uscc.as_str()),
            csv_formula_safe(&o.enterprise),
            csv_formula_safe(&o.rule),
            csv_formula_safe(&o.clause),
            csv_formula_safe(o.status.code()),
            amount.as_str().into(),
            csv_formula_safe(o.project_id.as_deref().unwrap_or("")),
            csv_formula_safe(&o.explanation),
        ];
        w.write_record(cells.iter().map(|c| c.as_bytes()))?;
    }
    w.flush()?;
    Ok(())
}

/// Per-rule totals: (rule id, clause, title, award count, award sum, review count, referral
/// count, already-paid count), in policy order.
pub struct RuleTotal<'a> {
    pub rule: &'a str,
    pub clause: &'a str,
    pub title: &'a str,
    pub awards: usize,
    pub amount: Decimal,
    pub reviews: usize,
    pub referrals: usize,
    pub paid: usize,
    /// 收回: paid awards to be taken back, and their sum (negative, yuan).
    pub recoveries: usize,
    pub recovered: Decimal,
}

pub fn totals<'a>(policy: &'a Policy, outcomes: &[Outcome]) -> Vec<RuleTotal<'a>> {
    policy
        .rules
        .iter()
        .map(|r| {
            let mine = outcomes.iter().filter(|o| o.rule == r.id);
            let mut t = RuleTotal {
                rule: &r.id,
                clause: &r.clause,
                title: &r.title,
                awards: 0,
                amount: Decimal::ZERO,
                reviews: 0,
                referrals: 0,
                paid: 0,
                recoveries: 0,
                recovered: Decimal::ZERO,
            };
            for o in mine {
                match o.status {
                    Status::Award => {
                        t.awards += 1;
                        t.amount += o.amount.unwrap_or_default();
                    }
                    Status::NeedsReview => t.reviews += 1,
                    Status::Referral => t.referrals += 1,
                    Status::AlreadyPaid => t.paid += 1,
                    Status::Recovery => {
                        t.recoveries += 1;
                        t.recovered += o.amount.unwrap_or_default();
                    }
                }
            }
            t
        })
        .collect()
}

fn table(ctx: &Context) -> String {
    let a = ctx.assessment;
    let p = ctx.policy;
    let mut s = format!("{}（{}） {}年度评定结果\n", p.meta.title, p.meta.document, a.year);
    if !ctx.overrides.is_empty() {
        s.push_str(&format!("参数覆盖：{}\n", ctx.overrides.join("；")));
    }
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_header(vec![
        "统一社会信用代码",
        "企业名称",
        "条款",
        "规则",
        "状态",
        "金额（元）",
        "项目编号",
    ]);
    for o in &a.outcomes {
        let title = p.rule(&o.rule).map_or(o.rule.as_str(), |r| r.title.as_str());
        // Names and ids come from the data: never raw control characters on a terminal.
        t.add_row(vec![
            o.uscc.to_string(),
            escaped(&o.enterprise).into_owned(),
            o.clause.clone(),
            title.to_string(),
            o.status.zh().to_string(),
            o.amount.map(format_yuan).unwrap_or_default(),
            escaped(o.project_id.as_deref().unwrap_or("")).into_owned(),
        ]);
    }
    if let Some(c) = t.column_mut(5) {
        c.set_cell_alignment(CellAlignment::Right);
    }
    s.push_str(&t.to_string());
    s.push_str("\n\n按规则汇总\n");
    let mut sum = Table::new();
    // Recoveries (收回) get their columns only in a year that has some.
    let recovering = a.outcomes.iter().any(|o| o.status == Status::Recovery);
    let mut header = vec!["条款", "规则", "奖励（项）", "奖励金额（元）", "待核实（项）", "推荐（项）"];
    if recovering {
        header.extend(["收回（项）", "收回金额（元）"]);
    }
    sum.load_style(UTF8_FULL_CONDENSED).set_header(header);
    for r in totals(p, &a.outcomes) {
        if r.awards + r.reviews + r.referrals + r.paid + r.recoveries == 0 {
            continue;
        }
        let mut row = vec![
            r.clause.to_string(),
            r.title.to_string(),
            r.awards.to_string(),
            format_yuan(r.amount),
            r.reviews.to_string(),
            r.referrals.to_string(),
        ];
        if recovering {
            row.extend([r.recoveries.to_string(), format_yuan(r.recovered)]);
        }
        sum.add_row(row);
    }
    let count = |st: Status| a.outcomes.iter().filter(|o| o.status == st).count();
    let mut total = vec![
        String::new(),
        "合计".to_string(),
        count(Status::Award).to_string(),
        format_yuan(a.total()),
        count(Status::NeedsReview).to_string(),
        count(Status::Referral).to_string(),
    ];
    if recovering {
        total.extend([count(Status::Recovery).to_string(), format_yuan(a.recovered())]);
    }
    sum.add_row(total);
    for i in 2..if recovering { 8 } else { 6 } {
        if let Some(c) = sum.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    s.push_str(&sum.to_string());
    let recovered =
        if recovering { format!("；应收回合计 {} 元", format_yuan(-a.recovered())) } else { String::new() };
    s.push_str(&format!(
        "\n\n共 {} 项结果；奖励合计 {} 元{recovered}。逐项理由见 `lianzhang explain --uscc 代码` 或 --format json/xlsx。\n",
        a.outcomes.len(),
        format_yuan(a.total())
    ));
    s
}

fn finding_zh(f: &Finding) -> &'static str {
    match f {
        Finding::Outcome(s) => s.zh(),
        Finding::NotEligible => "不符合",
        Finding::NotAssessed => "不评定",
        Finding::Capped => "已达上限",
    }
}

fn finding_code(f: &Finding) -> &'static str {
    match f {
        Finding::Outcome(s) => s.code(),
        Finding::NotEligible => "not_eligible",
        Finding::NotAssessed => "not_assessed",
        Finding::Capped => "capped",
    }
}

pub fn explain_text(
    p: &Policy,
    facts: EnterpriseFacts<'_>,
    year: i32,
    reports: &[RuleReport],
    findings: &[Doubt],
) -> String {
    let e = facts.enterprise;
    let chain = e.chain.map(|c| p.vocabulary.chain_info(c).name.clone()).unwrap_or_else(|| "未入链".to_string());
    let name = escaped(&e.name);
    let mut s = format!("{name}（{}） {}年度 逐条说明\n产业链：{chain}；政策：{}\n", e.uscc, year, p.meta.document);
    if !findings.is_empty() {
        s.push_str("\n数据疑点（读取这些数据的规则为“待核实”）：\n");
        for f in findings {
            s.push_str(&format!("  · {}年【{}】{}\n", f.year, f.title, escaped(&f.message)));
        }
    }
    for r in reports {
        let amount = r.amount.map(|a| format!(" {}元", format_yuan(a))).unwrap_or_default();
        let project = r.project_id.as_ref().map(|p| format!(" 项目{}", escaped(p))).unwrap_or_default();
        s.push_str(&format!("\n【{}】{} {}{project}{amount}\n", finding_zh(&r.finding), r.clause, r.title,));
        // One short line per step.
        for line in escaped(&r.explanation).replace("。结论：", "；结论：").split('；') {
            s.push_str(&format!("  {line}\n"));
        }
    }
    s
}

#[derive(Serialize)]
pub struct ExplainJson<'a> {
    policy: &'a str,
    year: i32,
    uscc: String,
    enterprise: &'a str,
    rules: Vec<ExplainRule<'a>>,
    findings: &'a [Doubt],
}

#[derive(Serialize)]
struct ExplainRule<'a> {
    rule: &'a str,
    clause: &'a str,
    title: &'a str,
    finding: &'static str,
    amount: Option<String>,
    project_id: Option<&'a str>,
    explanation: &'a str,
    missing: &'a [String],
}

pub fn explain_json<'a>(
    p: &'a Policy,
    facts: EnterpriseFacts<'a>,
    year: i32,
    reports: &'a [RuleReport],
    findings: &'a [Doubt],
) -> ExplainJson<'a> {
    ExplainJson {
        policy: &p.meta.id,
        year,
        uscc: facts.enterprise.uscc.to_string(),
        enterprise: &facts.enterprise.name,
        rules: reports
            .iter()
            .map(|r| ExplainRule {
                rule: &r.rule,
                clause: &r.clause,
                title: &r.title,
                finding: finding_code(&r.finding),
                amount: money(r.amount),
                project_id: r.project_id.as_deref(),
                explanation: &r.explanation,
                missing: &r.missing,
            })
            .collect(),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assessment(policy: &Policy, name: &str) -> Assessment {
        let rule = &policy.rules[0];
        let outcome = Outcome {
            uscc: lianzhang_facts::Uscc::parse("91140525MA0L00001M").expect("a valid USCC"),
            enterprise: name.to_string(),
            rule: rule.id.clone(),
            clause: rule.clause.clone(),
            status: Status::NeedsReview,
            amount: None,
            project_id: Some("=1+1\u{202E}".into()),
            explanation: format!("{name}：待核实"),
            missing: Vec::new(),
        };
        Assessment {
            policy: policy.meta.id.clone(),
            year: 2023,
            in_force: true,
            outcomes: vec![outcome],
            findings: Vec::new(),
        }
    }

    #[test]
    fn old_bad_text_never_reaches_a_terminal_raw_nor_a_csv_as_a_formula() {
        let policy = lianzhang_policy::PolicyFile::bundled().compile().expect("the bundled policy");
        let name = "=HYPERLINK(\"x\")\u{1b}[2J\u{0}";
        let a = assessment(&policy, name);
        let ctx = Context { policy: &policy, overrides: &[], assessment: &a, locations: None };
        let t = table(&ctx);
        assert!(!t.contains('\u{1b}') && !t.contains('\u{0}') && !t.contains('\u{202E}'), "{t}");
        assert!(t.contains("\\u{1b}[2J"), "{t}");
        let mut out = Vec::new();
        csv(&a, &mut out).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        let mut reader = ::csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        for record in reader.records() {
            for cell in record.expect("a record").iter() {
                assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell:?}");
            }
        }
        assert!(text.contains("'=HYPERLINK"), "{text}");
    }
}
