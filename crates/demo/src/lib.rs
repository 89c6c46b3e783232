//! A deterministic generator of a realistic synthetic county in the FACTS.md model: the chains
//! and their stages, enterprises with histories, chain masters with procurement, recognitions,
//! projects, and some unknown cells. It feeds the README example, the tests and the benchmarks.
//!
//! Every enterprise draws from its own random stream (seed, index), so generation is linear and
//! the result does not depend on order; a few county-wide passes then designate chain masters
//! and place the rare recognitions.
//!
//! The county follows the policy it is made for (issue 11): its chains, recognition kinds,
//! project categories and declared facts come from the vocabulary. Zezhou's own codes keep the
//! frequencies tuned for them; another county's are drawn by what their names say (a national
//! recognition is rarer than a provincial one; an evaluation class such as 亩均A类 is held year by
//! year), and its declared facts get plausible values for their type (see [`extras`]).

mod extras;
mod names;
mod rng;

use lianzhang_facts::{Annual, Dataset, DatasetBuilder, Enterprise, Fen, Project, Recognition, Uscc, Vocabulary, Year};
use rng::Rng;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoParams {
    pub enterprises: usize,
    pub seed: u64,
    pub first_year: i32,
    pub last_year: i32,
    /// The county's name, as its enterprises' names begin (`泽州县`).
    pub county: String,
}

impl Default for DemoParams {
    fn default() -> Self {
        DemoParams { enterprises: 600, seed: 2022, first_year: 2018, last_year: 2025, county: "泽州县".into() }
    }
}

/// One enterprise in this many has its 2023 row typed in 万元 (a data error to be found).
const WANYUAN_EVERY: usize = 211;

/// The above-scale line (规上): 20,000,000 yuan of revenue.
const ABOVE_SCALE_LINE: f64 = 20_000_000.0;
/// Probability that a money or yes/no cell is left empty (unknown).
const UNKNOWN_CELL: f64 = 0.012;

/// One enterprise before the county-wide passes.
pub(crate) struct Draft {
    pub(crate) enterprise: Enterprise,
    /// Revenue per year (None: no row that year).
    pub(crate) revenue: Vec<Option<f64>>,
    pub(crate) annual: Vec<Annual>,
    pub(crate) recognitions: Vec<Recognition>,
    pub(crate) projects: Vec<Project>,
    pub(crate) size: f64,
}

/// Generates the county. Deterministic: the same parameters give the same dataset.
pub fn generate(params: &DemoParams, vocab: &Vocabulary) -> Dataset {
    let years: Vec<Year> = (params.first_year..=params.last_year).collect();
    let mut drafts: Vec<Draft> = (0..params.enterprises).map(|i| draft(params, vocab, &years, i)).collect();
    designate_chain_masters(params, vocab, &years, &mut drafts);
    place_rare_recognitions(params, vocab, &years, &mut drafts);
    extras::place_other_recognitions(params, vocab, &years, &mut drafts);
    extras::enliven(params, vocab, &mut drafts);
    let extras: Vec<Vec<lianzhang_facts::Extra>> =
        drafts.iter().enumerate().map(|(i, d)| extras::declared(params, vocab, i, d)).collect();

    let mut b = DatasetBuilder::new(vocab.clone());
    b.reserve_annual(drafts.iter().map(|d| d.annual.len()).sum());
    for (d, x) in drafts.into_iter().zip(extras) {
        let u = d.enterprise.uscc;
        for e in x {
            b.extra(u, e);
        }
        b.enterprise(d.enterprise);
        for r in d.annual {
            b.annual(u, r);
        }
        for r in d.recognitions {
            b.recognition(u, r);
        }
        for p in d.projects {
            b.project(u, p);
        }
    }
    b.build().expect("the generator makes valid keys")
}

/// A unique, valid USCC for enterprise `i`: 泽州县's area code 140525 and a scrambled index.
fn uscc(seed: u64, i: usize) -> Uscc {
    const N: u64 = 31u64.pow(7);
    // An affine map modulo 31^7 with a multiplier coprime to 31 is a bijection: unique codes.
    let mut x = (i as u64).wrapping_mul(1_000_003).wrapping_add(seed % N) % N;
    let alphabet = Uscc::alphabet();
    let mut body = *b"91140525MA0000000";
    for k in (10..17).rev() {
        body[k] = alphabet[(x % 31) as usize];
        x /= 31;
    }
    Uscc::from_body(&body)
}

