//! Totals of a list: count, enterprises, amount, and a subtotal per clause.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::{PublicList, PublicityError};

/// The totals printed under the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Number of lines (奖励事项).
    pub lines: usize,
    /// Number of distinct enterprises (by USCC).
    pub enterprises: usize,
    /// Sum of the amounts, in fen.
    pub amount_fen: i64,
    /// One subtotal per clause, in the order the clauses first appear in the list.
    pub clauses: Vec<ClauseTotal>,
}

/// The subtotal of one clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseTotal {
    /// The clause, e.g. `第三条第（一）项`.
    pub clause: String,
    /// The distinct rule titles under it, in order of first appearance.
    pub rule_titles: Vec<String>,
    /// Number of lines under it.
    pub lines: usize,
    /// Sum of its amounts, in fen.
    pub amount_fen: i64,
}

/// Counts and sums the list exactly. Errors with [`PublicityError::Overflow`] when a sum does
/// not fit in an i64 of fen.
pub fn totals(list: &PublicList) -> Result<Totals, PublicityError> {
    let overflow = |what: &str| PublicityError::Overflow { what: what.to_string() };
    let mut amount_fen: i64 = 0;
    let mut enterprises = BTreeSet::new();
    let mut clauses: Vec<ClauseTotal> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for line in &list.lines {
        amount_fen = amount_fen.checked_add(line.amount_fen).ok_or_else(|| overflow("全部奖励合计"))?;
        enterprises.insert(line.uscc.trim());
        let i = *index.entry(line.clause.as_str()).or_insert_with(|| {
            clauses.push(ClauseTotal { clause: line.clause.clone(), rule_titles: Vec::new(), lines: 0, amount_fen: 0 });
            clauses.len() - 1
        });
        let c = &mut clauses[i];
        c.lines += 1;
        c.amount_fen =
            c.amount_fen.checked_add(line.amount_fen).ok_or_else(|| overflow(&format!("{}小计", line.clause)))?;
        if !c.rule_titles.contains(&line.rule_title) {
            c.rule_titles.push(line.rule_title.clone());
        }
    }
    Ok(Totals { lines: list.lines.len(), enterprises: enterprises.len(), amount_fen, clauses })
}
