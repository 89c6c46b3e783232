//! 数据疑点 on an enterprise's record: a doubted value holds the rules that read it in review;
//! whoever keeps the enterprise's records confirms it with a reason, in the audit trail; others
//! cannot.
mod common;
use axum::http::StatusCode;
use common::*;
use lianzhang_facts::{Annual, DatasetBuilder, Enterprise, Fen, Uscc};

/// A chemical enterprise entering the above-scale list in 2023 with 2,200 yuan of revenue
/// (万元 typed for 元), and a steel one with nothing doubtful.
async fn registry() -> (App, String) {
    let (app, uscc, _) = registry_and_data().await;
    (app, uscc)
}

async fn registry_and_data() -> (App, String, lianzhang_facts::Dataset) {
    let policy = policy();
    let v = policy.vocabulary.clone();
    let mut b = DatasetBuilder::new(v.clone());
    let e = Enterprise {
        uscc: Uscc::from_body(b"91140525MA0000007"),
        name: "泽州县兴旺化工有限公司".into(),
        chain: v.chain("chemical"),
        stage: None,
        town: Some("巴公镇".into()),
        industry_code: None,
        strategic_emerging: Some(false),
        established: None,
        chain_joined_year: None,
    };
    b.enterprise(e.clone());
    b.annual(
        e.uscc,
        Annual { revenue: Some(Fen::yuan(15_000_000)), above_scale: Some(false), ..Annual::unknown(2022) },
    );
    b.annual(e.uscc, Annual { revenue: Some(Fen::yuan(2_200)), above_scale: Some(true), ..Annual::unknown(2023) });
    let data = b.build().unwrap();
    let app = app(policy, &data).await;
    (app, e.uscc.as_str().to_string(), data)
}

#[tokio::test]
async fn a_doubted_value_holds_its_rule_until_confirmed_with_a_reason() {
    let (app, uscc) = registry().await;
    let page = format!("/enterprises/{uscc}");
    let cookie = app.session("clerk").await;
    let before = app.get(&page, &cookie).await;
    assert_eq!(before.status, StatusCode::OK);
    let text = text_of(&before.body);
    assert!(text.contains("数据疑点（1 处"), "{text}");
    assert!(text.contains("2023年营业收入 2,200元"), "{text}");
    assert!(text.contains("疑似按万元填报"), "{text}");
    assert!(before.body.contains("确认数值无误"));
    assert!(!text.contains("100,000.00 元"), "no award on a doubted value: {text}");

    let csrf = token_in(&before.body);
    let check = {
        let at = before.body.find("name=\"check\" value=\"").unwrap() + 20;
        before.body[at..].split('"').next().unwrap().to_string()
    };
    let form = |reason: &'static str| {
        vec![("csrf", csrf.clone()), ("check", check.clone()), ("year", "2023".to_string()), ("reason", reason.into())]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let app = &app;
        let cookie = cookie.clone();
        let page = format!("{page}/confirm");
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post(&page, &cookie, &pairs).await
        }
    };
    // Without a reason, nothing is recorded.
    assert_eq!(post(form("  ")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.state.store.confirmations().await.unwrap().is_empty());
    // Without the session's CSRF token, refused.
    let mut forged = form("x");
    forged[0].1 = "0".repeat(64);
    assert_ne!(post(forged).await.status, StatusCode::SEE_OTHER);

    let done = post(form("经核对统计年报，2023年试生产，营业收入属实")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = text_of(&app.get(&page, &cookie).await.body);
    assert!(!after.contains("数据疑点（"), "{after}");
    assert!(after.contains("100,000.00 元"), "the entry award once the value is confirmed: {after}");
    assert!(after.contains("确认数值"), "the confirmation is in the record's history: {after}");
    // A second confirmation of the same finding: it is no longer in force.
    assert_eq!(post(form("再次")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let kept = app.state.store.confirmations().await.unwrap();
    assert!(kept.iter().all(|c| c.actor == "clerk" && c.uscc == uscc && c.year == 2023), "{kept:?}");
}

#[tokio::test]
async fn only_those_who_keep_the_enterprise_records_may_confirm() {
    let (app, uscc) = registry().await;
    let path = format!("/enterprises/{uscc}/confirm");
    for user in ["leader", "food", "finance"] {
        let cookie = app.session(user).await;
        // Take a valid token from a page this user may open.
        let csrf = token_in(&app.get("/dashboard", &cookie).await.body);
        let r = app
            .post(&path, &cookie, &[("csrf", &csrf), ("check", "unit_jump"), ("year", "2023"), ("reason", "x")])
            .await;
        assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{user}: {}", r.status);
        let page = app.get(&format!("/enterprises/{uscc}"), &cookie).await;
        assert!(!page.body.contains("确认数值无误"), "{user} is not offered the form");
    }
    assert!(app.state.store.confirmations().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_upload_shows_its_doubtful_values_where_they_are_in_the_file() {
    let (app, uscc, data) = registry_and_data().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("年报.xlsx");
    lianzhang_facts::write_xlsx(&data, &file, lianzhang_facts::HeaderLanguage::Chinese, None).unwrap();
    let cookie = app.session("clerk").await;
    let csrf = token_in(&app.get("/import", &cookie).await.body);
    // Named .xls although it is an .xlsx, as some systems' 导出Excel do: read by its content.
    let page = app.upload(&cookie, &csrf, "年报.xls", &std::fs::read(&file).unwrap()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let text = text_of(&page.body);
    assert!(text.contains("数据疑点 1 处"), "{text}");
    assert!(text.contains("年度数据:3:营业收入: 2,200元"), "{text}");
    assert!(text.contains(&uscc));
}
