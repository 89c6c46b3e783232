//! Award rounds (兑现批次) in the browser: the list of rounds, a round's page (header, the actions
//! of the signed-in role, totals against the budget, what the last refresh changed, conflicts
//! with other open rounds, the lines), a line's page (its explanation, what it still needs, its
//! history and the forms of each role), the timeline, the batch payment and the credit lists.
//!
//! Every check of the workflow is made by the store (`lianzhang_rounds` inside the write
//! transaction): a refused action re-shows the page with the store's Chinese sentence beside
//! the form and changes nothing. The web layer only adds the data scope: a task force sees and
//! acts on its chain's lines only, a leader sees no enterprise links outside its liaison scope.

mod bank;
mod credit;
mod index;
mod line;
mod list;
mod page;
mod pay;
pub(crate) mod publicity;
pub(crate) mod view;

use crate::pages::urlencode;
use crate::{AppState, WebError};
use axum::Router;
use axum::routing::get;
use lianzhang_rounds::{Actor, Line, LineKey, Role as RoundRole};
use lianzhang_store::{RoundRecord, StoreError};
use std::sync::Arc;

/// The routes of the round pages; the two file uploads take bodies up to `upload_body` bytes.
pub fn routes(upload_body: usize) -> Router<Arc<AppState>> {
    let upload = || axum::extract::DefaultBodyLimit::max(upload_body);
    Router::new()
        .route("/rounds", get(list::list).post(list::create))
        .route("/rounds/credit-lists", get(credit::form).post(credit::upload))
        .route("/rounds/credit-lists/file", axum::routing::post(credit::upload_file).layer(upload()))
        .route("/rounds/credit-lists/template.xlsx", get(credit::template))
        .route("/rounds/receipt-template.xlsx", get(bank::receipt_template))
        .route("/rounds/{id}", get(page::show).post(page::act))
        .route("/rounds/{id}/timeline", get(page::timeline))
        .route("/rounds/{id}/publicity.pdf", get(publicity::pdf))
        .route("/rounds/{id}/publicity.xlsx", get(publicity::xlsx))
        .route("/rounds/{id}/pay", get(pay::form).post(pay::pay))
        .route("/rounds/{id}/pay/instructions.xlsx", get(bank::instructions_xlsx))
        .route("/rounds/{id}/receipt", axum::routing::post(bank::receipt_upload).layer(upload()))
        .route("/rounds/{id}/lines/{uscc}/{rule}", get(line::show).post(line::act))
}

/// Whether `actor` may see `line` at all: a task force sees only its chain's lines.
pub(crate) fn sees(actor: &Actor, line: &Line) -> bool {
    match &actor.role {
        RoundRole::TaskForce(chain) => line.chain.as_deref() == Some(chain.as_str()),
        _ => true,
    }
}

/// The page of a line.
pub(crate) fn line_url(id: i64, key: &LineKey) -> String {
    let mut url = format!("/rounds/{id}/lines/{}/{}", urlencode(&key.uscc), urlencode(&key.rule));
    if let Some(p) = &key.project_id {
        url.push_str("?project=");
        url.push_str(&urlencode(p));
    }
    url
}

/// A round by the id in its path (404 when there is none).
pub(crate) async fn load(state: &AppState, id: i64) -> Result<Arc<RoundRecord>, WebError> {
    match state.store.round(id).await {
        Ok(r) => Ok(r),
        Err(StoreError::NotFound(_)) => Err(WebError::NotFound(format!("第 {id} 号兑现批次"))),
        Err(e) => Err(e.into()),
    }
}

/// A refusal to show beside a form (the store's or the door's sentence), or an error to raise.
pub(crate) fn refusal(e: StoreError) -> Result<String, WebError> {
    match e {
        StoreError::Refused(why) | StoreError::NotFound(why) => Ok(why),
        e => Err(e.into()),
    }
}

pub(crate) use crate::format::beijing_today as today;
use index::scope_of;
pub(crate) use index::{Filter, Indexes, LinesIndex};