pub(crate) fn maybe<T>(rng: &mut Rng, v: T) -> Option<T> {
    (!rng.chance(UNKNOWN_CELL)).then_some(v)
}

/// A money cell: usually known, sometimes empty.
fn money_cell(rng: &mut Rng, yuan: f64) -> Option<Fen> {
    let m = money(yuan, rng);
    maybe(rng, m)
}

pub(crate) fn money(yuan: f64, rng: &mut Rng) -> Fen {
    // Mostly whole yuan; sometimes with fen.
    let fen = (yuan.max(0.0) * 100.0).round() as i64;
    if rng.chance(0.1) { Fen(fen) } else { Fen(fen / 100 * 100) }
}

pub(crate) const CHAIN_WEIGHTS: &[(&str, f64)] = &[
    ("steel", 0.18),
    ("chemical", 0.12),
    ("building_materials", 0.14),
    ("equipment", 0.16),
    ("casting", 0.14),
    ("food", 0.16),
    ("recycling", 0.10),
];

/// How often enterprises are members of each chain of the vocabulary: Zezhou's chains as tuned,
/// another county's evenly.
fn chain_weights(vocab: &Vocabulary) -> Vec<f64> {
    let even = 1.0 / vocab.chains.len().max(1) as f64;
    vocab.chains.iter().map(|c| CHAIN_WEIGHTS.iter().find(|(code, _)| *code == c.code).map_or(even, |w| w.1)).collect()
}

fn draft(params: &DemoParams, vocab: &Vocabulary, years: &[Year], i: usize) -> Draft {
    let mut rng = Rng::new(params.seed, i as u64);
    let chain = if rng.chance(0.8) && !vocab.chains.is_empty() {
        Some(lianzhang_facts::ChainId(rng.weighted(&chain_weights(vocab)) as u8))
    } else {
        None
    };
    let stage = chain.map(|c| {
        let n = vocab.chain_info(c).stages.len().max(1);
        rng.int(0, n as i64 - 1) as u16
    });
    let town = *rng.pick(names::towns(&params.county));
    let chain_info = chain.map(|c| vocab.chain_info(c));
    let (name, industry_code) = names::company(&mut rng, chain_info, &params.county, town);

    // Size: log-normal revenue around 8 million yuan; a fifth above the 20 million line.
    let size = (8_000_000f64.ln() + 1.25 * rng.normal()).exp();
    let established_year = if rng.chance(0.18) {
        rng.int(i64::from(params.first_year), i64::from(params.last_year)) as i32
    } else {
        rng.int(1990, i64::from(params.first_year) - 1) as i32
    };
    let established = (!rng.chance(0.05))
        .then(|| jiff::civil::date(established_year as i16, rng.int(1, 12) as i8, rng.int(1, 28) as i8));
    let strategic_emerging = match rng.unit() {
        x if x < 0.15 => Some(true),
        x if x < 0.93 => Some(false),
        _ => None,
    };
    let chain_joined_year = chain.and_then(|_| {
        if rng.chance(0.08) {
            None
        } else if rng.chance(0.12) {
            Some(2022.max(established_year))
        } else {
            Some((rng.int(2012, i64::from(params.last_year)) as i32).max(established_year))
        }
    });

    // Revenue trajectory: a random walk of growth rates; no rows before establishment; a few
    // enterprises have no rows at all, a few miss a year.
    let no_rows = rng.chance(0.02);
    let gap_year = rng.chance(0.02).then(|| *rng.pick(years));
    let mut revenue = Vec::with_capacity(years.len());
    let mut level = size * rng.range(0.6, 1.0);
    let mut growth = rng.range(-0.02, 0.12);
    for &y in years {
        growth = (0.7 * growth + 0.3 * rng.range(-0.05, 0.15) + 0.08 * rng.normal()).clamp(-0.4, 0.6);
        level *= 1.0 + growth;
        let exists = y >= established_year && !no_rows && Some(y) != gap_year;
        revenue.push(exists.then_some(level));
    }

    let mut annual = Vec::new();
    let mut above_before = false;
    for (k, &y) in years.iter().enumerate() {
        let Some(rev) = revenue[k] else { continue };
        // The statistics list follows revenue, sometimes a year late: an enterprise that crossed
        // the line may enter the list the year after (one that fell below it leaves at once, so
        // the list and the revenue do not contradict each other: see the plausibility checks).
        let late = rng.chance(0.1);
        let above = if late && !above_before { false } else { rev >= ABOVE_SCALE_LINE };
        above_before = above;
        let rd = if rev > 50_000_000.0 && rng.chance(0.8) {
            rev * rng.range(0.005, 0.035)
        } else {
            rev * rng.range(0.001, 0.01)
        };
        annual.push(Annual {
            year: y,
            revenue: money_cell(&mut rng, rev),
            above_scale: maybe(&mut rng, above),
            chain_master: Some(false), // designation is a published list: known
            local_procurement: None,
            total_procurement: None,
            rd_expense: money_cell(&mut rng, rd),
        });
    }

    // A few enterprises had their 2023 row typed in 万元 (copied from a statistics report), as
    // clerks do: the plausibility checks find them and hold their awards for review. Chosen by
    // index, so that the rest of the county is drawn exactly as before.
    if i % WANYUAN_EVERY == WANYUAN_EVERY / 2
        && let Some(row) = annual.iter_mut().find(|r| r.year == 2023)
    {
        for v in [&mut row.revenue, &mut row.rd_expense].into_iter().flatten() {
            *v = Fen(v.0 / 10_000 / 100 * 100);
        }
    }
    let recognitions = common_recognitions(&mut rng, vocab, years, &annual);
    let projects = projects(&mut rng, vocab, params, i, established_year);
    Draft {
        enterprise: Enterprise {
            uscc: uscc(params.seed, i),
            name,
            chain,
            stage,
            town: Some(town.to_string()),
            industry_code: Some(industry_code),
            strategic_emerging,
            established,
            chain_joined_year,
        },
        revenue,
        annual,
        recognitions,
        projects,
        size,
    }
}

