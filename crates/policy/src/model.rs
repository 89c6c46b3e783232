//! The typed policy: what a validated policy file says.

use lianzhang_facts::{CategoryId, Fen, KindId, Vocabulary, Year};
use rust_decimal::Decimal;

/// A validated policy, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Policy {
    pub meta: Meta,
    pub history: History,
    pub vocabulary: Vocabulary,
    /// Stage graph edges per chain (indexes into the chain's stages), `from → to`.
    pub chain_edges: Vec<Vec<(u16, u16)>>,
    pub chain_links: Vec<ChainLink>,
    pub rules: Vec<Rule>,
    pub groups: Vec<Group>,
    pub targets: Vec<Target>,
    /// One gate per rule, derived from `rules` when the policy is compiled.
    pub gates: Vec<Gate>,
    /// The plausibility checks of the `[plausibility]` section (none when it is absent).
    pub plausibility: Vec<crate::plausibility::Check>,
    /// How award rounds (兑现批次) run under this policy: the `[payout]` section.
    pub payout: Payout,
    /// Who is listed as near an award (潜在可享): the `[nearness]` section.
    pub nearness: Nearness,
    /// The facts the policy reads (`[[facts]]`; FACTS.md's columns when the file has none).
    pub facts: crate::expr::Decls,
    /// Limits across rules (`[caps]`), applied after every rule is decided.
    pub caps: Vec<Cap>,
    /// Where each declared fact is read from, in the order of `facts` (resolved once, so a
    /// formula reads a fact without matching its code).
    pub(crate) sources: Vec<crate::engine::Source>,
}

/// A limit across rules (`[caps.ID]`): what one enterprise receives in one assessed year from
/// the rules it counts is at most `amount`; the awards are met in the policy's rule order (then
/// by project id) until the limit is reached, the rest reduced (同一企业同一年度奖补总额上限).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cap {
    pub id: String,
    pub title: String,
    pub clause: String,
    /// 原文, as for [`Rule::source`].
    pub source: String,
    /// Yuan.
    pub amount: Fen,
    /// The rules (indexes) it does not count or reduce.
    pub exclude: Vec<usize>,
}

/// The `[nearness]` section (潜在可享, issue 12): how near an award an enterprise must be for the
/// lists of those one step away. Shares are fractions (0.10 = 10%); absent keys keep
/// [`Nearness::default`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nearness {
    /// A revenue tier (首次达到): listed when the year's value is at least `1 − tier_share` of the
    /// threshold and below it.
    pub tier_share: Decimal,
    /// The above-scale line (规上标准: 2,000万元 of revenue) in fen.
    pub above_scale_line: Fen,
    /// A below-scale enterprise is listed when its revenue is at least `1 − above_scale_share` of
    /// the line and grew over the year before.
    pub above_scale_share: Decimal,
    /// Local sourcing: listed when the rise of the rate is short of the minimum by at most this
    /// many percentage points (one step: 5).
    pub sourcing_points: Decimal,
    /// A research referral missing exactly one condition: listed when that value is at least
    /// `1 − referral_share` of its threshold.
    pub referral_share: Decimal,
}

impl Default for Nearness {
    fn default() -> Self {
        Nearness {
            tier_share: Decimal::new(10, 2),
            above_scale_line: Fen::yuan(20_000_000),
            above_scale_share: Decimal::new(20, 2),
            sourcing_points: Decimal::from(5),
            referral_share: Decimal::new(20, 2),
        }
    }
}

/// The `[payout]` section: the workflow parameters of an award round (兑现批次).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    /// 意愿确认: a line is payable only once the enterprise accepted it and confirmed its account.
    pub confirmation: bool,
    /// The leaders' sign-offs that approve a round (k, 1–9).
    pub approvals: u32,
    /// The 公示 period in working days on China's official calendar (1–30).
    pub publicity_days: u32,
    /// Where and how to object during the 公示 period (printed on the public list).
    pub objection_to: String,
}

