//! Each rule kind's condition and amount, written once for both the fast path and the
//! explained path (see [`Trace`]).

use crate::engine::ctx::{Ctx, Trace, describe_money, flag_of, money_of};
use crate::engine::facts::{FactKey, FactValue};
use crate::engine::text::{
    decisive_dp, fen_exact, fixed, money_exact, money_vs, percent_short, percent_vs, plain, rate, rounded_step,
};
use crate::engine::{round, rounding_zh};
use crate::model::{FlagFact, MoneyFact, RetentionCounting, SourcingBaseline, SourcingCounting};
use crate::tri::Tri;
use lianzhang_facts::{CategoryId, Fen, KindId, Project, Year};
use rust_decimal::Decimal;

/// The exact rational `m / 10^s` of a decimal, for integer cross-multiplication.
fn ratio(d: Decimal) -> (i128, i128) {
    (d.mantissa(), 10i128.pow(d.scale()))
}

/// 首次达到: requires in Y, fact(Y) ≥ threshold, and in no earlier year.
pub fn first_reach<T: Trace>(ctx: &Ctx, fact: MoneyFact, threshold: Fen, requires: &[FlagFact], t: &mut T) -> Tri {
    let mut acc = ctx.requires(requires, t);
    if acc == Tri::False {
        return acc;
    }
    let y = ctx.year;
    let now = match ctx.money(fact, y, t) {
        Some(v) => {
            t.step(|| format!("{y}年{}：{}", fact.name_zh(), money_vs(v, threshold)));
            Tri::from_bool(v >= threshold)
        }
        None => {
            let word = if ctx.doubt(fact.code(), y, None).is_some() { "存疑" } else { "未知" };
            t.step(|| format!("{y}年{}{word}", fact.name_zh()));
            Tri::Unknown
        }
    };
    acc = acc.and(now);
    if acc == Tri::False {
        return acc;
    }
    let pred = |r: &lianzhang_facts::Annual| money_of(r, fact).map(|v| v >= threshold);
    let describe = |r: &lianzhang_facts::Annual| describe_money(r, fact, threshold);
    let unknown = |yr: Year| format!("{yr}年{}", fact.name_zh());
    let never = ctx.never_before(y, fact.code(), &pred, &describe, &unknown, t);
    t.step(|| match never {
        Tri::True => format!("此前任何年度均未达到{}", money_exact(threshold.to_yuan())),
        Tri::False => format!("此前已有年度达到{}，非首次", money_exact(threshold.to_yuan())),
        Tri::Unknown => "此前是否达到无法确定".to_string(),
    });
    acc.and(never)
}

/// 首次纳入: the fact is true in `year` and in no earlier year.
pub(crate) fn entry<T: Trace>(ctx: &Ctx, fact: FlagFact, year: Year, t: &mut T) -> Tri {
    let now = ctx.flag(fact, year, t);
    t.step(|| format!("{year}年{}：{}", fact.name_zh(), ctx.flag_zh(fact, year, now)));
    if now == Tri::False {
        t.fact(FactKey::Entry { fact, year }, FactValue::Flag(now));
        return now;
    }
    let pred = |r: &lianzhang_facts::Annual| flag_of(r, fact);
    let describe = |r: &lianzhang_facts::Annual| format!("{}年{}", r.year, Tri::from_option(flag_of(r, fact)).zh());
    let unknown = |yr: Year| format!("{yr}年{}", fact.name_zh());
    let never = ctx.never_before(year, fact.code(), &pred, &describe, &unknown, t);
    t.step(|| match never {
        Tri::True => format!("{year}年以前从未{}", fact.name_zh()),
        Tri::False => format!("{year}年以前曾{}，非首次", fact.name_zh()),
        Tri::Unknown => format!("{year}年以前是否{}无法确定", fact.name_zh()),
    });
    let v = now.and(never);
    t.fact(FactKey::Entry { fact, year }, FactValue::Flag(v));
    v
}

pub fn first_entry<T: Trace>(ctx: &Ctx, fact: FlagFact, requires: &[FlagFact], t: &mut T) -> Tri {
    let e = entry(ctx, fact, ctx.year, t);
    if e == Tri::False {
        return e;
    }
    e.and(ctx.requires(requires, t))
}

