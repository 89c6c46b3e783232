//! The data scope of each role (PRODUCT.md), enforced on the server.

use crate::WebError;
use lianzhang_store::{Role, User};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Administrator and bureau: every enterprise.
    All,
    /// Task force: the enterprises of its chain.
    Chain(String),
    /// Leader: the enterprises it is liaison for.
    Liaison(i64),
    /// Finance: award lists only, no enterprise records.
    NoEnterprises,
}

/// Refuses a user whose role does not keep records (see [`Role::keeps_records`]).
pub fn keeps_records(user: &User) -> Result<(), WebError> {
    if user.role.keeps_records() { Ok(()) } else { Err(WebError::Forbidden) }
}

impl Scope {
    pub fn of(user: &User) -> Scope {
        match user.role {
            Role::Admin | Role::Bureau => Scope::All,
            Role::TaskForce => Scope::Chain(user.chain.clone().unwrap_or_default()),
            Role::Leader => Scope::Liaison(user.id),
            Role::Finance => Scope::NoEnterprises,
        }
    }

    /// Refuses a role that may not see enterprise records at all.
    pub fn enterprises(&self) -> Result<(), WebError> {
        if *self == Scope::NoEnterprises { Err(WebError::Forbidden) } else { Ok(()) }
    }

    /// Whether one enterprise (its chain, and whether the user is its liaison) is in scope.
    pub fn allows(&self, chain: Option<&str>, is_liaison: bool) -> bool {
        match self {
            Scope::All => true,
            Scope::Chain(c) => chain == Some(c.as_str()),
            Scope::Liaison(_) => is_liaison,
            Scope::NoEnterprises => false,
        }
    }

    /// Narrows a search to the scope.
    pub fn restrict(&self, f: &mut lianzhang_store::EnterpriseFilter) {
        match self {
            Scope::Chain(c) => f.chain = Some(c.clone()),
            Scope::Liaison(id) => f.liaison_of = Some(*id),
            Scope::All | Scope::NoEnterprises => {}
        }
    }
}

/// Who may see which enterprise of a list computed from the whole registry (the sandbox's
/// changed enterprises, 潜在可享): the user's scope, a leader's liaison enterprises read once.
pub struct Visible {
    pub scope: Scope,
    liaison: std::collections::HashSet<String>,
}

impl Visible {
    pub async fn of(state: &crate::AppState, user: &User) -> Result<Visible, WebError> {
        let scope = Scope::of(user);
        let liaison = match scope {
            Scope::Liaison(id) => state.store.liaison_usccs(id).await?.into_iter().collect(),
            _ => Default::default(),
        };
        Ok(Visible { scope, liaison })
    }

    /// Whether the enterprise `uscc` on chain `chain` (its code) is in scope.
    pub fn allows(&self, chain: Option<&str>, uscc: &str) -> bool {
        self.scope.allows(chain, self.liaison.contains(uscc))
    }
}
