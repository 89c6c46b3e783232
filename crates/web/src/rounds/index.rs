//! The lines of a round as the pages and the API filter and sum them, computed once per round
//! state and scope and then only sliced: each line's statuses as bits, its rule, chain and town
//! as small numbers, its own [`Tally`], and the totals by rule, chain and clause.
//!
//! The store replaces a round's replayed record when an event is stored, so an index is valid
//! exactly while it holds the record the store returns ([`Arc::ptr_eq`]). A 10,000-line round
//! costs one pass over its lines per state and scope; a request then costs a pass over small
//! integers and the rendering of one page (BENCHMARKS.md, issue 10).

use super::view::{self, Conflict};
use lianzhang_rounds::{Actor, Line, Role, Tally, status_bit};
use lianzhang_store::RoundRecord;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// Who sees which lines: everyone all of them, a task force its chain's.
pub type Scope = Option<String>;

/// The scope of `actor`.
pub fn scope_of(actor: &Actor) -> Scope {
    match &actor.role {
        Role::TaskForce(chain) => Some(chain.clone()),
        _ => None,
    }
}

const NONE: u16 = u16::MAX;

struct Entry {
    /// Position in [`lianzhang_rounds::Round::line_slice`].
    pos: u32,
    /// [`lianzhang_rounds::LineState::status_bits`].
    bits: u16,
    rule: u16,
    chain: u16,
    town: u16,
    recommendation: bool,
    tally: Tally,
}

/// The filters of a lines list; empty strings filter nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Filter<'a> {
    /// `Some(true)` the recommendation list (推荐名单), `Some(false)` the award list, `None` both.
    pub list: Option<bool>,
    pub status: &'a str,
    pub rule: &'a str,
    pub chain: &'a str,
    pub town: &'a str,
}

/// A round's lines in one scope. See the module's text.
pub struct LinesIndex {
    pub record: Arc<RoundRecord>,
    entries: Vec<Entry>,
    /// Rule codes with `title（clause）`, sorted by code.
    pub rules: Vec<(String, String)>,
    /// Chain codes, sorted.
    pub chains: Vec<String>,
    pub towns: Vec<String>,
    pub award_count: usize,
    pub referral_count: usize,
    /// Of the side list, the lines that take an award back (收回).
    pub recovery_count: usize,
    /// Award-line totals: by rule code, by chain code (`None`: no chain), by clause.
    pub by_rule: Vec<(String, Tally)>,
    pub by_chain: Vec<(Option<String>, Tally)>,
    pub by_clause: Vec<(String, Tally)>,
    pub all: Tally,
    /// Conflicts with the other open rounds, with the (id, event count) of the rounds they were
    /// computed against.
    conflicts: Mutex<Option<KeptConflicts>>,
}

/// Conflicts, with the (round id, event count) of every round they were computed against.
type KeptConflicts = (Vec<(i64, usize)>, Arc<Vec<Conflict>>);

/// The position of `x` in the sorted `items` (by `key`), or [`NONE`].
fn position<T>(items: &[T], x: &str, key: impl Fn(&T) -> &str) -> u16 {
    items.binary_search_by(|i| key(i).cmp(x)).map_or(NONE, |i| i as u16)
}

impl LinesIndex {
    fn build(record: Arc<RoundRecord>, scope: &Scope) -> LinesIndex {
        let round = &record.round;
        let visible = |l: &Line| scope.as_ref().is_none_or(|c| l.chain.as_deref() == Some(c.as_str()));
        let lines: Vec<(usize, &Line)> = round.line_slice().iter().enumerate().filter(|(_, l)| visible(l)).collect();
        let mut rules: Vec<(String, String)> =
            lines.iter().map(|(_, l)| (l.key.rule.clone(), format!("{}（{}）", l.rule_title, l.clause))).collect();
        rules.sort();
        rules.dedup_by(|a, b| a.0 == b.0);
        let mut chains: Vec<String> = lines.iter().filter_map(|(_, l)| l.chain.clone()).collect();
        chains.sort();
        chains.dedup();
        let mut towns: Vec<String> = lines.iter().filter_map(|(_, l)| l.town.clone()).collect();
        towns.sort();
        towns.dedup();
        let mut by_rule: BTreeMap<String, Tally> = BTreeMap::new();
        let mut by_chain: BTreeMap<Option<String>, Tally> = BTreeMap::new();
        let mut by_clause: BTreeMap<String, Tally> = BTreeMap::new();
        let mut all = Tally::default();
        let mut entries = Vec::with_capacity(lines.len());
        let (mut award_count, mut referral_count, mut recovery_count) = (0, 0, 0);
        for (pos, l) in lines {
            let state = round.state(l);
            let mut tally = Tally::default();
            tally.add(round, l, &state);
            if l.is_recommendation() {
                referral_count += 1;
                recovery_count += usize::from(l.is_recovery());
            } else {
                award_count += 1;
                by_rule.entry(l.key.rule.clone()).or_default().merge(&tally);
                by_chain.entry(l.chain.clone()).or_default().merge(&tally);
                by_clause.entry(l.clause.clone()).or_default().merge(&tally);
                all.merge(&tally);
            }
            entries.push(Entry {
                pos: pos as u32,
                bits: state.status_bits(),
                rule: position(&rules, &l.key.rule, |r| &r.0),
                chain: l.chain.as_ref().map_or(NONE, |c| position(&chains, c, String::as_str)),
                town: l.town.as_ref().map_or(NONE, |t| position(&towns, t, String::as_str)),
                recommendation: l.is_recommendation(),
                tally,
            });
        }
        LinesIndex {
            entries,
            rules,
            chains,
            towns,
            award_count,
            referral_count,
            recovery_count,
            by_rule: by_rule.into_iter().collect(),
            by_chain: by_chain.into_iter().collect(),
            by_clause: by_clause.into_iter().collect(),
            all,
            conflicts: Mutex::new(None),
            record,
        }
    }