/// 连续未退出: entry year E, and the fact true in every year E+1..=Y.
pub fn retention<T: Trace>(
    ctx: &Ctx,
    fact: FlagFact,
    years: i32,
    counting: RetentionCounting,
    min_entry_year: Year,
    t: &mut T,
) -> Tri {
    let y = ctx.year;
    let e = match counting {
        RetentionCounting::AfterEntry => y - years,
        RetentionCounting::IncludingEntry => y - years + 1,
    };
    t.step(|| match counting {
        RetentionCounting::AfterEntry => format!("首次纳入年度：须为{e}年（{y}年为纳入后第{years}年）"),
        RetentionCounting::IncludingEntry => format!("首次纳入年度：须为{e}年（含纳入当年共{years}年）"),
    });
    if e < min_entry_year {
        t.step(|| format!("{e}年早于{min_entry_year}年：该年纳入的企业不在本政策奖励范围"));
        return Tri::False;
    }
    // Most enterprises are not in the list this year: decide that before the history.
    if !T::ON && ctx.flag(fact, y, t) == Tri::False {
        return Tri::False;
    }
    // One fact, one value (POLICY.md): whether E was the first year is judged exactly as the
    // entry rule judges it when assessing E (the history rule with Y = E), never with the
    // history of the year assessed now.
    let mut acc = entry(&ctx.at(e), fact, e, t);
    for yr in e + 1..=y {
        if acc == Tri::False {
            break;
        }
        let v = ctx.flag(fact, yr, t);
        t.step(|| format!("{yr}年{}：{}", fact.name_zh(), ctx.flag_zh(fact, yr, v)));
        acc = acc.and(v);
    }
    acc
}

/// The procurement of a year: `Some(Some((local, total)))` a rate exists, `Some(None)` none
/// exists (total 0, or before F with a known history), `None` unknown.
type Rate = Option<Option<(Fen, Fen)>>;

fn procurement<T: Trace>(ctx: &Ctx, year: Year, t: &mut T) -> Rate {
    let v = procurement_value(ctx, year, t);
    t.fact(FactKey::Procurement { year }, FactValue::Procurement(v));
    v
}

/// The procurement of one year. A year before F is judged as when assessing that year (one
/// fact, one value): no rate only for an enterprise established recently.
fn procurement_value<T: Trace>(ctx: &Ctx, year: Year, t: &mut T) -> Rate {
    pre_first_or_row(ctx, year, ctx.established_recently, t)
}

/// The years before F taken together, as the best-prior baseline of the assessed year sees them:
/// part of that year's history judgment, so the history rule applies with Y = the assessed year.
fn procurement_before_first<T: Trace>(ctx: &Ctx, year: Year, t: &mut T) -> Rate {
    pre_first_or_row(ctx, year, ctx.pre_known, t)
}

fn pre_first_or_row<T: Trace>(ctx: &Ctx, year: Year, pre_known: bool, t: &mut T) -> Rate {
    if ctx.first.is_none_or(|f| year < f) {
        if pre_known {
            return Some(None);
        }
        t.missing(|| format!("{year}年配套采购数据（无该年及更早数据）"));
        return None;
    }
    // A total of 0 has no rate whatever the local part is (POLICY.md: the total must be > 0).
    let tot = ctx.money(MoneyFact::TotalProcurement, year, t);
    if tot.is_some_and(|tot| tot.0 <= 0) {
        return Some(None);
    }
    let l = ctx.money(MoneyFact::LocalProcurement, year, t);
    match (l, tot) {
        (Some(l), Some(tot)) => Some(Some((l, tot))),
        _ => None,
    }
}

fn rate_of(l: Fen, tot: Fen) -> Decimal {
    Decimal::from(l.0) / Decimal::from(tot.0)
}

