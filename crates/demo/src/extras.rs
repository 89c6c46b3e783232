//! What another county's policy adds to the demo (issue 11): its recognition kinds that Zezhou
//! does not have, placed by what their names say, and values for the facts it declares beyond
//! FACTS.md, plausible for their type and tied to the enterprise (a tax is a share of revenue, an
//! equipment purchase a share of its project's investment). Each draws from its own random
//! streams, so a Zezhou county is drawn exactly as before.

use crate::rng::Rng;
use crate::{DemoParams, Draft, maybe, money};
use lianzhang_facts::{Extra, ExtraAt, ExtraFact, ExtraPlace, ExtraType, ExtraValue, Recognition, Vocabulary, Year};
use rust_decimal::Decimal;

/// The recognition kinds the generator's Zezhou passes place.
const ZEZHOU_KINDS: &[&str] = &[
    "innovative_sme",
    "specialized_city",
    "tech_center_province",
    "tech_center_national",
    "little_giant_province",
    "little_giant_national",
    "champion_province",
    "champion_national",
];

/// How a kind of recognition the Zezhou passes do not know is held.
enum Held {
    /// An evaluation class held year by year (亩均效益评价A类): this share of above-scale
    /// enterprises each year.
    Yearly(f64),
    /// A title granted to this many enterprises a year (per 1,000 enterprises).
    Granted(f64),
}

fn held(name: &str) -> Held {
    if name.contains("A类") || name.contains("评价") {
        Held::Yearly(0.08)
    } else if name.contains("国家") {
        Held::Granted(1.5)
    } else if name.contains("省") {
        Held::Granted(4.0)
    } else {
        Held::Granted(10.0)
    }
}