/// A year's award lines over all its rounds, against the year's budget per clause (the
/// dashboard's 预算执行): by clause, by chain and in all.
pub(crate) async fn year_totals(
    state: &AppState,
    rounds: &[Arc<RoundRecord>],
    year: i32,
) -> Result<view::Totals, WebError> {
    let indexes: Vec<Arc<LinesIndex>> =
        rounds.iter().filter(|r| r.header.year == year).map(|r| county_index(state, r)).collect();
    let refs: Vec<&LinesIndex> = indexes.iter().map(Arc::as_ref).collect();
    let budgets = state.store.budgets(year).await?;
    Ok(view::totals(&refs, &state.policy, &budgets))
}

/// The index of round `r`'s lines, every line (the county's figures).
pub(crate) fn county_index(state: &AppState, r: &Arc<RoundRecord>) -> Arc<LinesIndex> {
    state.round_indexes.get(r, &None)
}

/// The index of round `r`'s lines in the scope of `actor` (kept until the round changes).
pub(crate) fn index(state: &AppState, r: &Arc<RoundRecord>, actor: &Actor) -> Arc<LinesIndex> {
    state.round_indexes.get(r, &scope_of(actor))
}

/// A date typed in a form (`YYYY-MM-DD`), or the sentence naming the field.
pub(crate) fn date_of(name: &str, text: &str) -> Result<jiff::civil::Date, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("请填写{name}"));
    }
    t.parse::<jiff::civil::Date>().map_err(|_| format!("{name}“{}”不是 YYYY-MM-DD 格式的日期", short(t)))
}

/// An amount typed in yuan (at most two decimals, thousands separators allowed) as fen.
pub(crate) fn fen_of(name: &str, text: &str) -> Result<i64, String> {
    let t: String = text.trim().chars().filter(|c| *c != ',' && *c != '，').collect();
    let t = t.trim_end_matches('元');
    if t.is_empty() {
        return Err(format!("请填写{name}（元）"));
    }
    let d: rust_decimal::Decimal =
        t.parse().map_err(|_| format!("{name}“{}”不是金额（以元为单位，最多两位小数）", short(text)))?;
    lianzhang_facts::Fen::from_decimal_yuan(d)
        .map(|f| f.0)
        .map_err(|_| format!("{name}“{}”须为不小于 0、最多两位小数的元金额", short(text)))
}

/// A typed value as shown back in a sentence: escaped, at most 40 characters.
fn short(s: &str) -> String {
    let s: String = s.chars().take(40).collect();
    lianzhang_facts::typed::escaped(&s).into_owned()
}

/// Fen as yuan with two places and separators, without the unit: `1,200,000.00`.
pub(crate) fn yuan_plain(fen: i64) -> String {
    lianzhang_facts::format_yuan(lianzhang_facts::Fen(fen).to_yuan())
}

/// Fen as yuan for a form field: `1200000.00`.
pub(crate) fn yuan_input(fen: i64) -> String {
    lianzhang_facts::Fen(fen).to_yuan().round_dp(2).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_amounts_and_dates() {
        assert_eq!(fen_of("金额", "1,200.5").unwrap(), 120_050);
        assert_eq!(fen_of("金额", "300000元").unwrap(), 30_000_000);
        assert!(fen_of("金额", "1.234").unwrap_err().contains("两位小数"));
        assert!(fen_of("金额", "-1").is_err());
        assert!(fen_of("金额", "abc").unwrap_err().contains("不是金额"));
        assert!(fen_of("金额", "").unwrap_err().contains("请填写"));
        assert_eq!(date_of("日期", "2024-09-27").unwrap().to_string(), "2024-09-27");
        assert!(date_of("日期", "2024/9/27").unwrap_err().contains("YYYY-MM-DD"));
        assert_eq!(yuan_input(120_050), "1200.50");
        assert_eq!(yuan_plain(120_050), "1,200.50");
    }

    #[test]
    fn a_project_line_keeps_its_project_in_the_url() {
        let key = LineKey { uscc: "91140525MA0K000001".into(), rule: "r1".into(), project_id: Some("P 1/2".into()) };
        assert_eq!(line_url(3, &key), "/rounds/3/lines/91140525MA0K000001/r1?project=P%201%2F2");
    }
}