/// 本地配套率提高: returns the condition and, when it holds, the unrounded subsidy.
#[allow(clippy::too_many_arguments)] // the rule's parameters, one each
pub fn local_sourcing<T: Trace>(
    ctx: &Ctx,
    requires: &[FlagFact],
    min_rise_points: Decimal,
    step_points: Decimal,
    counting: SourcingCounting,
    baseline: SourcingBaseline,
    sub_rate: Decimal,
    cap: Fen,
    t: &mut T,
) -> (Tri, Option<Decimal>) {
    let acc = ctx.requires(requires, t);
    if acc == Tri::False {
        return (acc, None);
    }
    let y = ctx.year;
    let now = procurement(ctx, y, t);
    let (now_state, now_rate) = match now {
        Some(Some((l, tot))) => {
            t.step(|| {
                format!("{y}年本地配套率 = {} ÷ {} = {}", fen_exact(l), fen_exact(tot), percent_short(rate_of(l, tot)))
            });
            (Tri::True, Some((l, tot)))
        }
        Some(None) => {
            t.step(|| format!("{y}年配套采购总额为0，无配套率"));
            (Tri::False, None)
        }
        None => {
            let doubtful = ["local_procurement", "total_procurement"].iter().any(|f| ctx.doubt(f, y, None).is_some());
            let word = if doubtful { "存疑" } else { "未知" };
            t.step(|| format!("{y}年本地配套率无法计算（采购数据{word}）"));
            (Tri::Unknown, None)
        }
    };
    let acc = acc.and(now_state);
    if acc == Tri::False {
        return (acc, None);
    }
    // Baseline: the best known earlier rate; unknown when a year it ranges over is unknown.
    let years: Vec<Year> = match baseline {
        SourcingBaseline::PreviousYear => vec![y - 1],
        SourcingBaseline::BestPrior => {
            let start = ctx.first.map_or(y, |f| f.min(y));
            let mut v: Vec<Year> = (start..y).collect();
            v.insert(0, start - 1); // stands for the years before F
            v
        }
    };
    let mut base_unknown = false;
    let mut best: Option<(Year, Fen, Fen)> = None;
    let first = ctx.first.unwrap_or(y);
    for yr in years {
        let read = if baseline == SourcingBaseline::BestPrior && yr < first {
            procurement_before_first(ctx, yr, t)
        } else {
            procurement(ctx, yr, t)
        };
        match read {
            None => base_unknown = true,
            Some(None) => {}
            Some(Some((l, tot))) => {
                let better =
                    best.is_none_or(|(_, bl, bt)| (l.0 as i128) * (bt.0 as i128) > (bl.0 as i128) * (tot.0 as i128));
                if better {
                    best = Some((yr, l, tot));
                }
            }
        }
    }
    let base_state = if base_unknown { Tri::Unknown } else { Tri::from_bool(best.is_some()) };
    if T::ON {
        match (&best, baseline) {
            (Some((yr, l, tot)), b) => t.step(|| {
                let label = if b == SourcingBaseline::BestPrior { "此前最高" } else { "上年" };
                format!(
                    "基期（{label}，{yr}年）配套率 = {} ÷ {} = {}",
                    fen_exact(*l),
                    fen_exact(*tot),
                    percent_short(rate_of(*l, *tot))
                )
            }),
            (None, _) if !base_unknown => t.step(|| "基期无配套率（无采购数据或采购总额为0）".to_string()),
            _ => t.step(|| "基期配套率无法确定".to_string()),
        }
    }
    let (rise, counted) = match (now_rate, best) {
        (Some((l, tot)), Some((_, bl, bt))) => {
            // Δ points = 100 (L/T − Lb/Tb) = num / den, exactly.
            let num = 100 * ((l.0 as i128) * (bt.0 as i128) - (bl.0 as i128) * (tot.0 as i128));
            let den = (tot.0 as i128) * (bt.0 as i128);
            let (mm, ms) = ratio(min_rise_points);
            let holds = num * ms >= mm * den;
            t.step(|| {
                let delta = Decimal::from_i128_with_scale(num, 0) / Decimal::from_i128_with_scale(den, 0);
                let cmp = if holds { "≥" } else { "＜" };
                let dp = decisive_dp(delta, min_rise_points, 2);
                format!("提高 {} 个百分点 {cmp} {} 个百分点", fixed(delta, dp, 2), plain(min_rise_points))
            });
            (Tri::from_bool(holds), holds.then_some((num, den)))
        }
        _ => (Tri::Unknown, None),
    };
    let cond = acc.and(base_state).and(rise);
    if cond != Tri::True {
        return (cond, None);
    }
    let (num, den) = counted.expect("rise holds");
    let (_, tot) = now_rate.expect("rate exists");
    let total_yuan = tot.to_yuan();
    let matching = match counting {
        SourcingCounting::WholeSteps => {
            let (sm, ss) = ratio(step_points);
            let steps = (num * ss) / (sm * den);
            let points = Decimal::from_i128_with_scale(steps, 0) * step_points;
            t.step(|| format!("按整{}个百分点计入 {} 个百分点", plain(step_points), plain(points)));
            let m = points / Decimal::ONE_HUNDRED * total_yuan;
            t.step(|| format!("相应采购额 = {}% × {} = {}", plain(points), fen_exact(tot), money_exact(m)));
            m
        }
        SourcingCounting::Exact => {
            // Δ/100 × T = (L·Tb − Lb·T) / Tb fen: one division, rounded once at the end.
            let tb = den / (tot.0 as i128);
            let m = Decimal::from_i128_with_scale(num / 100, 2) / Decimal::from_i128_with_scale(tb, 0);
            t.step(|| format!("按实际增幅计入，相应采购额 = {}", money_exact(round(ctx.policy, m))));
            m
        }
    };
    let raw = matching * sub_rate;
    let amount = raw.min(cap.to_yuan());
    t.step(|| {
        let capped = if raw > cap.to_yuan() { format!("，超过上限按{}", fen_exact(cap)) } else { String::new() };
        let shown_matching = match counting {
            SourcingCounting::WholeSteps => money_exact(matching),
            SourcingCounting::Exact => money_exact(round(ctx.policy, matching)),
        };
        format!(
            "补助 = {} × {shown_matching} = {}{capped}",
            rate(sub_rate),
            rounded_step(raw, round(ctx.policy, raw), rounding_zh(ctx.policy))
        )
    });
    (Tri::True, Some(amount))
}

