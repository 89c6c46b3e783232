//! Award rounds in the browser, through the real router on a demo registry: scope (a task force
//! sees and acts on its chain's lines only), refusals that change nothing, and a whole year
//! walked from creation to payment, reversal and payment again.

mod common;

use axum::http::StatusCode;
use common::{App, app, text_of, token_in};
use lianzhang_rounds::{Actor, BankAccount, Channel, Event, Line, LineState, Outcome, Phase, Role};
use lianzhang_store::RoundRecord;
use std::sync::Arc;

const YEAR: &str = "2024";

async fn demo_app() -> App {
    let policy = common::policy();
    let data = lianzhang_demo::generate(
        &lianzhang_demo::DemoParams { enterprises: 240, seed: 7, ..Default::default() },
        &policy.vocabulary,
    );
    app(policy, &data).await
}

/// Creates round 1 as the bureau through the list page's form.
async fn create(app: &App, clerk: &str) -> i64 {
    let list = app.get("/rounds", clerk).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("新建兑现批次"), "{}", list.body);
    let csrf = token_in(&list.body);
    let r = app.post("/rounds", clerk, &[("csrf", &csrf), ("year", YEAR), ("name", "2024年度第一批")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text_of(&r.body));
    let to = r.headers.get("location").unwrap().to_str().unwrap();
    to.trim_start_matches("/rounds/").parse().unwrap()
}

async fn record(app: &App, id: i64) -> Arc<RoundRecord> {
    app.state.store.round(id).await.unwrap()
}

fn url(id: i64, l: &Line) -> String {
    let mut u = format!("/rounds/{id}/lines/{}/{}", l.key.uscc, l.key.rule);
    if let Some(p) = &l.key.project_id {
        u.push_str(&format!("?project={}", common::enc(p)));
    }
    u
}

/// The first line of `r` that `pick` accepts.
fn line(r: &RoundRecord, pick: impl Fn(&Line) -> bool) -> Line {
    r.round.lines().find(|l| pick(l)).expect("the demo registry has such a line").clone()
}

fn award_of(chain: &'static str) -> impl Fn(&Line) -> bool {
    move |l: &Line| l.outcome == Outcome::Award && !l.ceiling && l.chain.as_deref() == Some(chain)
}

/// Posts a form taken from `page` (its CSRF token) with `fields`.
async fn post(app: &App, path: &str, cookie: &str, fields: &[(&str, &str)]) -> common::Reply {
    let page = app.get(path.split('#').next().unwrap(), cookie).await;
    let csrf = token_in(&page.body);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    app.post(path, cookie, &form).await
}