    /// The lines matching `f`, in key order, with their totals. An unknown status, rule, chain
    /// or town matches nothing.
    pub fn select(&self, f: Filter<'_>) -> Selection<'_> {
        let wanted = |s: &str, known: u16| {
            if s.is_empty() {
                Some(None)
            } else if known == NONE {
                None
            } else {
                Some(Some(known))
            }
        };
        let status = if f.status.is_empty() { Some(None) } else { status_bit(f.status).map(Some) };
        let rule = wanted(f.rule, position(&self.rules, f.rule, |r| &r.0));
        let chain = wanted(f.chain, position(&self.chains, f.chain, String::as_str));
        let town = wanted(f.town, position(&self.towns, f.town, String::as_str));
        let mut chosen = Vec::new();
        let mut tally = Tally::default();
        if let (Some(status), Some(rule), Some(chain), Some(town)) = (status, rule, chain, town) {
            for e in &self.entries {
                if f.list.is_some_and(|referrals| e.recommendation != referrals)
                    || status.is_some_and(|b| e.bits & b == 0)
                    || rule.is_some_and(|r| e.rule != r)
                    || chain.is_some_and(|c| e.chain != c)
                    || town.is_some_and(|t| e.town != t)
                {
                    continue;
                }
                chosen.push(e.pos);
                tally.merge(&e.tally);
            }
        }
        Selection { lines: self.record.round.line_slice(), chosen, tally }
    }

    /// The award lines of this round (in scope) whose award is also on a line of another round
    /// that is not final; recomputed only when a round changed.
    pub fn conflicts(&self, rounds: &[Arc<RoundRecord>]) -> Arc<Vec<Conflict>> {
        let signature: Vec<(i64, usize)> = rounds.iter().map(|r| (r.header.id, r.events.len())).collect();
        let mut cached = self.conflicts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((s, c)) = cached.as_ref()
            && *s == signature
        {
            return c.clone();
        }
        let positions: std::collections::HashSet<u32> = self.entries.iter().map(|e| e.pos).collect();
        let slice = self.record.round.line_slice();
        let found: Vec<Conflict> = view::conflicts(&self.record, rounds)
            .into_iter()
            .filter(|c| slice.binary_search_by(|l| l.key.cmp(&c.line)).is_ok_and(|i| positions.contains(&(i as u32))))
            .collect();
        let found = Arc::new(found);
        *cached = Some((signature, found.clone()));
        found
    }
}

/// The lines a filter chose: positions into the round's lines, and their totals.
pub struct Selection<'a> {
    lines: &'a [Line],
    chosen: Vec<u32>,
    pub tally: Tally,
}

impl<'a> Selection<'a> {
    pub fn len(&self) -> usize {
        self.chosen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chosen.is_empty()
    }

    /// Page `page` (from 1) of `per_page` lines.
    pub fn page(&self, page: usize, per_page: usize) -> impl Iterator<Item = &'a Line> + '_ {
        let lines = self.lines;
        self.chosen
            .iter()
            .skip(page.saturating_sub(1).saturating_mul(per_page))
            .take(per_page)
            .map(move |&i| &lines[i as usize])
    }
}

/// The indexes of the rounds, per round and scope (kept in the application state).
#[derive(Default)]
pub struct Indexes(Mutex<HashMap<(i64, Scope), Arc<LinesIndex>>>);

