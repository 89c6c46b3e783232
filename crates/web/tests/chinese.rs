//! Chinese throughout, for the people who read it (issue 8 item 5), in-process against a real
//! SQLite registry: the edit form's drop-downs show Chinese names and post the codes the
//! registry stores; the audit trail reads as Chinese, with no codes and no JSON.
mod common;
use axum::http::StatusCode;
use common::*;
use lianzhang_facts::{Annual, DatasetBuilder, Enterprise, Fen, Uscc};
use lianzhang_store::Role;

/// The shared harness, with the steel enterprise this file edits.
struct App {
    inner: common::App,
    steel: String,
}

impl std::ops::Deref for App {
    type Target = common::App;
    fn deref(&self) -> &common::App {
        &self.inner
    }
}

async fn app() -> App {
    let policy = common::policy();
    let v = &policy.vocabulary;
    let mut b = DatasetBuilder::new(v.clone());
    let ent = |n: u32, name: &str, chain: &str, town: &str| Enterprise {
        uscc: Uscc::from_body(format!("91140525MA{n:07}").as_bytes()),
        name: name.to_string(),
        chain: v.chain(chain),
        stage: v.chain(chain).and_then(|c| v.stage(c, "粗钢")),
        town: Some(town.into()),
        industry_code: None,
        strategic_emerging: Some(false),
        established: None,
        chain_joined_year: None,
    };
    let steel = ent(1, "泽州钢铁有限公司", "steel", "巴公镇");
    let food = ent(2, "泽州食品有限公司", "food", "金村镇");
    for e in [&steel, &food] {
        b.enterprise(e.clone());
        b.annual(
            e.uscc,
            Annual { revenue: Some(Fen::yuan(30_000_000)), above_scale: Some(true), ..Annual::unknown(2023) },
        );
    }
    let steel = steel.uscc.as_str().to_string();
    App { inner: common::app(policy, &b.build().unwrap()).await, steel }
}

/// The `<select name="…">` element of a page.
fn select<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html.find(&format!("<select name=\"{name}\"")).unwrap_or_else(|| panic!("a drop-down {name}"));
    let end = start + html[start..].find("</select>").unwrap();
    &html[start..end]
}