/// Places the recognition kinds of the vocabulary the Zezhou passes do not know, on above-scale
/// enterprises of each year, one row per kind and year at most.
pub(crate) fn place_other_recognitions(params: &DemoParams, vocab: &Vocabulary, years: &[Year], drafts: &mut [Draft]) {
    if drafts.is_empty() {
        return;
    }
    let above = |d: &Draft, y: Year| d.annual.iter().any(|r| r.year == y && r.above_scale == Some(true));
    for (k, code) in
        vocab.recognition_kinds.iter().enumerate().filter(|(_, c)| !ZEZHOU_KINDS.contains(&c.code.as_str()))
    {
        let Some(kind) = vocab.recognition_kind_by_code(&code.code) else { continue };
        for &y in years {
            let mut rng = Rng::new(params.seed, 0xD3C1_0000 ^ ((k as u64) << 16) ^ y as u64);
            match held(&code.name) {
                Held::Yearly(share) => {
                    for d in drafts.iter_mut() {
                        if above(d, y) && rng.chance(share) {
                            d.recognitions.push(Recognition { kind, year: y });
                        }
                    }
                }
                Held::Granted(per_thousand) => {
                    let count = ((params.enterprises as f64 * per_thousand / 1000.0).round() as usize).max(1);
                    for _ in 0..count {
                        for _ in 0..8 {
                            let i = (rng.next() % drafts.len() as u64) as usize;
                            let d = &mut drafts[i];
                            if above(d, y) && !d.recognitions.iter().any(|r| r.kind == kind && r.year == y) {
                                d.recognitions.push(Recognition { kind, year: y });
                                break;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A value of declared fact `f` for something whose size is `base` yuan (revenue, investment),
/// in `year` (for years and dates); `share` is the enterprise's own share for money facts.
fn value(rng: &mut Rng, f: &ExtraFact, base: Option<f64>, share: f64, year: Year) -> Option<ExtraValue> {
    let tenth = |x: f64| Decimal::from((x * 10.0).round() as i64) / Decimal::TEN;
    Some(match f.ty {
        ExtraType::Money => ExtraValue::Money(money(base? * share * (1.0 + 0.08 * rng.normal()).max(0.2), rng)),
        ExtraType::Bool => ExtraValue::Bool(rng.chance(0.3)),
        ExtraType::Count => ExtraValue::Int(rng.int(0, 200)),
        ExtraType::Percent => ExtraValue::Decimal(tenth(rng.range(0.0, 30.0)) / Decimal::ONE_HUNDRED),
        ExtraType::Area => ExtraValue::Decimal(tenth(rng.range(10.0, 500.0))),
        ExtraType::Year => ExtraValue::Int(rng.int(2000, i64::from(year))),
        ExtraType::Date => ExtraValue::Date(jiff::civil::date(year as i16, rng.int(1, 12) as i8, rng.int(1, 28) as i8)),
        ExtraType::Code => ExtraValue::Text(rng.pick(&["A", "B", "C", "D"]).to_string()),
        ExtraType::Text => ExtraValue::Text(rng.pick(&["良好", "一般", "待改进"]).to_string()),
    })
}

/// The share of its base a money fact takes: a tax (税) 2–6% of revenue, equipment purchases
/// (设备) 30–80% of a project's investment, anything else 1–10%.
fn share(rng: &mut Rng, f: &ExtraFact) -> f64 {
    if f.name.contains('税') {
        rng.range(0.02, 0.06)
    } else if f.name.contains("设备") {
        rng.range(0.3, 0.8)
    } else {
        rng.range(0.01, 0.1)
    }
}

/// The values of the facts the policy declares, for enterprise `i`.
pub(crate) fn declared(params: &DemoParams, vocab: &Vocabulary, i: usize, d: &Draft) -> Vec<Extra> {
    let mut out = Vec::new();
    if vocab.extras.is_empty() {
        return out;
    }
    let mut rng = Rng::new(params.seed, 0xEC57_0000_0000 + i as u64);
    let last = d.annual.last().map_or(params.last_year, |r| r.year);
    for (fact, f) in vocab.extras.iter().enumerate() {
        let fact = fact as u16;
        let share = share(&mut rng, f);
        let mut put = |at: ExtraAt, v: Option<ExtraValue>, rng: &mut Rng| {
            if let Some(value) = v.and_then(|v| maybe(rng, v)) {
                out.push(Extra { at, fact, value });
            }
        };
        match f.place {
            ExtraPlace::Enterprise => {
                let v = value(&mut rng, f, Some(d.size), share, last);
                put(ExtraAt::Enterprise, v, &mut rng);
            }
            ExtraPlace::Yearly => {
                for r in &d.annual {
                    let base = r.revenue.map(|f| f.0 as f64 / 100.0);
                    let v = value(&mut rng, f, base, share, r.year);
                    put(ExtraAt::Year(r.year), v, &mut rng);
                }
            }
            ExtraPlace::Project => {
                for p in &d.projects {
                    let base = p.fixed_asset_investment.map(|f| f.0 as f64 / 100.0);
                    let v = value(&mut rng, f, base, share, p.start_year.unwrap_or(last));
                    put(ExtraAt::Project(p.project_id.clone()), v, &mut rng);
                }
            }
        }
    }
    out
}

/// Makes another county's demo show every kind of measure its policy may have (Zezhou's county
/// is tuned already and left alone): its largest enterprise grows into a flagship (revenue
/// doubling each of the last three years, so that revenue tiers are crossed one by one), and each
/// project category has a few sizeable projects completed in the last three years.
pub(crate) fn enliven(params: &DemoParams, vocab: &Vocabulary, drafts: &mut [Draft]) {
    let tuned = vocab.chains.iter().all(|c| crate::CHAIN_WEIGHTS.iter().any(|(code, _)| *code == c.code));
    if tuned || drafts.is_empty() {
        return;
    }
    let last = params.last_year;
    let recent = |d: &Draft| d.annual.iter().filter(|r| r.year >= last - 3).count() == 4;
    if let Some(flagship) =
        (0..drafts.len()).filter(|&i| recent(&drafts[i])).max_by(|&a, &b| drafts[a].size.total_cmp(&drafts[b].size))
    {
        let mut rng = Rng::new(params.seed, 0xF1A6_0000);
        for r in drafts[flagship].annual.iter_mut() {
            // 4.5亿 three years before the last, doubling each year after, 10% less each year before.
            let k = r.year - (last - 3);
            let yuan = 450_000_000.0 * if k >= 0 { 2f64.powi(k) } else { 0.9f64.powi(-k) };
            r.revenue = Some(money(yuan * rng.range(0.98, 1.02), &mut rng));
            r.above_scale = Some(true);
            r.rd_expense = Some(money(yuan * 0.025, &mut rng));
        }
    }
    for (c, category) in vocab.project_categories.iter().enumerate() {
        let mut rng = Rng::new(params.seed, 0xF1A7_0000 + c as u64);
        for k in 0..3 {
            for _ in 0..8 {
                let i = (rng.next() % drafts.len() as u64) as usize;
                let done = last - (k % 3);
                if !drafts[i].annual.iter().any(|r| r.year == done && r.above_scale == Some(true)) {
                    continue;
                }
                let inv = (8_000_000f64.ln() + rng.unit() * (60_000_000f64.ln() - 8_000_000f64.ln())).exp();
                drafts[i].projects.push(lianzhang_facts::Project {
                    project_id: format!("XM{done}-{i:07}{}", (b'A' + c as u8) as char),
                    name: format!("{}项目", category.name),
                    category: Some(lianzhang_facts::CategoryId(c as u16)),
                    fixed_asset_investment: Some(money(inv, &mut rng)),
                    start_year: Some(done - 1),
                    completed_year: Some(done),
                });
                break;
            }
        }
    }
}
