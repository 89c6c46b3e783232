//! Policy as code: the policy file (TOML), its validation with diagnostics, overrides for
//! what-if runs, and the pure evaluation engine that turns facts into outcomes with
//! clause citations and Chinese explanations.
//!
//! Nothing here does IO: callers read files and pass text and facts in.

pub mod choices;
mod compile;
pub mod diag;
pub mod engine;
pub mod equivalent;
pub mod expr;
mod fields;
pub mod file;
pub mod model;
pub mod near;
pub mod plausibility;
pub mod show;
pub mod targets;
pub mod tree;
pub mod tri;
pub mod whatif;

pub use diag::{PolicyErrors, Problem};
pub use engine::{
    Assessment, Finding, NothingPaid, Outcome, PaidLedger, RuleReport, RuleTally, Status, assess, assess_enterprise,
    assess_enterprise_with, assess_with, explain, explain_with, tally, tally_enterprise, tally_enterprise_with,
    tally_with,
};
pub use file::{Param, PolicyFile};
pub use model::Policy;
pub use plausibility::{Confirmation, Confirmations};