#[tokio::test]
async fn a_task_force_sees_and_acts_on_its_chain_only() {
    let app = demo_app().await;
    let clerk = app.session("clerk").await;
    let id = create(&app, &clerk).await;
    let r = record(&app, id).await;
    let steel_lines = r.round.lines().filter(|l| l.chain.as_deref() == Some("steel") && !l.is_recommendation()).count();
    assert!(steel_lines > 0);

    let steel = app.session("steel").await;
    let page = app.get(&format!("/rounds/{id}"), &steel).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("兑现名单（{steel_lines}）")), "{}", text_of(&page.body));
    let food_line = line(&r, award_of("food"));
    assert!(!page.body.contains(&food_line.key.uscc), "a food line on the steel task force's page");
    assert!(!page.body.contains("刷新名单") && !page.body.contains("审批同意"), "bureau and leader actions shown");

    // Another chain's line: not shown, not confirmable; nothing changes.
    assert_eq!(app.get(&url(id, &food_line), &steel).await.status, StatusCode::FORBIDDEN);
    let before = record(&app, id).await.events.len();
    let csrf = token_in(&page.body);
    let confirm = [
        ("csrf", csrf.as_str()),
        ("action", "confirm"),
        ("channel", "phone"),
        ("date", "2024-09-01"),
        ("holder", "某公司"),
        ("bank", "泽州农商行"),
        ("number", "6228000011112222"),
    ];
    let r2 = app.post(&url(id, &food_line), &steel, &confirm).await;
    assert_eq!(r2.status, StatusCode::FORBIDDEN);
    assert_eq!(record(&app, id).await.events.len(), before);

    // Its own chain's line: confirmed.
    let steel_line = line(&r, award_of("steel"));
    let done = app.post(&url(id, &steel_line), &steel, &confirm).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", text_of(&done.body));
    let after = record(&app, id).await;
    assert_eq!(after.events.len(), before + 1);
    assert!(!after.round.state(&steel_line).zh().contains("待企业确认"));

    // The bureau links enterprises; a leader with no liaison enterprises and finance see none.
    let bureau_page = app.get(&format!("/rounds/{id}"), &clerk).await;
    assert!(bureau_page.body.contains("href=\"/enterprises/"));
    for who in ["leader", "finance"] {
        let c = app.session(who).await;
        let p = app.get(&format!("/rounds/{id}"), &c).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains("兑现名单") && !p.body.contains("href=\"/enterprises/"), "{who}");
        let lp = app.get(&url(id, &steel_line), &c).await;
        assert_eq!(lp.status, StatusCode::OK);
        assert!(!lp.body.contains("href=\"/enterprises/"), "{who}");
    }
    // Only the bureau creates a round.
    let csrf = token_in(&page.body);
    let refused = app.post("/rounds", &steel, &[("csrf", &csrf), ("year", YEAR), ("name", "专班的批次")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&refused.body).contains("工信局"), "{}", text_of(&refused.body));
    assert_eq!(app.state.store.rounds().await.unwrap().len(), 1);
}

