//! What the award rounds add outside their own pages: each role's 工作台 after login, the
//! enterprise's 兑现记录, paid against owed on the dashboard, and the audit trail in Chinese.
mod common;
use axum::http::{StatusCode, header};
use common::*;
use jiff::civil::date;
use lianzhang_rounds::{Actor, BankAccount, Channel, Event, Line, LineState, Outcome, Role};
use lianzhang_store::{NewPayment, NewRound};

fn actor(name: &str, role: Role) -> Actor {
    Actor { username: name.into(), role }
}

/// A demo county with the 2023 round carried to payment of one line.
async fn paid_round() -> (App, Line) {
    let p = policy();
    let data = lianzhang_demo::generate(
        &lianzhang_demo::DemoParams { enterprises: 120, seed: 9, ..Default::default() },
        &p.vocabulary,
    );
    let app = app(p.clone(), &data).await;
    let store = &app.state.store;
    let file = lianzhang_policy::PolicyFile::bundled();
    let clerk = actor("clerk", Role::Bureau);
    let r = store
        .create_round(NewRound { year: 2023, name: "2023年度第一批", file: &file, policy: &p, actor: &clerk })
        .await
        .unwrap();
    let id = r.header.id;
    let lines: Vec<Line> = r.round.lines().filter(|l| !l.is_recommendation()).cloned().collect();
    for l in &lines {
        if l.outcome == Outcome::NeedsReview {
            store.act(id, &clerk, Event::Rejected { line: l.key.clone(), reason: "数据未报".into() }).await.unwrap();
            continue;
        }
        if l.ceiling {
            let amount_fen = l.amount_fen.unwrap();
            store
                .act(id, &clerk, Event::AmountSet { line: l.key.clone(), amount_fen, basis: "评审".into() })
                .await
                .unwrap();
        }
        let account =
            BankAccount { holder: l.enterprise.clone(), bank: "晋城银行".into(), number: "62220001".into() };
        let e = Event::Confirmed {
            line: l.key.clone(),
            channel: Channel::Visit,
            date: date(2024, 3, 1),
            account,
            note: String::new(),
        };
        store.act(id, &clerk, e).await.unwrap();
    }
    store.import_credit_list("名单.csv", &[], &clerk).await.unwrap_err();
    let entry = lianzhang_store::NewCreditEntry {
        uscc: "91140525MA0000001X".into(),
        name: None,
        list: "失信被执行人名单".into(),
        source: "法院".into(),
        listed: date(2020, 1, 1),
        removed: None,
    };
    // Only the bureau imports the list (the store refuses anyone else, whatever the caller).
    let refused =
        store.import_credit_list("名单.csv", std::slice::from_ref(&entry), &actor("leader", Role::Leader)).await;
    assert!(refused.unwrap_err().to_string().contains("由工信局办理"));
    store.import_credit_list("名单.csv", &[entry], &clerk).await.unwrap();
    store.credit_check(id, &clerk, date(2024, 3, 5)).await.unwrap();
    store.act(id, &actor("leader", Role::Leader), Event::Approved { note: "同意".into() }).await.unwrap();
    store
        .act(
            id,
            &clerk,
            Event::Published {
                date: date(2024, 4, 8),
                last_day: date(2024, 4, 15),
                document_no: "泽工信公〔2024〕3号".into(),
            },
        )
        .await
        .unwrap();
    store.act(id, &clerk, Event::Finalised { date: date(2024, 4, 16) }).await.unwrap();
    let record = store.round(id).await.unwrap();
    let paid = record
        .round
        .lines()
        .find(|l| matches!(record.round.state(l), LineState::Ready { .. }))
        .cloned()
        .expect("a ready line");
    let LineState::Ready { amount_fen, .. } = record.round.state(&paid) else { unreachable!() };
    let today = lianzhang_web_today();
    store
        .pay_round(
            id,
            &actor("finance", Role::Finance),
            &[NewPayment { line: paid.key.clone(), amount_fen, voucher: "记字001号".into(), date: today }],
        )
        .await
        .unwrap();
    (app, paid)
}

fn lianzhang_web_today() -> jiff::civil::Date {
    jiff::tz::Offset::constant(8).to_datetime(jiff::Timestamp::now()).date()
}

#[tokio::test]
async fn login_lands_on_each_roles_home_with_what_waits_on_it() {
    let (app, paid) = paid_round().await;
    let form = app.get("/login", "").await;
    let csrf = token_in(&form.body);
    let r = app
        .post(
            "/login",
            &format!("lz_login_csrf={csrf}"),
            &[("username", "finance"), ("password", PASSWORD), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.headers[header::LOCATION], "/home");

    let finance = app.session("finance").await;
    let raw = app.get("/home", &finance).await.body;
    assert!(!raw.contains("href=\"/enterprises\""), "finance has no 企业 menu item (it would be a 403)");
    assert!(raw.contains("href=\"/home\""), "工作台 in the menu");
    let home = text_of(&raw);
    assert!(home.contains("待支付的批次") && home.contains("2023年度第一批"), "{home}");
    assert!(home.contains("本月支付") && home.contains("记字001号") && home.contains(&paid.enterprise), "{home}");

    // The leader approved already: nothing waits for it; its liaison list is there.
    let leader = app.session("leader").await;
    let home = text_of(&app.get("/home", &leader).await.body);
    assert!(home.contains("待审批的批次") && home.contains("暂无待办"), "{home}");
    assert!(home.contains("我联系的企业"), "{home}");

    // The bureau sees the round waiting on payments.
    let clerk = app.session("clerk").await;
    let home = text_of(&app.get("/home", &clerk).await.body);
    assert!(home.contains("待支付"), "{home}");
    assert_eq!(app.get("/", &clerk).await.headers[header::LOCATION], "/home");
}

#[tokio::test]
async fn the_enterprise_dashboard_and_audit_trail_show_the_round() {
    let (app, paid) = paid_round().await;
    let clerk = app.session("clerk").await;
    let page = app.get(&format!("/enterprises/{}", paid.key.uscc), &clerk).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = text_of(&page.body);
    assert!(text.contains("兑现记录") && text.contains("2023年度第一批") && text.contains("记字001号"), "{text}");
    assert!(text.contains(&paid.rule_title), "{text}");

    let dash = text_of(&app.get("/dashboard", &clerk).await.body);
    assert!(dash.contains("兑现进度") && dash.contains("已确定"), "{dash}");
    let paid_wan = format!("{:.2}", paid.amount_fen.unwrap() as f64 / 1_000_000.0);
    assert!(dash.contains(&paid_wan), "the paid figure {paid_wan} 万元: {dash}");

    let admin = app.session("admin").await;
    let trail = text_of(&app.get("/admin/audit?table=rounds", &admin).await.body);
    assert!(trail.contains("兑现办理") && trail.contains("第 1 号兑现批次") && trail.contains("审批同意"), "{trail}");
    assert!(!trail.contains("refreshed") && !trail.contains("{\""), "no codes or JSON: {trail}");
}
