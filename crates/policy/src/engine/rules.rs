//! Each rule kind's condition and amount, written once for both the fast path and the
//! explained path (see [`Trace`]).

use crate::engine::ctx::{Ctx, Trace, describe_money, flag_of, money_of};
use crate::engine::round;
use crate::engine::text::{percent, plain, rate, yuan, yuan_dec};
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
            t.step(|| {
                let cmp = if v >= threshold { "≥" } else { "＜" };
                format!("{y}年{} {} {cmp} {}", fact.name_zh(), yuan(v), yuan(threshold))
            });
            Tri::from_bool(v >= threshold)
        }
        None => {
            t.step(|| format!("{y}年{}未知", fact.name_zh()));
            Tri::Unknown
        }
    };
    acc = acc.and(now);
    if acc == Tri::False {
        return acc;
    }
    let pred = |r: &lianzhang_facts::Annual| money_of(r, fact).map(|v| v >= threshold);
    let describe = |r: &lianzhang_facts::Annual| describe_money(r, fact);
    let unknown = |yr: Year| format!("{yr}年{}", fact.name_zh());
    let never = ctx.never_before(y, &pred, &describe, &unknown, t);
    t.step(|| match never {
        Tri::True => format!("此前任何年度均未达到{}", yuan(threshold)),
        Tri::False => format!("此前已有年度达到{}，非首次", yuan(threshold)),
        Tri::Unknown => "此前是否达到无法确定".to_string(),
    });
    acc.and(never)
}

/// 首次纳入: the fact is true in `year` and in no earlier year.
fn entry<T: Trace>(ctx: &Ctx, fact: FlagFact, year: Year, t: &mut T) -> Tri {
    let now = ctx.flag(fact, year, t);
    t.step(|| format!("{year}年{}：{}", fact.name_zh(), now.zh()));
    if now == Tri::False {
        return now;
    }
    let pred = |r: &lianzhang_facts::Annual| flag_of(r, fact);
    let describe = |r: &lianzhang_facts::Annual| format!("{}年{}", r.year, Tri::from_option(flag_of(r, fact)).zh());
    let unknown = |yr: Year| format!("{yr}年{}", fact.name_zh());
    let never = ctx.never_before(year, &pred, &describe, &unknown, t);
    t.step(|| match never {
        Tri::True => format!("{year}年以前从未{}", fact.name_zh()),
        Tri::False => format!("{year}年以前曾{}，非首次", fact.name_zh()),
        Tri::Unknown => format!("{year}年以前是否{}无法确定", fact.name_zh()),
    });
    now.and(never)
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
        RetentionCounting::AfterEntry => {
            format!("{y}年可得本项奖励的，须于 E = {e} 年首次纳入（{y}年为其后第{years}年）")
        }
        RetentionCounting::IncludingEntry => {
            format!("{y}年可得本项奖励的，须于 E = {e} 年首次纳入（含纳入当年共{years}年）")
        }
    });
    if e < min_entry_year {
        t.step(|| format!("{e}年早于{min_entry_year}年：该年纳入的企业不在本政策奖励范围"));
        return Tri::False;
    }
    // Most enterprises are not in the list this year: decide that before the history.
    if !T::ON && ctx.flag(fact, y, t) == Tri::False {
        return Tri::False;
    }
    let mut acc = entry(ctx, fact, e, t);
    for yr in e + 1..=y {
        if acc == Tri::False {
            break;
        }
        let v = ctx.flag(fact, yr, t);
        t.step(|| format!("{yr}年{}：{}", fact.name_zh(), v.zh()));
        acc = acc.and(v);
    }
    acc
}

/// The procurement of a year: `Some(Some((local, total)))` a rate exists, `Some(None)` none
/// exists (total 0, or before F with a known history), `None` unknown.
type Rate = Option<Option<(Fen, Fen)>>;