/// Decides, through the store, every line the walk did not decide through the pages.
async fn decide_the_rest(app: &App, id: i64) {
    let clerk = Actor { username: "clerk".into(), role: Role::Bureau };
    let r = record(app, id).await;
    for l in r.round.lines().filter(|l| !l.is_recommendation()) {
        let LineState::Open { pending } = r.round.state(l) else { continue };
        let key = l.key.clone();
        let mut events = Vec::new();
        if l.outcome == Outcome::NeedsReview {
            events.push(Event::Rejected { line: key.clone(), reason: "数据待补，本批次不予兑现".into() });
        } else {
            if pending.iter().any(|p| matches!(p, lianzhang_rounds::Pending::FinalAmount)) {
                let amount_fen = l.amount_fen.unwrap() / 2;
                events.push(Event::AmountSet { line: key.clone(), amount_fen, basis: "评审纪要".into() });
            }
            if pending.iter().any(|p| matches!(p, lianzhang_rounds::Pending::Confirmation)) {
                let account =
                    BankAccount {
                        holder: l.enterprise.clone(), bank: "泽州农商行".into(), number: "62280001".into()
                    };
                let date = "2024-09-01".parse().unwrap();
                events.push(Event::Confirmed {
                    line: key.clone(),
                    channel: Channel::Visit,
                    date,
                    account,
                    note: String::new(),
                });
            }
        }
        for e in events {
            app.state.store.act(id, &clerk, e).await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_year_walked_from_creation_to_payment_reversal_and_payment_again() {
    let app = demo_app().await;
    let clerk = app.session("clerk").await;
    let id = create(&app, &clerk).await;
    let r = record(&app, id).await;
    let round = format!("/rounds/{id}");

    // Review: reject a doubtful line with a reason; the missing fact links to the edit form.
    let doubtful = line(&r, |l| l.outcome == Outcome::NeedsReview && !l.is_recommendation());
    let page = app.get(&url(id, &doubtful), &clerk).await;
    let year = &doubtful.missing[0][..4];
    let edit = format!("/enterprises/{}/edit?year={year}#f-", doubtful.key.uscc);
    assert!(page.body.contains(&edit), "no edit link to exactly the fact: {edit}");
    let done =
        post(&app, &url(id, &doubtful), &clerk, &[("action", "reject"), ("reason", "未纳入规上库，不予兑现")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", text_of(&done.body));
    assert!(matches!(record(&app, id).await.round.state(&doubtful), LineState::Rejected { .. }));

    // A ceiling line: above the ceiling is refused beside the form and changes nothing.
    let ceiling = line(&r, |l| l.ceiling && l.outcome == Outcome::Award);
    let cap = ceiling.amount_fen.unwrap();
    let before = record(&app, id).await.events.len();
    let over = format!("{}.01", cap / 100);
    let refused =
        post(&app, &url(id, &ceiling), &clerk, &[("action", "amount"), ("amount", &over), ("basis", "评审会第3次")])
            .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(">评审会第3次</textarea>"), "what was typed is kept in the refused form");
    assert!(text_of(&refused.body).contains("不超过上限"), "{}", text_of(&refused.body));
    assert_eq!(record(&app, id).await.events.len(), before);
    let half = format!("{}.50", cap / 200);
    let done =
        post(&app, &url(id, &ceiling), &clerk, &[("action", "amount"), ("amount", &half), ("basis", "评审会纪要")])
            .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", text_of(&done.body));

    // Confirmation by the chain's task force.
    let steel = app.session("steel").await;
    let paid_line = line(&r, award_of("steel"));
    let fields = [
        ("action", "confirm"),
        ("channel", "paper"),
        ("date", "2024-09-02"),
        ("holder", "甲公司"),
        ("bank", "泽州农商行"),
        ("number", "6228 0001"),
    ];
    assert_eq!(post(&app, &url(id, &paid_line), &steel, &fields).await.status, StatusCode::SEE_OTHER);

    // A leader cannot approve while lines are open: the refusal is shown, nothing changes.
    let leader = app.session("leader").await;
    let before = record(&app, id).await.events.len();
    let refused = post(&app, &round, &leader, &[("action", "approve"), ("note", "同意")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&refused.body).contains("未办结"), "{}", text_of(&refused.body));
    assert_eq!(record(&app, id).await.events.len(), before);

    decide_the_rest(&app, id).await;

    // Credit check: a list pasted by the bureau, a hit held, cleared with reason and evidence.
    let hit = line(&r, award_of("food"));
    let list = format!(
        "统一社会信用代码,主体名称,名单名称,认定部门,列入日期,移出日期\n{},{},失信被执行人名单,泽州县人民法院,2023-05-01,\n",
        hit.key.uscc, hit.enterprise
    );
    let done = post(&app, "/rounds/credit-lists", &clerk, &[("file_name", "信用中国导出"), ("text", &list)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", text_of(&done.body));
    let done = post(&app, &round, &clerk, &[("action", "credit_check"), ("date", "2024-09-10")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", text_of(&done.body));
    let page = app.get(&url(id, &hit), &clerk).await;
    assert!(text_of(&page.body).contains("失信被执行人名单"), "{}", text_of(&page.body));
    let done = post(
        &app,
        &url(id, &hit),
        &clerk,
        &[("action", "clear_credit"), ("reason", "已信用修复"), ("evidence", "修复决定书 2024-08")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", text_of(&done.body));

    // Approval, 公示 over the National Day holiday (5 working days from 2024-09-27), an
    // objection dismissed, the list final after the period.
    assert_eq!(
        post(&app, &round, &leader, &[("action", "approve"), ("note", "同意")]).await.status,
        StatusCode::SEE_OTHER
    );
    let preview = post(
        &app,
        &round,
        &clerk,
        &[("action", "publish_preview"), ("date", "2024-09-27"), ("document_no", "泽工信字〔2024〕9号")],
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(text_of(&preview.body).contains("2024-10-10"), "{}", text_of(&preview.body));
    assert_eq!(record(&app, id).await.round.phase(), &Phase::Approved);
    let done = post(
        &app,
        &round,
        &clerk,
        &[("action", "publish"), ("date", "2024-09-27"), ("document_no", "泽工信字〔2024〕9号")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", text_of(&done.body));
    assert!(
        matches!(record(&app, id).await.round.phase(), Phase::Publicity { last_day, .. } if last_day.to_string() == "2024-10-10")
    );
    let objected = [
        ("action", "object"),
        ("objector", "某企业"),
        ("date", "2024-09-30"),
        ("content", "该企业 2024 年已迁出"),
        ("evidence", ""),
    ];
    assert_eq!(post(&app, &url(id, &paid_line), &clerk, &objected).await.status, StatusCode::SEE_OTHER);
    let refused = post(&app, &round, &clerk, &[("action", "finalise"), ("date", "2024-10-11")]).await;
    assert!(text_of(&refused.body).contains("异议未处理"), "{}", text_of(&refused.body));
    let settle = [("action", "settle"), ("objection", "1"), ("settle", "dismiss"), ("reason", "经核实仍在本县经营")];
    assert_eq!(post(&app, &round, &clerk, &settle).await.status, StatusCode::SEE_OTHER);
    let refused = post(&app, &round, &clerk, &[("action", "finalise"), ("date", "2024-10-10")]).await;
    assert!(text_of(&refused.body).contains("期满后"), "{}", text_of(&refused.body));
    assert_eq!(
        post(&app, &round, &clerk, &[("action", "finalise"), ("date", "2024-10-11")]).await.status,
        StatusCode::SEE_OTHER
    );

    // A leader cannot pay; nothing changes.
    let before = record(&app, id).await.events.len();
    let pay = [("action", "pay"), ("amount", "1"), ("voucher", "记-1"), ("date", "2024-10-15")];
    let refused = post(&app, &url(id, &paid_line), &leader, &pay).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&refused.body).contains("支付由财政局办理"), "{}", text_of(&refused.body));
    assert_eq!(record(&app, id).await.events.len(), before);

    // Finance pays two lines at once, then the first again: refused, the first payment shown.
    let finance = app.session("finance").await;
    let r = record(&app, id).await;
    let lines: Vec<&Line> = r.round.lines().collect();
    let i = lines.iter().position(|l| l.key == paid_line.key).unwrap();
    let j = lines.iter().position(|l| l.key == ceiling.key).unwrap();
    let due = |l: &Line| match r.round.state(l) {
        LineState::Ready { amount_fen, .. } => amount_fen,
        s => panic!("{}", s.zh()),
    };
    let yuan = |f: i64| format!("{}.{:02}", f / 100, f % 100);
    let (ai, aj) = (yuan(due(&paid_line)), yuan(due(&ceiling)));
    let (ni, nj) = (format!("amount.{i}"), format!("amount.{j}"));
    let (si, sj) = (i.to_string(), j.to_string());
    let batch = [
        ("pick", si.as_str()),
        ("pick", sj.as_str()),
        (ni.as_str(), ai.as_str()),
        (nj.as_str(), aj.as_str()),
        ("voucher", "记-2024-10"),
        ("date", "2024-10-15"),
    ];
    let done = post(&app, &format!("{round}/pay"), &finance, &batch).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", text_of(&done.body));
    let r = record(&app, id).await;
    assert_eq!(r.round.paid_fen(&paid_line.key), due(&paid_line));
    assert_eq!(r.round.paid_fen(&ceiling.key), cap / 2 + 50);
    let again = post(&app, &url(id, &paid_line), &finance, &pay).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let shown = text_of(&again.body);
    assert!(shown.contains("未支付") && shown.contains("已付") && shown.contains("记-2024-10-001"), "{shown}");
    assert!(shown.contains("本行此前的支付：台账第"), "{shown}");
    let again = post(&app, &format!("{round}/pay"), &finance, &batch).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let shown = text_of(&again.body);
    assert!(
        shown.contains("未支付任何一行") && shown.contains("此前的支付") && shown.contains("凭证号 记-2024-10-002"),
        "{shown}"
    );
    assert_eq!(record(&app, id).await.events.len(), r.events.len());

    // Reversal, then the line is paid again.
    let entry = r
        .events
        .iter()
        .find_map(|e| match &e.event {
            Event::Paid { line, ledger_entry, .. } if *line == paid_line.key => Some(*ledger_entry),
            _ => None,
        })
        .unwrap()
        .to_string();
    let reverse = [("action", "reverse"), ("ledger_entry", entry.as_str()), ("reason", "账号有误，银行退回")];
    let done = post(&app, &url(id, &paid_line), &finance, &reverse).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", text_of(&done.body));
    assert_eq!(record(&app, id).await.round.paid_fen(&paid_line.key), 0);
    let pay = [("action", "pay"), ("amount", ai.as_str()), ("voucher", "记-2024-11"), ("date", "2024-11-02")];
    let done = post(&app, &url(id, &paid_line), &finance, &pay).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", text_of(&done.body));
    assert_eq!(record(&app, id).await.round.paid_fen(&paid_line.key), due(&paid_line));

    // The timeline: who (with the Chinese role), when, what.
    let timeline = text_of(&app.get(&format!("{round}/timeline"), &leader).await.body);
    for what in [
        "刷新名单，形成第 1 版",
        "不予兑现",
        "信用核查",
        "审批同意",
        "公示（泽工信字〔2024〕9号）",
        "第 1 号异议不成立",
        "冲正台账",
        "finance（财政局）",
    ] {
        assert!(timeline.contains(what), "{what} not on the timeline");
    }
}

#[tokio::test]
async fn an_award_in_two_open_rounds_is_a_conflict_shown_on_both() {
    let app = demo_app().await;
    let clerk = app.session("clerk").await;
    let first = create(&app, &clerk).await;
    let second = create(&app, &clerk).await;
    for (id, other) in [(first, second), (second, first)] {
        let page = text_of(&app.get(&format!("/rounds/{id}"), &clerk).await.body);
        assert!(page.contains("与其他未确定批次重复的奖励") && page.contains(&format!("#{other}")), "round {id}");
    }
}

#[tokio::test]
async fn a_refresh_keeps_the_decisions_of_unchanged_lines_and_only_the_bureau_refreshes() {
    let app = demo_app().await;
    let clerk = app.session("clerk").await;
    let id = create(&app, &clerk).await;
    let r = record(&app, id).await;
    let round = format!("/rounds/{id}");
    let doubtful = line(&r, |l| l.outcome == Outcome::NeedsReview && !l.is_recommendation());
    let done = post(&app, &url(id, &doubtful), &clerk, &[("action", "reject"), ("reason", "不予兑现的理由")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let steel = app.session("steel").await;
    let refused = post(&app, &round, &steel, &[("action", "refresh")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&refused.body).contains("工信局"), "{}", text_of(&refused.body));
    assert_eq!(record(&app, id).await.round.revision(), 1);
    assert_eq!(post(&app, &round, &clerk, &[("action", "refresh")]).await.status, StatusCode::SEE_OTHER);
    let r = record(&app, id).await;
    assert_eq!(r.round.revision(), 2);
    assert!(matches!(r.round.state(&doubtful), LineState::Rejected { .. }), "the decision was kept");
    assert!(text_of(&app.get(&round, &clerk).await.body).contains("第 2 版"));
}

#[tokio::test]
async fn a_refusal_is_shown_even_when_the_role_has_no_such_form() {
    let app = demo_app().await;
    let clerk = app.session("clerk").await;
    let id = create(&app, &clerk).await;
    let r = record(&app, id).await;
    let award = line(&r, award_of("steel"));
    let finance = app.session("finance").await;
    let before = record(&app, id).await.events.len();
    let refused = post(&app, &url(id, &award), &finance, &[("action", "reject"), ("reason", "财政不认可")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let shown = text_of(&refused.body);
    assert!(shown.contains("未办理：财政局不能审核"), "{shown}");
    assert_eq!(record(&app, id).await.events.len(), before);
}
