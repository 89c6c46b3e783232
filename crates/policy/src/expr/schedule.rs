//! Schedules (档位表): an amount or a rate by band of a number, and progressive brackets. A band
//! includes its lower bound and excludes its upper (`2000万元（含）至5000万元`; POLICY.md reads
//! 以上 as inclusive); an open end is `None`.

use rust_decimal::Decimal;

/// One band: `[from, to)` and its value (an amount in yuan, or a rate as a fraction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    pub from: Option<Decimal>,
    pub to: Option<Decimal>,
    pub value: Decimal,
}

impl Band {
    pub fn contains(&self, x: Decimal) -> bool {
        self.from.is_none_or(|f| x >= f) && self.to.is_none_or(|t| x < t)
    }
}

/// A schedule: its bands in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub bands: Vec<Band>,
}

impl Schedule {
    /// The first band `x` falls in, if any (below the lowest band: none).
    pub fn band(&self, x: Decimal) -> Option<&Band> {
        self.bands.iter().find(|b| b.contains(x))
    }

    /// Progressive brackets: each band's rate on the part of `x` within it, with each part
    /// (band, the part, the amount) for the explanation. A band without a lower bound starts at 0.
    pub fn brackets(&self, x: Decimal) -> (Decimal, Vec<(&Band, Decimal, Decimal)>) {
        let mut total = Decimal::ZERO;
        let mut parts = Vec::new();
        for b in &self.bands {
            let from = b.from.unwrap_or(Decimal::ZERO);
            let upto = b.to.map_or(x, |t| t.min(x));
            if upto > from {
                let part = upto - from;
                let amount = part * b.value;
                total += amount;
                parts.push((b, part, amount));
            }
        }
        (total, parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn qinglan_entry() -> Schedule {
        // 第一条: 2000万（含）至5000万 10万; 5000万（含）至1亿 15万; 1亿（含）以上 20万.
        Schedule {
            bands: vec![
                Band { from: Some(dec!(20000000)), to: Some(dec!(50000000)), value: dec!(100000) },
                Band { from: Some(dec!(50000000)), to: Some(dec!(100000000)), value: dec!(150000) },
                Band { from: Some(dec!(100000000)), to: None, value: dec!(200000) },
            ],
        }
    }

    #[test]
    fn a_band_includes_its_lower_bound_and_not_its_upper() {
        let s = qinglan_entry();
        assert_eq!(s.band(dec!(19999999.99)), None);
        assert_eq!(s.band(dec!(20000000)).unwrap().value, dec!(100000));
        assert_eq!(s.band(dec!(49999999.99)).unwrap().value, dec!(100000));
        assert_eq!(s.band(dec!(50000000)).unwrap().value, dec!(150000));
        assert_eq!(s.band(dec!(100000000)).unwrap().value, dec!(200000));
        assert_eq!(s.band(dec!(9000000000)).unwrap().value, dec!(200000));
    }

    #[test]
    fn brackets_tax_each_part_at_its_own_rate() {
        let s = Schedule {
            bands: vec![
                Band { from: None, to: Some(dec!(1000000)), value: dec!(0.10) },
                Band { from: Some(dec!(1000000)), to: Some(dec!(5000000)), value: dec!(0.05) },
                Band { from: Some(dec!(5000000)), to: None, value: dec!(0.02) },
            ],
        };
        assert_eq!(s.brackets(dec!(500000)).0, dec!(50000));
        assert_eq!(s.brackets(dec!(3000000)).0, dec!(100000) + dec!(100000));
        assert_eq!(s.brackets(dec!(6000000)).0, dec!(100000) + dec!(200000) + dec!(20000));
        assert_eq!(s.brackets(dec!(6000000)).1.len(), 3);
        assert_eq!(s.brackets(Decimal::ZERO).0, Decimal::ZERO);
    }
}
