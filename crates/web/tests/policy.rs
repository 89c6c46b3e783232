//! 政策 (issue 12): the policy page shows every rule with its original words, its condition, its
//! expression and its interpretation choices, to every role; the API serves the same; the
//! explanations on an enterprise's page link to their rule there.
mod common;
use axum::http::StatusCode;
use common::*;
use lianzhang_facts::{Annual, DatasetBuilder, Enterprise, Fen, Uscc};

async fn county() -> (App, String) {
    let p = policy();
    let mut b = DatasetBuilder::new(p.vocabulary.clone());
    let uscc = Uscc::from_body(b"91140525MA0000001");
    b.enterprise(Enterprise {
        uscc,
        name: "泽州县某某机械有限公司".into(),
        chain: p.vocabulary.chain("steel"),
        stage: None,
        town: None,
        industry_code: None,
        strategic_emerging: Some(false),
        established: None,
        chain_joined_year: None,
    });
    for (year, above) in [(2021, false), (2022, true)] {
        b.annual(
            uscc,
            Annual { revenue: Some(Fen::yuan(30_000_000)), above_scale: Some(above), ..Annual::unknown(year) },
        );
    }
    let data = b.build().unwrap();
    (app(p, &data).await, uscc.as_str().to_string())
}

#[tokio::test]
async fn every_role_reads_each_rule_with_its_original_words_and_choices() {
    let (app, _) = county().await;
    for user in ["admin", "clerk", "steel", "leader", "finance"] {
        let cookie = app.session(user).await;
        let r = app.get("/policy", &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{user}");
        let b = &r.body;
        assert_eq!(b.matches("class=\"card rule\"").count(), 16, "{user}: every rule");
        for part in [
            "泽州县制造业培育激励市场主体倍增的实施方案",
            "id=\"rule-local_sourcing_increase\"",
            // 原文 of 三（二）, as the document prints it.
            "对“链主”企业每提高5个百分点本地配套率的，在省、市级奖励基础上，县级财政按照配套率增幅相应采购额的1%给予补助，最高不超过100万元。",
            // The chosen interpretation and the other one, with their parameters.
            "按整5个百分点计入",
            "达到5个百分点后按实际增幅计入",
            "local_sourcing_increase.counting",
            // The rule in the policy language.
            "floor((local_procurement / total_procurement - local_procurement[-1] / total_procurement[-1]) / 5%) * 5%",
            // Groups and targets.
            "链主营业收入进档",
            "同年跨越多档，各档均奖",
            "新增规上工业企业",
        ] {
            assert!(
                b.contains(&part.replace('“', "&#8220;").replace('”', "&#8221;")) || b.contains(part),
                "{user}: {part}"
            );
        }
    }
}

#[tokio::test]
async fn the_api_serves_the_same_policy() {
    let (app, _) = county().await;
    let cookie = app.session("steel").await;
    let r = app.get("/api/v1/policy", &cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 16);
    let entry = rules.iter().find(|r| r["id"] == "above_scale_entry").unwrap();
    assert_eq!(entry["clause"], "三（四）");
    assert!(entry["source"].as_str().unwrap().contains("对当年首次“小升规”的工业企业，给予每户10万元的奖励。"));
    assert_eq!(entry["once"], true);
    let referral = rules.iter().find(|r| r["id"] == "rd_referral").unwrap();
    assert_eq!(referral["outcome"], "referral");
    let counting = &rules.iter().find(|r| r["id"] == "local_sourcing_increase").unwrap()["choices"][0];
    assert_eq!(
        (counting["key"].as_str(), counting["chosen"]["value"].as_str()),
        (Some("local_sourcing_increase.counting"), Some("\"whole_steps\""))
    );
    assert_eq!(v["hash"].as_str().unwrap().len(), 64);
    // Without a session or token: 401 as JSON.
    assert_eq!(app.get("/api/v1/policy", "").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_enterprise_s_outcomes_link_to_their_rule() {
    let (app, uscc) = county().await;
    let cookie = app.session("clerk").await;
    let r = app.get(&format!("/enterprises/{uscc}"), &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    // To the version in force for the outcome's year.
    assert!(r.body.contains("href=\"/policy?year=2022#rule-above_scale_entry\""), "{}", r.body);
}
