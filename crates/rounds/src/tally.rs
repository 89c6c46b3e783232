//! What a round's lines add up to, and the status vocabulary the pages, the API and the CLI
//! filter by: one definition, so a total on the round page, in `/api/v1/rounds` and in
//! `lianzhang round show` is the same number.

use crate::line::Line;
use crate::round::Round;
use crate::state::{LineState, Pending, Phase};

/// The statuses a list of lines can be filtered by: (code, Chinese). `open` is any line still
/// waiting; the five after it are what an open line waits on (a line can wait on several).
pub const STATUSES: [(&str, &str); 11] = [
    ("open", "未办结"),
    ("review", "待核实"),
    ("final_amount", "待核定金额"),
    ("confirmation", "待企业确认"),
    ("credit_check", "待信用核查"),
    ("credit_hit", "信用核查命中"),
    ("ready", "可兑现"),
    ("rejected", "不予兑现"),
    ("declined", "企业放弃"),
    ("withdrawn", "异议撤下"),
    ("recommendation", "推荐"),
];

impl LineState {
    /// The state as a code: `recommendation`, `open`, `rejected`, `declined`, `withdrawn`,
    /// `ready`.
    pub fn code(&self) -> &'static str {
        match self {
            LineState::Recommendation => "recommendation",
            LineState::Open { .. } => "open",
            LineState::Rejected { .. } => "rejected",
            LineState::Declined => "declined",
            LineState::Withdrawn { .. } => "withdrawn",
            LineState::Ready { .. } => "ready",
        }
    }

    /// Whether the line has the status `code` (one of [`STATUSES`]): its state, or for an open
    /// line anything it waits on.
    pub fn has_status(&self, code: &str) -> bool {
        self.code() == code || matches!(self, LineState::Open { pending } if pending.iter().any(|p| p.code() == code))
    }

    /// The statuses of the line as a bit set over [`STATUSES`] (bit i for `STATUSES[i]`).
    pub fn status_bits(&self) -> u16 {
        STATUSES.iter().enumerate().filter(|(_, (c, _))| self.has_status(c)).fold(0, |b, (i, _)| b | 1 << i)
    }
}

/// The bit of a status code in [`LineState::status_bits`], `None` for an unknown code.
pub fn status_bit(code: &str) -> Option<u16> {
    STATUSES.iter().position(|(c, _)| *c == code).map(|i| 1 << i)
}

impl Pending {
    /// What an open line waits on, as a code: `review`, `final_amount`, `confirmation`,
    /// `credit_check`, `credit_hit`.
    pub fn code(&self) -> &'static str {
        match self {
            Pending::Review { .. } => "review",
            Pending::FinalAmount => "final_amount",
            Pending::Confirmation => "confirmation",
            Pending::CreditCheck => "credit_check",
            Pending::CreditHit(_) => "credit_hit",
        }
    }
}

/// Award lines counted (recommendations never are). Money in fen.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Award lines.
    pub lines: usize,
    /// Lines still waiting on something.
    pub open: usize,
    /// 拟兑现: what the round proposes to pay: the decided amount of a ready line, the engine's
    /// amount (a ceiling at its ceiling) of an open one; nothing for rejected, declined or
    /// withdrawn lines.
    pub proposed_fen: i64,
    /// 已核定: the decided amounts of the ready lines.
    pub ready_fen: i64,
    /// 已批准: the ready amounts once the leaders approved the round (0 while in review).
    pub approved_fen: i64,
    /// Net payments.
    pub paid_fen: i64,
    /// Open lines by what they wait on: 待核实, 待核定金额, 待企业确认, 待信用核查, 信用核查命中.
    pub review: usize,
    pub final_amount: usize,
    pub confirmation: usize,
    pub credit_check: usize,
    pub credit_hits: usize,
    /// Ready lines of a final round with something left to pay, and how much.
    pub to_pay: usize,
    pub to_pay_fen: i64,
    /// Ready lines (可兑现), and those of them paid in full (已付清).
    pub ready: usize,
    pub paid_in_full: usize,
}

impl Tally {
    /// The award lines of `round` that `keep` admits (a task force: its chain's).
    pub fn of(round: &Round, keep: impl Fn(&Line) -> bool) -> Tally {
        let mut t = Tally::default();
        for l in round.lines().filter(|l| keep(l)) {
            t.add(round, l, &round.state(l));
        }
        t
    }

    /// Counts line `l` of `round`, whose state is `state` (a recommendation adds nothing).
    pub fn add(&mut self, round: &Round, l: &Line, state: &LineState) {
        if l.is_recommendation() {
            return;
        }
        let paid = round.paid_fen(&l.key);
        self.lines += 1;
        self.paid_fen += paid;
        match state {
            LineState::Ready { amount_fen, .. } => {
                self.ready += 1;
                if *amount_fen > 0 && paid >= *amount_fen {
                    self.paid_in_full += 1;
                }
                self.proposed_fen += amount_fen;
                self.ready_fen += amount_fen;
                if *round.phase() != Phase::Review {
                    self.approved_fen += amount_fen;
                }
                if matches!(round.phase(), Phase::Final { .. }) && *amount_fen > paid {
                    self.to_pay += 1;
                    self.to_pay_fen += amount_fen - paid;
                }
            }
            LineState::Open { pending } => {
                self.open += 1;
                self.proposed_fen += l.amount_fen.unwrap_or(0);
                for p in pending {
                    match p {
                        Pending::Review { .. } => self.review += 1,
                        Pending::FinalAmount => self.final_amount += 1,
                        Pending::Confirmation => self.confirmation += 1,
                        Pending::CreditCheck => self.credit_check += 1,
                        Pending::CreditHit(_) => self.credit_hits += 1,
                    }
                }
            }
            _ => {}
        }
    }

    /// Adds another tally (the sum of two groups of lines).
    pub fn merge(&mut self, o: &Tally) {
        self.lines += o.lines;
        self.open += o.open;
        self.proposed_fen += o.proposed_fen;
        self.ready_fen += o.ready_fen;
        self.approved_fen += o.approved_fen;
        self.paid_fen += o.paid_fen;
        self.review += o.review;
        self.final_amount += o.final_amount;
        self.confirmation += o.confirmation;
        self.credit_check += o.credit_check;
        self.credit_hits += o.credit_hits;
        self.to_pay += o.to_pay;
        self.to_pay_fen += o.to_pay_fen;
        self.ready += o.ready;
        self.paid_in_full += o.paid_in_full;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_own_bit_and_open_lines_have_what_they_wait_on() {
        let open = LineState::Open { pending: vec![Pending::Confirmation, Pending::CreditCheck] };
        assert!(open.has_status("open") && open.has_status("confirmation") && open.has_status("credit_check"));
        assert!(!open.has_status("review") && !open.has_status("ready"));
        let bits = open.status_bits();
        for code in ["open", "confirmation", "credit_check"] {
            assert_ne!(bits & status_bit(code).unwrap(), 0, "{code}");
        }
        assert_eq!(bits.count_ones(), 3);
        assert_eq!(LineState::Declined.status_bits(), status_bit("declined").unwrap());
        assert_eq!(status_bit("nonsense"), None);
    }
}