impl Default for Payout {
    fn default() -> Self {
        Payout { confirmation: true, approvals: 1, publicity_days: 5, objection_to: String::new() }
    }
}

/// What the facts of the assessed year must not rule out for a rule to be worth deciding: the
/// engine's fast path (see `engine::gate`). Derived from the rules, never written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    pub needs_row: bool,
    /// Bits of [`FlagFact::bit`] that must not be known false.
    pub flags: u8,
    /// A recognition kind that must be recognised in the year.
    pub recognition: Option<u16>,
    /// The first year the rule can hold (`year >= 2024` in its conjunction; a retention whose
    /// entry year would be before the policy's first); `i32::MIN` when any.
    pub from_year: i32,
}

impl RuleKind {
    pub fn gate(&self, vocab: &Vocabulary) -> Gate {
        let bits = |fs: &[FlagFact]| fs.iter().fold(0u8, |acc, f| acc | f.bit());
        // Instalments pay shares of earlier years' awards: this year's facts rule nothing out.
        if let RuleKind::Formula { instalments, .. } = self
            && !instalments.is_empty()
        {
            return Gate { needs_row: false, flags: 0, recognition: None, from_year: i32::MIN };
        }
        if let RuleKind::Formula { when, per: crate::expr::Scope::Year, .. } = self {
            // What the condition's conjunction (through 首次) requires this year.
            let mut gate =
                Gate { needs_row: self.needs_annual_row(), flags: 0, recognition: None, from_year: i32::MIN };
            for c in when.conjuncts() {
                match &c.kind {
                    crate::expr::Kind::Fact { code, offset: 0, .. } => {
                        if let Some((_, f)) = FlagFact::ALL.iter().find(|(x, _)| x == code) {
                            gate.flags |= f.bit();
                        }
                    }
                    // `year >= N` (`year > N`): no year before N (N + 1) can hold.
                    crate::expr::Kind::Bin(op @ (crate::expr::BinOp::Ge | crate::expr::BinOp::Gt), l, r)
                        if matches!(l.kind, crate::expr::Kind::ThisYear) =>
                    {
                        if let crate::expr::Kind::Num(n, _) = &r.kind {
                            let from = if *op == crate::expr::BinOp::Ge { n.ceil() } else { n.floor() + Decimal::ONE };
                            if let Some(from) = rust_decimal::prelude::ToPrimitive::to_i32(&from) {
                                gate.from_year = gate.from_year.max(from);
                            }
                        }
                    }
                    crate::expr::Kind::Call(f, args) if f == "recognized" && gate.recognition.is_none() => {
                        if let Some(crate::expr::Kind::Str(k)) = args.first().map(|a| &a.kind) {
                            gate.recognition = vocab.recognition_kind_by_code(k).map(|k| k.0);
                        }
                    }
                    _ => {}
                }
            }
            return gate;
        }
        let (flags, recognition) = match self {
            RuleKind::FirstReach { requires, .. }
            | RuleKind::LocalSourcing { requires, .. }
            | RuleKind::ResearchReferral { requires, .. } => (bits(requires), None),
            RuleKind::FirstEntry { fact, requires, .. } => (fact.bit() | bits(requires), None),
            RuleKind::Retention { fact, .. } => (fact.bit(), None),
            RuleKind::FirstRecognition { recognition, .. } => (0, Some(recognition.0)),
            RuleKind::ProjectSubsidy { .. } | RuleKind::Formula { .. } => (0, None),
        };
        // A retention's entry year is `back` years before the year assessed, and not before the
        // minimum entry year.
        let from_year = match self {
            RuleKind::Retention { years, counting, min_entry_year, .. } => min_entry_year + counting.back(*years),
            _ => i32::MIN,
        };
        Gate { needs_row: self.needs_annual_row(), flags, recognition, from_year }
    }
}