/// The year of the enterprise's first recognition of `kind`, if any.
pub fn first_recognition_year(recognitions: &[lianzhang_facts::Recognition], kind: KindId) -> Option<Year> {
    // Sorted by (kind, year): the first match is the earliest.
    recognitions.iter().find(|r| r.kind == kind).map(|r| r.year)
}

pub fn first_recognition<T: Trace>(ctx: &Ctx, kind: KindId, t: &mut T) -> Tri {
    let name = &ctx.policy.vocabulary.kind_info(kind).name;
    let y = ctx.year;
    match first_recognition_year(ctx.facts.recognitions, kind) {
        Some(first) if first == y => {
            t.step(|| format!("{y}年认定为{name}，此前无该项认定（首次）"));
            Tri::True
        }
        Some(first) if first < y => {
            t.step(|| format!("{first}年已首次认定为{name}，{y}年非首次"));
            Tri::False
        }
        _ => {
            t.step(|| format!("{y}年无{name}认定"));
            Tri::False
        }
    }
}

/// 三（六）: requires, expense ≥ min, growth over Y−1 ≥ g%, expense / revenue ≥ s%.
pub fn research_referral<T: Trace>(
    ctx: &Ctx,
    requires: &[FlagFact],
    min_expense: Fen,
    min_growth_percent: Decimal,
    min_intensity_percent: Decimal,
    t: &mut T,
) -> Tri {
    let mut acc = ctx.requires(requires, t);
    if acc == Tri::False {
        return acc;
    }
    let y = ctx.year;
    let rd = ctx.money(MoneyFact::RdExpense, y, t);
    let expense = match rd {
        Some(v) => {
            t.step(|| format!("{y}年研发投入：{}", money_vs(v, min_expense)));
            Tri::from_bool(v >= min_expense)
        }
        None => Tri::Unknown,
    };
    acc = acc.and(expense);
    if acc == Tri::False {
        return acc;
    }
    let prev = ctx.money(MoneyFact::RdExpense, y - 1, t);
    let growth = match (rd, prev) {
        (Some(v), Some(p)) => {
            let (gm, gs) = ratio(min_growth_percent);
            let holds = (v.0 as i128) * 100 * gs >= (p.0 as i128) * (100 * gs + gm);
            t.step(|| {
                let g = if p.0 > 0 {
                    percent_vs(Decimal::from(v.0 - p.0) / Decimal::from(p.0), min_growth_percent)
                } else {
                    format!("（上年为0）{} {}%", if holds { "≥" } else { "＜" }, plain(min_growth_percent))
                };
                format!("较{}年（{}）增长 {g}", y - 1, fen_exact(p))
            });
            Tri::from_bool(holds)
        }
        _ => Tri::Unknown,
    };
    acc = acc.and(growth);
    if acc == Tri::False {
        return acc;
    }
    let revenue = ctx.money(MoneyFact::Revenue, y, t);
    let intensity = match (rd, revenue) {
        (Some(v), Some(r)) => {
            let (sm, ss) = ratio(min_intensity_percent);
            let holds = (v.0 as i128) * 100 * ss >= (r.0 as i128) * sm;
            t.step(|| {
                let share = if r.0 > 0 {
                    percent_vs(Decimal::from(v.0) / Decimal::from(r.0), min_intensity_percent)
                } else {
                    format!("—（营业收入为0）{} {}%", if holds { "≥" } else { "＜" }, plain(min_intensity_percent))
                };
                format!("占营业收入（{}）{share}", fen_exact(r))
            });
            Tri::from_bool(holds)
        }
        _ => Tri::Unknown,
    };
    acc.and(intensity)
}