impl Indexes {
    /// The index of `record` in `scope`: the kept one while the record is the same, else a new
    /// one (built outside the lock).
    pub fn get(&self, record: &Arc<RoundRecord>, scope: &Scope) -> Arc<LinesIndex> {
        let key = (record.header.id, scope.clone());
        if let Some(i) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key)
            && Arc::ptr_eq(&i.record, record)
        {
            return i.clone();
        }
        let index = Arc::new(LinesIndex::build(record.clone(), scope));
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(key, index.clone());
        index
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lianzhang_rounds::{Event, LineKey, Outcome, Round, Settings};
    use lianzhang_store::RoundHeader;

    fn line(n: usize, chain: Option<&str>, town: &str, rule: &str, outcome: Outcome) -> Line {
        Line {
            key: LineKey { uscc: format!("91140525MA0K{n:06}"), rule: rule.into(), project_id: None },
            enterprise: format!("企业{n}"),
            chain: chain.map(str::to_string),
            town: Some(town.into()),
            clause: if rule == "r1" { "三（一）".into() } else { "三（四）".into() },
            rule_title: format!("规则{rule}"),
            outcome,
            pays: rule != "ref",
            amount_fen: (outcome == Outcome::Award).then_some(100_000 * n as i64),
            ceiling: false,
            explanation: String::new(),
            missing: Vec::new(),
        }
    }

    fn record() -> Arc<RoundRecord> {
        let chains = [Some("steel"), Some("food"), None];
        let towns = ["巴公镇", "高都镇"];
        let rules = ["r1", "r4", "ref"];
        let lines: Vec<Line> = (1..=30)
            .map(|n| {
                let outcome = match n % 5 {
                    0 => Outcome::NeedsReview,
                    _ if rules[n % 3] == "ref" => Outcome::Referral,
                    _ => Outcome::Award,
                };
                line(n, chains[n % 3], towns[n % 2], rules[n % 3], outcome)
            })
            .collect();
        let settings = Settings { year: 2024, confirmation: true, approvals: 1 };
        let bureau = Actor { username: "clerk".into(), role: Role::Bureau };
        let mut round = Round::new(settings);
        round.apply(&bureau, &Event::Refreshed { revision: 1, lines }).unwrap();
        let header = RoundHeader {
            id: 1,
            year: 2024,
            name: "测试批次".into(),
            created_at: String::new(),
            created_by: "clerk".into(),
            policy_hash: String::new(),
            policy_id: String::new(),
            confirmation: true,
            approvals: 1,
            publicity_days: 5,
            objection_to: String::new(),
        };
        Arc::new(RoundRecord { header, revisions: Vec::new(), events: Vec::new(), round, award_keys: HashMap::new() })
    }

    #[test]
    fn a_selection_is_the_lines_a_plain_filter_finds_with_their_tally() {
        let r = record();
        let round = &r.round;
        for scope in [None, Some("steel".to_string())] {
            let index = LinesIndex::build(r.clone(), &scope);
            for list in [None, Some(true), Some(false)] {
                for status in ["", "open", "review", "confirmation", "recommendation", "ready", "nonsense"] {
                    for rule in ["", "r1", "ref", "r9"] {
                        for chain in ["", "steel", "food"] {
                            for town in ["", "巴公镇", "某镇"] {
                                let f = Filter { list, status, rule, chain, town };
                                let sel = index.select(f);
                                let want: Vec<&Line> = round
                                    .lines()
                                    .filter(|l| scope.as_ref().is_none_or(|c| l.chain.as_deref() == Some(c)))
                                    .filter(|l| list.is_none_or(|rec| l.is_recommendation() == rec))
                                    .filter(|l| status.is_empty() || round.state(l).has_status(status))
                                    .filter(|l| rule.is_empty() || l.key.rule == rule)
                                    .filter(|l| chain.is_empty() || l.chain.as_deref() == Some(chain))
                                    .filter(|l| town.is_empty() || l.town.as_deref() == Some(town))
                                    .collect();
                                let got: Vec<&Line> = sel.page(1, usize::MAX).collect();
                                assert_eq!(got, want, "{f:?} in {scope:?}");
                                let keys: Vec<&LineKey> = want.iter().map(|l| &l.key).collect();
                                assert_eq!(sel.tally, Tally::of(round, |l| keys.contains(&&l.key)), "{f:?}");
                            }
                        }
                    }
                }
            }
            let shown: Vec<&Line> =
                round.lines().filter(|l| scope.as_ref().is_none_or(|c| l.chain.as_deref() == Some(c))).collect();
            assert_eq!(index.all, Tally::of(round, |l| shown.iter().any(|s| s.key == l.key)));
            assert_eq!(index.award_count + index.referral_count, shown.len());
        }
    }
}