#[derive(Debug, Clone)]
pub struct Meta {
    pub id: String,
    pub title: String,
    pub document: String,
    pub issuer: String,
    pub issued: String,
    pub effective_from: Year,
    pub effective_to: Option<Year>,
    pub rounding: Rounding,
    /// Decimal places of the final rounding (2 for 0.01 yuan).
    pub round_dp: u32,
    /// The unit amounts are rounded to, in yuan (0.01, 1, 100, …): `round_to`.
    pub round_unit: Decimal,
}

impl Meta {
    /// The county the policy is of, from its title (`青岚县促进工业经济…` → `青岚县`), for titles
    /// and the demo's names; `泽州县` when the title names none.
    pub fn county(&self) -> String {
        let t = &self.title;
        let end = t.char_indices().find(|(_, c)| matches!(c, '县' | '区' | '旗')).map(|(i, c)| i + c.len_utf8());
        match end {
            Some(e) if t[..e].chars().count() <= 6 => t[..e].to_string(),
            _ => "泽州县".to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    HalfAwayFromZero,
    HalfEven,
}

#[derive(Debug, Clone, Copy)]
pub struct History {
    /// Years before the earliest row F are "not reached" for an enterprise established in
    /// F − window or later.
    pub new_enterprise_window: i32,
}

#[derive(Debug, Clone)]
pub struct ChainLink {
    pub from: (usize, u16),
    pub to: (usize, u16),
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub clause: String,
    pub title: String,
    /// 原文: the words of the source document this rule implements, quoted as printed (the
    /// policy page shows them beside the rule); empty when the file quotes none.
    pub source: String,
    pub kind: RuleKind,
}

/// A yearly money fact of the annual sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoneyFact {
    Revenue,
    RdExpense,
    LocalProcurement,
    TotalProcurement,
}

/// A yes/no fact: yearly on the annual sheet, or of the enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagFact {
    AboveScale,
    ChainMaster,
    StrategicEmerging,
}

impl MoneyFact {
    pub const ALL: [(&'static str, MoneyFact); 4] = [
        ("revenue", MoneyFact::Revenue),
        ("rd_expense", MoneyFact::RdExpense),
        ("local_procurement", MoneyFact::LocalProcurement),
        ("total_procurement", MoneyFact::TotalProcurement),
    ];

    pub fn code(self) -> &'static str {
        Self::ALL.iter().find(|(_, f)| *f == self).map(|(c, _)| *c).unwrap_or("")
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            MoneyFact::Revenue => "营业收入",
            MoneyFact::RdExpense => "研发投入",
            MoneyFact::LocalProcurement => "本地配套采购额",
            MoneyFact::TotalProcurement => "配套采购总额",
        }
    }
}