fn procurement<T: Trace>(ctx: &Ctx, year: Year, t: &mut T) -> Rate {
    if ctx.first.is_none_or(|f| year < f) {
        if ctx.pre_known {
            return Some(None);
        }
        t.missing(|| format!("{year}年配套采购数据（无该年及更早数据）"));
        return None;
    }
    let l = ctx.money(MoneyFact::LocalProcurement, year, t);
    let tot = ctx.money(MoneyFact::TotalProcurement, year, t);
    match (l, tot) {
        (Some(l), Some(tot)) => Some((tot.0 > 0).then_some((l, tot))),
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
            t.step(|| format!("{y}年本地配套率 = {} ÷ {} = {}", yuan(l), yuan(tot), percent(rate_of(l, tot))));
            (Tri::True, Some((l, tot)))
        }
        Some(None) => {
            t.step(|| format!("{y}年配套采购总额为0，无配套率"));
            (Tri::False, None)
        }
        None => {
            t.step(|| format!("{y}年本地配套率无法计算（采购数据未知）"));
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
    for yr in years {
        match procurement(ctx, yr, t) {
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
                    yuan(*l),
                    yuan(*tot),
                    percent(rate_of(*l, *tot))
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
                format!("提高 {:.2} 个百分点 {cmp} {} 个百分点", delta.round_dp(2), plain(min_rise_points))
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
            t.step(|| format!("相应采购额 = {}% × {} = {}", plain(points), yuan(tot), yuan_dec(round(ctx.policy, m))));
            m
        }
        SourcingCounting::Exact => {
            // Δ/100 × T = (L·Tb − Lb·T) / Tb fen: one division, rounded once at the end.
            let tb = den / (tot.0 as i128);
            let m = Decimal::from_i128_with_scale(num / 100, 2) / Decimal::from_i128_with_scale(tb, 0);
            t.step(|| format!("按实际增幅计入，相应采购额 = {}", yuan_dec(round(ctx.policy, m))));
            m
        }
    };
    let raw = matching * sub_rate;
    let amount = raw.min(cap.to_yuan());
    t.step(|| {
        let capped = if raw > cap.to_yuan() { format!("，超过上限按{}", yuan(cap)) } else { String::new() };
        format!(
            "补助 = {} × {} = {}{capped}",
            rate(sub_rate),
            yuan_dec(round(ctx.policy, matching)),
            yuan_dec(round(ctx.policy, raw))
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
            t.step(|| {
                format!("{y}年研发投入 {} {} {}", yuan(v), if v >= min_expense { "≥" } else { "＜" }, yuan(min_expense))
            });
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
                    percent(Decimal::from(v.0 - p.0) / Decimal::from(p.0))
                } else {
                    "（上年为0）".to_string()
                };
                format!(
                    "较{}年（{}）增长 {g}，{} {}%",
                    y - 1,
                    yuan(p),
                    if holds { "≥" } else { "＜" },
                    plain(min_growth_percent)
                )
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
                let share = if r.0 > 0 { percent(Decimal::from(v.0) / Decimal::from(r.0)) } else { "—".to_string() };
                format!(
                    "占营业收入（{}）{share}，{} {}%",
                    yuan(r),
                    if holds { "≥" } else { "＜" },
                    plain(min_intensity_percent)
                )
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
    if threshold_categories.contains(&cat) {
        let holds = inv >= threshold;
        t.step(|| {
            format!(
                "类别为“{cat_name}”，固定资产投资 {} {} {}",
                yuan(inv),
                if holds { "≥" } else { "＜" },
                yuan(threshold)
            )
        });
        if !holds {
            return (Tri::False, None);
        }
    } else {
        t.step(|| format!("类别为“{cat_name}”（无投资门槛），固定资产投资 {}", yuan(inv)));
    }
    let raw = inv.to_yuan() * sub_rate;
    let amount = raw.min(cap.to_yuan());
    t.step(|| {
        let capped =
            if raw > cap.to_yuan() { format!("，超过单个项目上限按{}", yuan(cap)) } else { String::new() };
        format!("补助上限 = {} × {} = {}{capped}", yuan(inv), rate(sub_rate), yuan_dec(round(ctx.policy, raw)))
    });
    (Tri::True, Some(amount))
}
