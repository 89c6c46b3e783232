//! The plan of an import for one table: the file's rows matched by key against the registry's.

use crate::rows::{Cell, Rows, Table, key_of};
use std::collections::{HashMap, HashSet};

/// A registry row the file would change.
pub(crate) struct Change {
    /// The row's key ([`key_of`]).
    pub key: String,
    /// The registry's row as it is.
    pub old: Vec<Cell>,
    /// The file's row.
    pub new: Vec<Cell>,
    /// The columns whose values differ, in column order.
    pub cells: Vec<usize>,
}

/// What an import would do to one table.
pub(crate) struct Plan<'t> {
    pub table: &'t Table,
    /// Rows of the file the registry does not have.
    pub add: Rows,
    /// Rows of the file that differ from the registry's (empty when only new rows are wanted).
    pub change: Vec<Change>,
    /// Rows of the file identical to the registry's.
    pub unchanged: usize,
    /// Rows of the file that differ from the registry's but are left alone (only new rows).
    pub skipped: usize,
}

/// Matches `incoming` against `existing` by key. With `only_new`, rows the registry has are
/// never changed (they are counted as skipped when they differ).
pub(crate) fn plan<'t>(table: &'t Table, existing: Rows, incoming: Rows, only_new: bool) -> Plan<'t> {
    let mut by_key: HashMap<String, Vec<Cell>> = existing.into_iter().map(|r| (key_of(table, &r), r)).collect();
    let mut p = Plan { table, add: Vec::new(), change: Vec::new(), unchanged: 0, skipped: 0 };
    let mut seen = HashSet::new();
    for row in incoming {
        let key = key_of(table, &row);
        // A recognition listed twice is one recognition (its key is the whole row).
        if !seen.insert(key.clone()) {
            continue;
        }
        match by_key.remove(&key) {
            None => p.add.push(row),
            Some(old) if old == row => p.unchanged += 1,
            Some(_) if only_new => p.skipped += 1,
            Some(old) => {
                let cells = (0..row.len()).filter(|&i| old[i] != row[i]).collect();
                p.change.push(Change { key, old, new: row, cells });
            }
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::ANNUAL;

    fn row(uscc: &str, year: i64, revenue: Option<i64>) -> Vec<Cell> {
        let mut r = vec![Cell::Text(uscc.into()), Cell::Int(year), revenue.map_or(Cell::Null, Cell::Int)];
        r.extend(std::iter::repeat_n(Cell::Null, 5));
        r
    }

    #[test]
    fn rows_are_added_changed_unchanged_or_skipped_by_key() {
        let existing = vec![row("A", 2023, Some(1)), row("A", 2024, Some(2))];
        let incoming = vec![row("A", 2023, Some(1)), row("A", 2024, None), row("A", 2025, Some(3))];
        let p = plan(&ANNUAL, existing.clone(), incoming.clone(), false);
        assert_eq!((p.add.len(), p.change.len(), p.unchanged, p.skipped), (1, 1, 1, 0));
        assert_eq!(p.change[0].key, "A|2024");
        assert_eq!(p.change[0].cells, vec![2], "only the revenue differs");
        let only_new = plan(&ANNUAL, existing, incoming, true);
        assert_eq!((only_new.add.len(), only_new.change.len(), only_new.unchanged, only_new.skipped), (1, 0, 1, 1));
    }
}