/// The frequent recognitions: 创新型中小企业 and 市级专精特新, more likely for larger firms.
fn common_recognitions(rng: &mut Rng, vocab: &Vocabulary, years: &[Year], annual: &[Annual]) -> Vec<Recognition> {
    let mut out = Vec::new();
    let kinds = [("innovative_sme", 0.03), ("specialized_city", 0.012), ("tech_center_province", 0.003)];
    for (code, p) in kinds {
        let Some(kind) = vocab.recognition_kind_by_code(code) else { continue };
        for &y in years {
            let above = annual.iter().any(|r| r.year == y && r.above_scale == Some(true));
            let p = if above { p * 2.5 } else { p };
            if rng.chance(p) {
                out.push(Recognition { kind, year: y });
                // Re-recognition a few years later happens; it is not "first".
                if rng.chance(0.2) && y + 3 <= *years.last().unwrap_or(&y) {
                    out.push(Recognition { kind, year: y + 3 });
                }
                break;
            }
        }
    }
    out
}

fn projects(rng: &mut Rng, vocab: &Vocabulary, params: &DemoParams, i: usize, established: Year) -> Vec<Project> {
    if !rng.chance(0.1) || vocab.project_categories.is_empty() {
        return Vec::new();
    }
    // Zezhou's categories as tuned, with the names its projects go by; another county's evenly,
    // named by the category.
    const TUNED: [(&str, f64, &str); 4] = [
        ("transformation", 0.35, "技术改造"),
        ("energy_saving", 0.25, "节能降耗改造"),
        ("digital", 0.3, "智能化数字化改造"),
        ("other", 0.1, "扩建"),
    ];
    let even = 1.0 / vocab.project_categories.len().max(1) as f64;
    let tuned = |code: &str| TUNED.iter().find(|t| t.0 == code);
    let weights: Vec<f64> = vocab.project_categories.iter().map(|c| tuned(&c.code).map_or(even, |t| t.1)).collect();
    let count = if rng.chance(0.25) { 2 } else { 1 };
    (0..count)
        .map(|k| {
            let c = rng.weighted(&weights);
            let category = &vocab.project_categories[c];
            let name = tuned(&category.code).map_or(category.name.as_str(), |t| t.2);
            let start =
                (rng.int(i64::from(params.first_year) + 1, i64::from(params.last_year)) as i32).max(established);
            let done = start + rng.int(0, 2) as i32;
            // Log-uniform 1–60 million, dense around the 10 million threshold.
            let inv = (1_000_000f64.ln() + rng.unit() * (60_000_000f64.ln() - 1_000_000f64.ln())).exp();
            Project {
                project_id: format!("XM{start}-{i:07}{k}"),
                name: format!("{name}项目"),
                category: if rng.chance(0.01) { None } else { vocab.project_category(&category.code) },
                fixed_asset_investment: money_cell(rng, inv),
                start_year: Some(start),
                completed_year: (done <= params.last_year && !rng.chance(0.15)).then_some(done),
            }
        })
        .collect()
}

