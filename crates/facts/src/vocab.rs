//! The coded vocabularies a dataset is validated against: chains and their stages, recognition
//! kinds, project categories. They come from the policy file, so another county's codes are
//! data, not code.

/// A code with its Chinese name; data may use either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub code: String,
    pub name: String,
}

/// An industrial chain (产业链) and its stages (环节), in the order the policy lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainVocab {
    pub code: String,
    pub name: String,
    pub stages: Vec<String>,
}

/// Index of a chain in [`Vocabulary::chains`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChainId(pub u8);
/// Index of a recognition kind in [`Vocabulary::recognition_kinds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KindId(pub u16);
/// Index of a project category in [`Vocabulary::project_categories`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CategoryId(pub u16);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    pub chains: Vec<ChainVocab>,
    pub recognition_kinds: Vec<Code>,
    pub project_categories: Vec<Code>,
    /// Facts the policy declares beyond FACTS.md's columns: extra columns of their sheet.
    pub extras: Vec<crate::extra::ExtraFact>,
}

fn find(codes: &[Code], text: &str) -> Option<usize> {
    let t = text.trim();
    codes.iter().position(|c| c.code == t || c.name == t)
}

impl Vocabulary {
    /// A chain by code (`steel`) or Chinese name (`钢铁`).
    pub fn chain(&self, text: &str) -> Option<ChainId> {
        let t = text.trim();
        self.chains.iter().position(|c| c.code == t || c.name == t).map(|i| ChainId(i as u8))
    }

    /// A stage of a chain, by its name.
    pub fn stage(&self, chain: ChainId, text: &str) -> Option<u16> {
        let t = text.trim();
        self.chains[chain.0 as usize].stages.iter().position(|s| s == t).map(|i| i as u16)
    }

    pub fn recognition_kind(&self, text: &str) -> Option<KindId> {
        find(&self.recognition_kinds, text).map(|i| KindId(i as u16))
    }

    pub fn recognition_kind_by_code(&self, code: &str) -> Option<KindId> {
        self.recognition_kinds.iter().position(|c| c.code == code).map(|i| KindId(i as u16))
    }

    pub fn project_category(&self, text: &str) -> Option<CategoryId> {
        find(&self.project_categories, text).map(|i| CategoryId(i as u16))
    }

    pub fn chain_info(&self, id: ChainId) -> &ChainVocab {
        &self.chains[id.0 as usize]
    }

    pub fn kind_info(&self, id: KindId) -> &Code {
        &self.recognition_kinds[id.0 as usize]
    }

    /// The declared fact of `place` whose code or Chinese name is `header`, with its index.
    pub fn extra_named(
        &self,
        place: crate::extra::ExtraPlace,
        header: &str,
    ) -> Option<(u16, &crate::extra::ExtraFact)> {
        let h = header.trim();
        self.extras
            .iter()
            .enumerate()
            .find(|(_, f)| f.place == place && (f.code.eq_ignore_ascii_case(h) || f.name == h))
            .map(|(i, f)| (i as u16, f))
    }

    /// The declared facts of `place`, with their indexes, in declaration order.
    pub fn extras_of(&self, place: crate::extra::ExtraPlace) -> impl Iterator<Item = (u16, &crate::extra::ExtraFact)> {
        self.extras.iter().enumerate().filter(move |(_, f)| f.place == place).map(|(i, f)| (i as u16, f))
    }

    pub fn category_info(&self, id: CategoryId) -> &Code {
        &self.project_categories[id.0 as usize]
    }
}
