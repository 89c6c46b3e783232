//! Award rounds (兑现批次): a year's awards carried from assessment to payment.
//!
//! Pure: the round is a list of events ([`Event`]: who did what), and its state is that list
//! folded ([`Round::apply`], [`Round::replay`]); every check (who may act, in which phase, on
//! which line, within which amount) is made here, so the web pages, the API and the CLI refuse
//! the same things with the same Chinese sentence. No clock, no IO: dates come in with the
//! events, and the store keeps the events, the frozen lines and the facts they came from.
//!
//! The flow (PRODUCT.md 兑现, issue 10): the bureau creates the round (revision 1 of its lines);
//! reviewers (the bureau, a task force for its chain) reject lines or set the final amount of a
//! ceiling line, and refresh after facts are fixed; the task force records each enterprise's
//! confirmation (意愿确认); the bureau runs the credit check (信用核查) and clears hits with
//! evidence; leaders sign off (k of them); the bureau publishes (公示) for a period counted in
//! working days (`lianzhang-workdays`), records objections (异议) and settles them; when the
//! period ends with none open the list is final, and finance pays (never a leader who approved).

mod assessed;
mod event;
mod line;
mod reconcile;
mod round;
mod state;
mod tally;

pub use assessed::lines_of;
pub use event::{Actor, BankAccount, Channel, CreditHit, Event, Role, Upheld, yuan};
pub use line::{Change, Line, LineKey, Outcome, changes};
pub use reconcile::{Difference, Mismatched, Paired, ReceiptLine, Reconciliation, Sent, Unmatched, reconcile};
pub use round::{Refusal, Round, Settings};
pub use state::{LineState, Pending, Phase};
pub use tally::{STATUSES, Tally, status_bit};