impl FlagFact {
    pub const ALL: [(&'static str, FlagFact); 3] = [
        ("above_scale", FlagFact::AboveScale),
        ("chain_master", FlagFact::ChainMaster),
        ("strategic_emerging", FlagFact::StrategicEmerging),
    ];

    pub fn code(self) -> &'static str {
        Self::ALL.iter().find(|(_, f)| *f == self).map(|(c, _)| *c).unwrap_or("")
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            FlagFact::AboveScale => "在规上工业企业库",
            FlagFact::ChainMaster => "链主企业",
            FlagFact::StrategicEmerging => "战略性新兴产业企业",
        }
    }

    /// A bit per fact, for the engine's gates.
    pub fn bit(self) -> u8 {
        match self {
            FlagFact::AboveScale => 1,
            FlagFact::ChainMaster => 2,
            FlagFact::StrategicEmerging => 4,
        }
    }

    /// Yearly facts live on the annual row; the others on the enterprise.
    pub fn is_yearly(self) -> bool {
        !matches!(self, FlagFact::StrategicEmerging)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourcingCounting {
    /// ⌊Δ / step⌋ × step points.
    WholeSteps,
    /// Δ itself once Δ ≥ the minimum.
    Exact,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourcingBaseline {
    PreviousYear,
    BestPrior,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionCounting {
    /// The years counted are E+1..E+n.
    AfterEntry,
    /// The entry year counts: E..E+n−1.
    IncludingEntry,
}

/// What a recovery rule (收回) takes back: the award of rule `rule` (its id; `index` in the
/// policy's rules) made in one of the `within` years before the year the condition breaks, the
/// first year it breaks. The rule recovered is one-time, decided per enterprise-year, in no
/// group; its award is taken back only if the ledger shows it paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub rule: String,
    pub index: usize,
    /// Years after the award year (1..=10).
    pub within: i32,
}

impl RetentionCounting {
    /// How many years before the assessed year the entry year is, for `years` years held.
    pub fn back(self, years: i32) -> i32 {
        match self {
            RetentionCounting::AfterEntry => years,
            RetentionCounting::IncludingEntry => years - 1,
        }
    }
}

#[derive(Debug, Clone)]
pub enum RuleKind {
    /// 首次达到: requires hold in Y, fact(Y) ≥ threshold, and in no earlier year.
    FirstReach { fact: MoneyFact, threshold: Fen, requires: Vec<FlagFact>, amount: Fen },
    /// 本地配套率提高.
    LocalSourcing {
        requires: Vec<FlagFact>,
        min_rise_points: Decimal,
        step_points: Decimal,
        counting: SourcingCounting,
        baseline: SourcingBaseline,
        rate: Decimal,
        cap: Fen,
    },
    /// 首次认定: first recognition of a kind in Y.
    FirstRecognition { recognition: KindId, amount: Fen },
    /// 首次纳入: a yes/no fact true in Y and in no earlier year; requires hold.
    FirstEntry { fact: FlagFact, requires: Vec<FlagFact>, amount: Fen },
    /// 连续未退出: entry year E ≥ min_entry_year, fact true in every counted year.
    Retention { fact: FlagFact, years: i32, counting: RetentionCounting, min_entry_year: Year, amount: Fen },
    /// Recommendation for a provincial fund (not a county payment).
    ResearchReferral {
        requires: Vec<FlagFact>,
        min_expense: Fen,
        min_growth_percent: Decimal,
        min_intensity_percent: Decimal,
    },
    /// Written in the policy language (issue 11): a condition and an amount as expressions over
    /// the declared facts, checked when the file is read; `once`: one-time (首次/一次性), paid at
    /// most once per enterprise, as the ledger guards.
    /// `per`: each enterprise-year, or each project completed in the year (`per = "project"`,
    /// one-time per project); `needs_row`: the expressions read a yearly fact, so a year without
    /// its annual row is not assessed.
    Formula {
        when: Box<crate::expr::Compiled>,
        /// `None`: a referral (`outcome = "referral"`, 推荐争取上级资金), which the county does not
        /// pay.
        amount: Option<Box<crate::expr::Compiled>>,
        once: bool,
        per: crate::expr::Scope,
        needs_row: bool,
        /// 分期兑现: the award of a year paid in shares over it and the years after (fractions
        /// summing to 1; empty: all at once).
        instalments: Vec<Decimal>,
        /// The amount is a ceiling, the final one set by review (金额为上限，终值由评审确定), as
        /// the built-in project subsidy's: a round asks for the reviewed amount.
        ceiling: bool,
        /// 收回 (`outcome = "recovery"`): `when` is the break of a condition of another rule's
        /// award, and the outcome recovers that award (a negative amount); `amount` is `None`.
        recovery: Option<Recovery>,
    },
    /// Per project completed in Y: min(rate × investment, cap).
    ProjectSubsidy {
        categories: Vec<CategoryId>,
        threshold_categories: Vec<CategoryId>,
        threshold: Fen,
        rate: Decimal,
        cap: Fen,
    },
}

impl RuleKind {
    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::FirstReach { .. } => "first_reach",
            RuleKind::LocalSourcing { .. } => "local_sourcing",
            RuleKind::FirstRecognition { .. } => "first_recognition",
            RuleKind::FirstEntry { .. } => "first_entry",
            RuleKind::Retention { .. } => "retention",
            RuleKind::ResearchReferral { .. } => "research_referral",
            RuleKind::ProjectSubsidy { .. } => "project_subsidy",
            RuleKind::Formula { .. } => "formula",
        }
    }

    /// One-time awards are paid at most once per enterprise (per project) over the policy's
    /// life; the others may pay every year.
    pub fn one_time(&self) -> bool {
        match self {
            // An award in instalments pays a share each year: its ledger is kept per year.
            RuleKind::Formula { once, instalments, .. } => *once && instalments.is_empty(),
            k => !matches!(k, RuleKind::LocalSourcing { .. } | RuleKind::ResearchReferral { .. }),
        }
    }

    /// A referral (推荐): the enterprise is recommended for a higher level's funds; the county
    /// pays nothing under the rule.
    pub fn is_referral(&self) -> bool {
        matches!(self, RuleKind::ResearchReferral { .. } | RuleKind::Formula { amount: None, recovery: None, .. })
    }

    /// A recovery (收回): the outcome takes back an award paid under another rule.
    pub fn recovery(&self) -> Option<&Recovery> {
        match self {
            RuleKind::Formula { recovery, .. } => recovery.as_ref(),
            _ => None,
        }
    }

    /// Rules that turn on the annual row of the assessed year.
    pub fn needs_annual_row(&self) -> bool {
        match self {
            RuleKind::Formula { needs_row, per, instalments, .. } => {
                *needs_row && *per == crate::expr::Scope::Year && instalments.is_empty()
            }
            k => !matches!(k, RuleKind::FirstRecognition { .. } | RuleKind::ProjectSubsidy { .. }),
        }
    }

    /// Whether the rule's amount is a ceiling, the final amount set by review in a round.
    pub fn ceiling(&self) -> bool {
        matches!(self, RuleKind::ProjectSubsidy { .. } | RuleKind::Formula { ceiling: true, .. })
    }

    /// Rules decided once per project completed in the assessed year (keyed by project id).
    pub fn per_project(&self) -> bool {
        matches!(self, RuleKind::ProjectSubsidy { .. } | RuleKind::Formula { per: crate::expr::Scope::Project, .. })
    }
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub title: String,
    /// Rule indexes, low → high.
    pub rules: Vec<usize>,
    pub kind: GroupKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    /// Tiers of one measure, low → high: `highest` pays only the highest tier crossed in one
    /// year; `difference` (跨档补差, implies `highest`) pays a tier less what the lower tiers
    /// were paid in earlier years.
    Tiers { highest: bool, difference: bool },
    /// Recognition upgrade: `difference` pays the higher amount less what lower ones paid.
    Upgrade { difference: bool },
    /// Recognition levels: `once` pays only the first of them (same year: the highest).
    Levels { once: bool },
}

#[derive(Debug, Clone)]
pub struct Target {
    pub id: String,
    pub title: String,
    pub year: Year,
    pub measure: TargetMeasure,
}

#[derive(Debug, Clone)]
pub enum TargetMeasure {
    NewAboveScale {
        value: u32,
    },
    AboveScale {
        value: u32,
    },
    RecognizedInYear {
        kinds: Vec<KindId>,
        value: u32,
    },
    RecognizedBy {
        kinds: Vec<KindId>,
        value: u32,
    },
    ChainMasters {
        value: u32,
    },
    /// (chain index, target) per chain.
    NewChainMembers {
        per_chain: Vec<(usize, u32)>,
    },
}

impl Policy {
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn rule_index(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.id == id)
    }

    /// Whether the policy applies to assessment year `year`.
    pub fn in_force(&self, year: Year) -> bool {
        year >= self.meta.effective_from && self.meta.effective_to.is_none_or(|to| year <= to)
    }

    /// The group a rule belongs to, with the rule's position in it.
    pub fn group_of(&self, rule: usize) -> Option<(&Group, usize)> {
        self.groups.iter().find_map(|g| g.rules.iter().position(|&r| r == rule).map(|p| (g, p)))
    }
}
