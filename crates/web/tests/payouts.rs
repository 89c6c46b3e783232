//! What the award rounds add outside their own pages: each role's 工作台 after login, the
//! enterprise's 兑现记录, paid against owed on the dashboard, and the audit trail in Chinese; and
//! the files exchanged with others: the 失信名单 uploaded, the 代发 file for the bank and the
//! bank's receipt uploaded back.
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

/// The round's standing payments as the 代发 file gives them: rows of text (header first).
async fn instruction_rows(app: &App, cookie: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let file = app.get("/rounds/1/pay/instructions.xlsx", cookie).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(file.bytes)).unwrap();
    let sheet = book.worksheet_range("代发明细").unwrap();
    sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[tokio::test]
async fn the_bank_gets_the_payments_and_its_receipt_reverses_a_failed_one_only_when_asked() {
    let (app, paid) = paid_round().await;
    let finance = app.session("finance").await;
    let leader = app.session("leader").await;
    assert_eq!(app.get("/rounds/1/pay/instructions.xlsx", &leader).await.status, StatusCode::FORBIDDEN);
    let record = app.state.store.round(1).await.unwrap();
    let ledger = record
        .events
        .iter()
        .find_map(|e| match &e.event {
            Event::Paid { ledger_entry, .. } => Some(*ledger_entry),
            _ => None,
        })
        .unwrap();
    let amount_fen = record.round.paid_fen(&paid.key);
    let rows = instruction_rows(&app, &finance).await;
    assert_eq!(rows.len(), 2, "the header and the one payment: {rows:?}");
    assert_eq!(rows[0][1], "付款流水号");
    assert_eq!(rows[1][1], ledger.to_string(), "the reference the receipt must give back");
    assert_eq!(rows[1][3], "62220001", "the account as text");
    assert_eq!((rows[1][5].parse::<f64>().unwrap() * 100.0).round() as i64, amount_fen, "the amount in yuan");
    assert_eq!(rows[1][10], paid.enterprise);

    let page = app.get("/rounds/1/pay", &finance).await;
    let csrf = token_in(&page.body);
    let yuan = format!("{}.{:02}", amount_fen / 100, amount_fen % 100);
    let head = "付款流水号,收款户名,收款账号,金额,交易日期,处理结果,失败原因\n";
    // A receipt with bad cells: each named, nothing reconciled, nothing changed.
    let bad = format!("{head}{ledger},{},62220001,一万,2024-13-01,失败,账户已销户\n", paid.enterprise);
    let r = app
        .upload_to("/rounds/1/receipt", &finance, &[("csrf", &csrf), ("apply", "1")], "回单.csv", bad.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = text_of(&r.body);
    assert!(text.contains("2 处错误") && text.contains("金额") && text.contains("交易日期"), "{text}");
    assert_eq!(app.state.store.round(1).await.unwrap().round.paid_fen(&paid.key), amount_fen);

    // Failed, uploaded without asking to reverse: reported, nothing reversed.
    let failed = format!("{head}{ledger},{},62220001,{yuan},2024-04-20,失败,账户已销户\n", paid.enterprise);
    let r = app.upload_to("/rounds/1/receipt", &finance, &[("csrf", &csrf)], "回单.csv", failed.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let text = text_of(&r.body);
    assert!(text.contains("失败或退回 1 笔") && text.contains("尚未冲正") && text.contains(&paid.rule_title), "{text}");
    assert_eq!(app.state.store.round(1).await.unwrap().round.paid_fen(&paid.key), amount_fen);
    // Only finance uploads receipts.
    let r = app.upload_to("/rounds/1/receipt", &leader, &[("csrf", &csrf)], "回单.csv", failed.as_bytes()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Asked to reverse: the payment is reversed, the line payable again, the file has nothing left.
    let r = app
        .upload_to("/rounds/1/receipt", &finance, &[("csrf", &csrf), ("apply", "1")], "回单.csv", failed.as_bytes())
        .await;
    assert!(text_of(&r.body).contains("已冲正支付失败的 1 笔"), "{}", text_of(&r.body));
    assert_eq!(app.state.store.round(1).await.unwrap().round.paid_fen(&paid.key), 0);
    assert_eq!(instruction_rows(&app, &finance).await.len(), 1, "only the header");
    // The same receipt again: the payment is known, already reversed; nothing more to do.
    let r = app
        .upload_to("/rounds/1/receipt", &finance, &[("csrf", &csrf), ("apply", "1")], "回单.csv", failed.as_bytes())
        .await;
    let text = text_of(&r.body);
    assert!(text.contains("这笔支付已冲正（台账第") && !text.contains("不是登记过的支付"), "{text}");
    assert_eq!(app.state.store.round(1).await.unwrap().round.paid_fen(&paid.key), 0, "nothing reversed twice");
}

#[tokio::test]
async fn a_credit_list_file_is_imported_whole_or_not_at_all_by_the_bureau_only() {
    let (app, _) = paid_round().await;
    let clerk = app.session("clerk").await;
    let before = app.state.store.credit_lists().await.unwrap().len();
    let page = app.get("/rounds/credit-lists", &clerk).await;
    let csrf = token_in(&page.body);
    let head = "统一社会信用代码,主体名称,名单名称,认定部门,列入日期,移出日期\n";
    let bad =
        format!("{head}12345,甲公司,失信被执行人名单,法院,2024-01-05,\n91140525MA0L00002Q,乙公司,,法院,2024-02-30,\n");
    let r = app.upload_to("/rounds/credit-lists/file", &clerk, &[("csrf", &csrf)], "名单.csv", bad.as_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = text_of(&r.body);
    for says in ["3 处错误", "统一社会信用代码", "名单名称", "列入日期", "未导入任何条目"] {
        assert!(text.contains(says), "{says}: {text}");
    }
    assert_eq!(app.state.store.credit_lists().await.unwrap().len(), before, "nothing imported");

    let good = format!(
        "{head}91140525MA0L00002Q,乙公司,失信被执行人名单,法院,2024-02-29,\n91140525MA0L00001M,丙公司,重大税收违法失信主体名单,税务局,2023-06-01,2024-01-01\n"
    );
    let r = app.upload_to("/rounds/credit-lists/file", &clerk, &[("csrf", &csrf)], "名单.csv", good.as_bytes()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text_of(&r.body));
    let lists = app.state.store.credit_lists().await.unwrap();
    assert_eq!((lists.len(), lists[0].entry_count, lists[0].file_name.as_str()), (before + 1, 2, "名单.csv"));

    // The same list again, or the template uploaded as it is: refused, nothing imported.
    let r = app
        .upload_to("/rounds/credit-lists/file", &clerk, &[("csrf", &csrf)], "名单（重复）.csv", good.as_bytes())
        .await;
    assert!(text_of(&r.body).contains("完全相同"), "{}", text_of(&r.body));
    let template = app.get("/rounds/credit-lists/template.xlsx", &clerk).await;
    assert!(template.status == StatusCode::OK && template.bytes.starts_with(b"PK"));
    let r = app
        .upload_to("/rounds/credit-lists/file", &clerk, &[("csrf", &csrf)], "失信名单模板.xlsx", &template.bytes)
        .await;
    assert!(text_of(&r.body).contains("模板中的示例行"), "{}", text_of(&r.body));
    assert_eq!(app.state.store.credit_lists().await.unwrap().len(), before + 1);
    let leader = app.session("leader").await;
    let r = app.upload_to("/rounds/credit-lists/file", &leader, &[("csrf", &csrf)], "名单.csv", good.as_bytes()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.state.store.credit_lists().await.unwrap().len(), before + 1);
}