/// 三（七）: one project completed in Y. Returns the condition and the unrounded ceiling.
#[allow(clippy::too_many_arguments)] // the rule's parameters, one each
pub fn project<T: Trace>(
    ctx: &Ctx,
    p: &Project,
    categories: &[CategoryId],
    threshold_categories: &[CategoryId],
    threshold: Fen,
    sub_rate: Decimal,
    cap: Fen,
    t: &mut T,
) -> (Tri, Option<Decimal>) {
    let vocab = &ctx.policy.vocabulary;
    let y = ctx.year;
    t.step(|| format!("项目“{}”（{}）{y}年竣工投产", p.name, p.project_id));
    let Some(cat) = p.category else {
        t.missing(|| format!("项目{}的类别", p.project_id));
        t.step(|| "项目类别未知".to_string());
        return (Tri::Unknown, None);
    };
    let cat_name = &vocab.category_info(cat).name;
    if !categories.contains(&cat) {
        t.step(|| format!("类别为“{cat_name}”，不在补助范围"));
        return (Tri::False, None);
    }
    let Some(inv) = p.fixed_asset_investment else {
        t.missing(|| format!("项目{}的固定资产投资", p.project_id));
        t.step(|| format!("类别为“{cat_name}”，固定资产投资未知"));
        return (Tri::Unknown, None);
    };
    if let Some((f, i)) = ctx.doubt("fixed_asset_investment", y, Some(&p.project_id)) {
        t.missing(|| f.reason_for(i));
        t.step(|| format!("类别为“{cat_name}”，固定资产投资 {}，存疑（{}）", fen_exact(inv), f.title));
        return (Tri::Unknown, None);
    }
    if threshold_categories.contains(&cat) {
        let holds = inv >= threshold;
        t.step(|| format!("类别为“{cat_name}”，固定资产投资 {}", money_vs(inv, threshold)));
        if !holds {
            return (Tri::False, None);
        }
    } else {
        t.step(|| format!("类别为“{cat_name}”（无投资门槛），固定资产投资 {}", fen_exact(inv)));
    }
    let raw = inv.to_yuan() * sub_rate;
    let amount = raw.min(cap.to_yuan());
    t.step(|| {
        let capped = if raw > cap.to_yuan() {
            format!("，超过单个项目上限按{}", fen_exact(cap))
        } else {
            String::new()
        };
        format!(
            "补助上限 = {} × {} = {}{capped}",
            fen_exact(inv),
            rate(sub_rate),
            rounded_step(raw, round(ctx.policy, raw), rounding_zh(ctx.policy))
        )
    });
    (Tri::True, Some(amount))
}