/// The text shown by the options of a drop-down (what a clerk reads).
fn option_texts(select: &str) -> Vec<String> {
    select
        .split("<option")
        .skip(1)
        .map(|o| o[o.find('>').unwrap() + 1..].split('<').next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_edit_form_offers_chinese_drop_downs_and_stores_the_codes() {
    let app = app().await;
    let admin = app.session("admin").await;
    let path = format!("/enterprises/{}/edit", app.steel);
    let form = app.get(&format!("{path}?year=2023"), &admin).await;
    assert_eq!(form.status, StatusCode::OK);
    let html = &form.body;

    // 产业链: Chinese names, the code only as the value; the current one chosen.
    let chain = select(html, "chain");
    assert!(chain.contains("<option value=\"steel\" selected>钢铁</option>"), "{chain}");
    assert!(option_texts(chain).contains(&"废旧物资综合利用".to_string()));
    assert!(option_texts(chain).iter().all(|t| !t.chars().any(|c| c.is_ascii_alphabetic())), "{chain}");
    // 环节: grouped by chain (works without script), the current stage of the current chain chosen.
    let stage = select(html, "stage");
    assert!(stage.contains("<optgroup label=\"钢铁\" data-chain=\"steel\">"), "{stage}");
    assert!(stage.contains("<optgroup label=\"化工\" data-chain=\"chemical\">"), "{stage}");
    assert!(stage.contains("<option value=\"粗钢\" selected>粗钢</option>"), "{stage}");
    assert_eq!(stage.matches(" selected>").count(), 1, "one stage chosen: {stage}");
    // 乡镇: the towns of the registry, the current one chosen; a new one is typed beside it.
    let town = select(html, "town");
    assert!(town.contains("<option value=\"巴公镇\" selected>巴公镇</option>") && town.contains(">金村镇<"), "{town}");
    assert!(html.contains("name=\"town_new\""));
    // 是/否 with 未知, which is not 否.
    assert_eq!(option_texts(select(html, "above_scale")), ["未知", "是", "否"]);
    assert!(select(html, "above_scale").contains("<option value=\"是\" selected>是</option>"));
    assert!(select(html, "chain_master").contains("<option value=\"\" selected>未知</option>"));
    assert!(select(html, "strategic_emerging").contains("<option value=\"否\" selected>否</option>"));
    // Recognition kinds and project categories by Chinese name; dates and years as typed.
    assert!(select(html, "recognition").contains("<option value=\"innovative_sme\">创新型中小企业</option>"));
    assert!(select(html, "pn.category").contains("<option value=\"transformation\">工业转型强基</option>"));
    assert!(html.contains(
        "name=\"established\" id=\"f-established\" inputmode=\"text\" value=\"\" placeholder=\"如 2015年3月5日"
    ));
    assert!(html.contains("name=\"chain_joined_year\" id=\"f-chain_joined_year\" inputmode=\"numeric\""));

    // A stage of another chain (possible without script) is refused at its column.
    let csrf = token_in(html);
    let mixed = app.post(&path, &admin, &[("csrf", &csrf), ("year", "2023"), ("stage", "甲醇")]).await;
    assert_eq!(mixed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mixed.body.contains("有 1 处错误") && mixed.body.contains("<li>环节：甲醇："), "{}", mixed.body);
    assert!(!mixed.body.contains("<li>stage"), "the column by its Chinese name");

    // An edit through the drop-downs stores the codes.
    let saved = app
        .post(
            &path,
            &admin,
            &[
                ("csrf", &csrf),
                ("year", "2023"),
                ("chain", "chemical"),
                ("stage", "甲醇"),
                ("town", "巴公镇"),
                ("town_new", "柳树口镇"),
                ("strategic_emerging", "是"),
                ("established", "2015年3月5日"),
                ("chain_joined_year", "2019年"),
                ("above_scale", ""),
                ("chain_master", "否"),
                ("recognition", "innovative_sme"),
                ("pn.project_id", "XM-2023-01"),
                ("pn.name", "焦炉煤气制甲醇"),
                ("pn.category", "transformation"),
                ("pn.fixed_asset_investment", "12000000"),
                ("pn.start_year", "2023"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let v = &app.state.policy.vocabulary;
    let uscc = Uscc::parse(&app.steel).unwrap();
    let ds = app.state.store.enterprise(v, &uscc).await.unwrap().unwrap();
    let f = ds.get(0);
    let e = f.enterprise;
    assert_eq!(e.chain, v.chain("chemical"));
    assert_eq!(e.stage, v.stage(v.chain("chemical").unwrap(), "甲醇"));
    assert_eq!((e.town.as_deref(), e.strategic_emerging), (Some("柳树口镇"), Some(true)));
    assert_eq!(e.established.map(|d| d.to_string()).as_deref(), Some("2015-03-05"));
    assert_eq!(e.chain_joined_year, Some(2019));
    let row = f.row(2023).unwrap();
    assert_eq!((row.above_scale, row.chain_master), (None, Some(false)), "未知 is unknown, not 否");
    assert_eq!(
        f.recognitions.iter().map(|r| v.kind_info(r.kind).code.as_str()).collect::<Vec<_>>(),
        ["innovative_sme"]
    );
    let p = &f.projects[0];
    assert_eq!(
        (p.project_id.as_str(), p.category.map(|c| v.category_info(c).code.as_str())),
        ("XM-2023-01", Some("transformation"))
    );
    assert_eq!(p.fixed_asset_investment, Some(Fen::yuan(12_000_000)));
    // The codes are what the registry keeps (the audit trail records the stored cells).
    let trail = app.state.store.audit(Some(("enterprises", &app.steel)), 20).await.unwrap();
    let stored =
        |field: &str| trail.iter().find(|a| a.field.as_deref() == Some(field)).and_then(|a| a.new_value.clone());
    assert_eq!(stored("chain").as_deref(), Some("chemical"));
    assert_eq!(stored("strategic_emerging").as_deref(), Some("是"));

    // The form shows the saved project with its category chosen by name.
    let again = app.get(&format!("{path}?year=2023"), &admin).await.body;
    assert!(select(&again, "p0.category").contains("<option value=\"transformation\" selected>工业转型强基</option>"));
    assert!(again.contains("创新型中小企业") && select(&again, "town").contains("柳树口镇"));
    assert!(
        again.contains("name=\"established\" id=\"f-established\" inputmode=\"text\" value=\"2015年3月5日\""),
        "shown as typed"
    );
}

#[tokio::test]
async fn a_task_force_is_offered_only_its_own_chain() {
    let app = app().await;
    let steel = app.session("steel").await;
    let form = app.get(&format!("/enterprises/{}/edit", app.steel), &steel).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(option_texts(select(&form.body, "chain")), ["钢铁"]);
    assert!(!select(&form.body, "stage").contains("data-chain=\"chemical\""));
    // The frame names its chain in Chinese.
    assert!(form.body.contains("专班成员 · 钢铁"), "{}", &form.body[..form.body.find("</header>").unwrap()]);
}

#[tokio::test]
async fn the_audit_trail_reads_in_chinese_without_codes_or_json() {
    let app = app().await;
    let admin = app.session("admin").await;
    let path = format!("/enterprises/{}/edit", app.steel);
    let csrf = token_in(&app.get(&path, &admin).await.body);
    let form = [
        ("csrf", csrf.as_str()),
        ("year", "2023"),
        ("chain", "chemical"),
        ("stage", "甲醇"),
        ("chain_master", "是"),
        ("revenue", "31000000.50"),
    ];
    assert_eq!(app.post(&path, &admin, &form).await.status, StatusCode::SEE_OTHER);
    // User administration: a new task force, its scope changed, its tokens revoked, disabled.
    let store = &app.state.store;
    store.add_user("food1", "食品专班", Role::TaskForce, Some("food"), "x", "admin").await.unwrap();
    store.set_role("food1", Role::Bureau, None, "admin").await.unwrap();
    store.add_token("food1", "secret-token").await.unwrap();
    store.revoke_tokens("food1", "admin").await.unwrap();
    store.set_disabled("food1", true, "admin").await.unwrap();
    store.set_password("food1", "y", "admin").await.unwrap();

    let page = app.get("/admin/audit", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    let table = &text_of(&body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()]);
    // No JSON and no codes where a clerk reads.
    for raw in
        ["{", "\"sheet\"", "chemical", "chain_master", "task_force", "bureau", "revenue", "enterprises", "annual"]
    {
        assert!(!table.contains(raw), "{raw} shown: {table}");
    }
    // Tables, fields, actions and values in Chinese; the enterprise by name; who by name.
    for zh in [
        "修改",
        "产业链",
        "钢铁",
        "化工",
        "环节",
        "粗钢",
        "甲醇",
        "链主企业",
        "未知",
        "营业收入",
        "3,100.00 万元（31,000,000.50 元）",
        "泽州钢铁有限公司 · 2023 年",
        "管理员（admin）",
        "导入",
        "网页编辑",
        "企业：修改 1 行；年度数据：修改 1 行",
        "文件 fixture",
        "企业：新增 2 行；年度数据：新增 2 行",
        "用户 食品专班（food1）",
        "专班成员",
        "工信局",
        "产业链范围",
        "全部产业链",
        "接口令牌",
        "0 个（已全部吊销）",
        "账户状态",
        "已停用（",
        "（已重置）",
    ] {
        assert!(table.contains(zh), "{zh} missing: {table}");
    }
    // Time as Beijing time to the second.
    let stored = store.audit(None, 1).await.unwrap()[0].at.clone();
    let t: jiff::Timestamp = stored.parse().unwrap();
    let beijing =
        t.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).strftime("%Y-%m-%d %H:%M:%S").to_string();
    assert!(table.contains(&beijing), "{beijing}: {table}");
    // The filter by table is offered by Chinese name.
    assert!(body.contains("<option value=\"annual\" >年度数据</option>"), "{body}");

    // The enterprise's own history: the same reading, without repeating its name.
    let record = app.get(&format!("/enterprises/{}", app.steel), &admin).await.body;
    let history = &text_of(&record[record.find("<h2>修改记录</h2>").unwrap()..]);
    assert!(history.contains("2023 年度数据") && history.contains("31,000,000.50 元") && history.contains("化工"));
    assert!(!history.contains("chemical") && !history.contains("revenue") && !history.contains('{'), "{history}");
}

/// The value of an attribute in a tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(tag[at..at + tag[at..].find('"')?].to_string())
}

/// What a browser posts for a form page as shown: every input and every drop-down's choice.
fn as_posted(html: &str) -> Vec<(String, String)> {
    let form = &html[html.find("<form method=\"post\" action=\"/enterprises/").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    let mut out = Vec::new();
    for tag in form.split("<input").skip(1) {
        let tag = &tag[..tag.find('>').unwrap()];
        if let Some(name) = attr(tag, "name") {
            out.push((name, attr(tag, "value").unwrap_or_default()));
        }
    }
    for sel in form.split("<select").skip(1) {
        let name = attr(&sel[..sel.find('>').unwrap()], "name").unwrap();
        let body = &sel[..sel.find("</select>").unwrap()];
        let options: Vec<&str> = body.split("<option").skip(1).collect();
        let chosen = options.iter().find(|o| o[..o.find('>').unwrap()].contains(" selected")).unwrap_or(&options[0]);
        out.push((name, attr(chosen, "value").unwrap_or_default()));
    }
    out
}

fn set(form: &mut [(String, String)], name: &str, value: &str) {
    form.iter_mut().find(|f| f.0 == name).unwrap_or_else(|| panic!("{name} in the form")).1 = value.to_string();
}

#[tokio::test]
async fn a_form_opened_before_a_colleagues_edit_never_undoes_it() {
    let app = app().await;
    let admin = app.session("admin").await;
    let path = format!("/enterprises/{}/edit", app.steel);
    // The clerk opens the form; a colleague then changes the revenue and the town.
    let mut stale = as_posted(&app.get(&format!("{path}?year=2023"), &admin).await.body);
    assert!(stale.iter().any(|f| f.0 == "was.revenue" && f.1 == "30000000.00"), "{stale:?}");
    let colleague = app.session("steel").await;
    let csrf = token_in(&app.get(&path, &colleague).await.body);
    let r = app
        .post(&path, &colleague, &[("csrf", &csrf), ("year", "2023"), ("revenue", "32000000"), ("town", "金村镇")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The clerk saves a change of another field from the stale form: only that change lands.
    set(&mut stale, "chain_master", "是");
    let pairs: Vec<(&str, &str)> = stale.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app.post(&path, &admin, &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let v = &app.state.policy.vocabulary;
    let uscc = Uscc::parse(&app.steel).unwrap();
    let load = || async { app.state.store.enterprise(v, &uscc).await.unwrap().unwrap() };
    let ds = load().await;
    let row = *ds.get(0).row(2023).unwrap();
    assert_eq!((row.revenue, row.chain_master), (Some(Fen::yuan(32_000_000)), Some(true)), "the colleague's edit kept");
    assert_eq!(ds.get(0).enterprise.town.as_deref(), Some("金村镇"));

    // Changing the very cell the colleague changed: refused, saying who changed it to what.
    let mut stale = as_posted(&app.get(&format!("{path}?year=2023"), &admin).await.body);
    let r = app.post(&path, &colleague, &[("csrf", &csrf), ("year", "2023"), ("revenue", "33000000")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    set(&mut stale, "revenue", "34000000");
    let pairs: Vec<(&str, &str)> = stale.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let clash = app.post(&path, &admin, &pairs).await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    assert!(
        clash.body.contains("营业收入：34000000：打开表单后此项已被他人改为“33000000.00”（steel 于"),
        "{}",
        clash.body
    );
    assert_eq!(load().await.get(0).row(2023).unwrap().revenue, Some(Fen::yuan(33_000_000)), "nothing saved");
    // Saved again from the page that said so: the clerk's value, deliberately.
    let again = as_posted(&clash.body);
    let pairs: Vec<(&str, &str)> = again.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(app.post(&path, &admin, &pairs).await.status, StatusCode::SEE_OTHER);
    assert_eq!(load().await.get(0).row(2023).unwrap().revenue, Some(Fen::yuan(34_000_000)));
}
