//! Three-valued (Kleene) logic: a known-false part decides a conjunction even when another
//! part is unknown.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tri {
    False,
    Unknown,
    True,
}

impl Tri {
    pub fn and(self, other: Tri) -> Tri {
        self.min(other)
    }

    pub fn or(self, other: Tri) -> Tri {
        self.max(other)
    }

    #[allow(clippy::should_implement_trait)] // `!tri` would hide the three-valued meaning
    pub fn not(self) -> Tri {
        match self {
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
            Tri::True => Tri::False,
        }
    }

    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }

    pub fn from_option(b: Option<bool>) -> Tri {
        b.map_or(Tri::Unknown, Tri::from_bool)
    }

    /// The value when known (`None`: unknown), the inverse of [`Tri::from_option`].
    pub fn known(self) -> Option<bool> {
        match self {
            Tri::True => Some(true),
            Tri::False => Some(false),
            Tri::Unknown => None,
        }
    }

    /// Chinese for explanations.
    pub fn zh(self) -> &'static str {
        match self {
            Tri::False => "否",
            Tri::Unknown => "未知",
            Tri::True => "是",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Tri::*;

    #[test]
    fn kleene_truth_tables() {
        assert_eq!(False.and(Unknown), False);
        assert_eq!(True.and(Unknown), Unknown);
        assert_eq!(True.and(True), True);
        assert_eq!(True.or(Unknown), True);
        assert_eq!(False.or(Unknown), Unknown);
        assert_eq!(Unknown.not(), Unknown);
        assert_eq!(False.not(), True);
    }
}