/// 1–2 chain masters per chain (reviewed every year; a chain now and then has 0 or 3, which the
/// dashboard warns about), the largest members, grown to the 3亿/5亿 tiers, with procurement.
fn designate_chain_masters(params: &DemoParams, vocab: &Vocabulary, years: &[Year], drafts: &mut [Draft]) {
    for (c, chain) in vocab.chains.iter().enumerate() {
        let mut members: Vec<usize> = (0..drafts.len())
            .filter(|&i| drafts[i].enterprise.chain.map(|id| id.0 as usize) == Some(c) && !drafts[i].annual.is_empty())
            .collect();
        members.sort_by(|&a, &b| drafts[b].size.total_cmp(&drafts[a].size).then(a.cmp(&b)));
        let mut rng = Rng::new(params.seed, 0xC4A1_0000 + c as u64);
        let _ = chain;
        for (rank, &i) in members.iter().take(3).enumerate() {
            make_master(&mut rng, years, &mut drafts[i], rank);
        }
    }
}

fn make_master(rng: &mut Rng, years: &[Year], d: &mut Draft, rank: usize) {
    // A revenue path from 1.5–3.5亿 growing 6–20% a year: most cross 3亿, some 5亿, some stay near.
    let mut level = rng.range(150_000_000.0, 350_000_000.0) / (1.0 + rank as f64 * 0.4);
    let mut rate = rng.range(0.12, 0.30);
    for (k, &y) in years.iter().enumerate() {
        level *= 1.0 + rng.range(0.06, 0.2);
        // Local sourcing rate: drifts, and in some years jumps by 5–15 points.
        rate = if rng.chance(0.35) { rate + rng.range(0.05, 0.15) } else { rate + rng.range(-0.03, 0.03) };
        rate = rate.clamp(0.02, 0.9);
        if d.revenue[k].is_none() {
            continue;
        }
        let Some(row) = d.annual.iter_mut().find(|r| r.year == y) else { continue };
        // Rank 0 is master every year; rank 1 in most years; rank 2 only now and then.
        let master = match rank {
            0 => true,
            1 => !rng.chance(0.15),
            _ => rng.chance(0.12),
        };
        let total = level * rng.range(0.4, 0.7);
        row.revenue = money_cell(rng, level);
        row.above_scale = maybe(rng, true);
        row.chain_master = maybe(rng, master);
        row.total_procurement = money_cell(rng, total);
        row.local_procurement = row.total_procurement.map(|t| Fen((t.0 as f64 * rate).round() as i64 / 100 * 100));
        let rd_share = rng.range(0.015, 0.05);
        row.rd_expense = money_cell(rng, level * rd_share);
    }
}

/// Rare recognitions (little giants, champions, national tech centres) placed a few per year
/// on above-scale enterprises, so each appears in the county without being common.
fn place_rare_recognitions(params: &DemoParams, vocab: &Vocabulary, years: &[Year], drafts: &mut [Draft]) {
    if drafts.is_empty() {
        return;
    }
    let per_year = |base: f64| ((params.enterprises as f64 * base).round() as usize).max(1);
    let rare = [
        ("little_giant_province", per_year(0.004)),
        ("little_giant_national", per_year(0.0015)),
        ("champion_province", per_year(0.0015)),
        ("champion_national", per_year(0.0008)),
        ("tech_center_national", per_year(0.0008)),
        ("specialized_city", per_year(0.003)),
    ];
    for (code, count) in rare {
        let Some(kind) = vocab.recognition_kind_by_code(code) else { continue };
        for &y in years {
            let mut rng = Rng::new(params.seed, 0x5EC0_0000 ^ ((kind.0 as u64) << 16) ^ y as u64);
            for _ in 0..count {
                // A few tries to land on an above-scale enterprise of that year that does not
                // hold this recognition of that year already (one row per recognition).
                for _ in 0..8 {
                    let i = (rng.next() % drafts.len() as u64) as usize;
                    let d = &mut drafts[i];
                    if d.annual.iter().any(|r| r.year == y && r.above_scale == Some(true))
                        && !d.recognitions.iter().any(|r| r.kind == kind && r.year == y)
                    {
                        d.recognitions.push(Recognition { kind, year: y });
                        break;
                    }
                }
            }
        }
    }
}
