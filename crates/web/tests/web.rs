//! The web application in-process (the real router, a real SQLite registry): login, lockout,
//! CSRF, data scope by role on pages and the API, escaping, and search input.
mod common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use lianzhang_facts::{Annual, DatasetBuilder, Enterprise, Fen, Uscc};
use lianzhang_policy::PolicyFile;
use lianzhang_store::{Role, Store};
use lianzhang_web::{AppState, auth, router};
use std::sync::Arc;
use tower::ServiceExt;

struct App {
    state: Arc<AppState>,
    _dir: tempfile::TempDir,
    steel: String,
    other: String,
}

const PASSWORD: &str = "correct horse battery";

async fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("w.db").display())).await.unwrap();
    let policy = PolicyFile::bundled().compile().unwrap();
    store.seed_chains(&policy).await.unwrap();
    let v = &policy.vocabulary;
    let mut b = DatasetBuilder::new(v.clone());
    let ent = |n: u32, name: &str, chain: &str| Enterprise {
        uscc: Uscc::from_body(format!("91140525MA{n:07}").as_bytes()),
        name: name.to_string(),
        chain: v.chain(chain),
        stage: None,
        town: Some("巴公镇".into()),
        industry_code: None,
        strategic_emerging: Some(false),
        established: None,
        chain_joined_year: None,
    };
    let steel = ent(1, "泽州钢铁有限公司", "steel");
    let other = ent(2, "<script>alert(1)</script>", "food");
    for e in [&steel, &other] {
        b.enterprise(e.clone());
        b.annual(
            e.uscc,
            Annual { revenue: Some(Fen::yuan(30_000_000)), above_scale: Some(true), ..Annual::unknown(2023) },
        );
    }
    store.import(&b.build().unwrap(), "test", "fixture", &|_, _| {}).await.unwrap();
    let hash = auth::hash_password(PASSWORD);
    store.add_user("admin", "管理员", Role::Admin, None, &hash, "t").await.unwrap();
    store.add_user("steel", "钢铁专班", Role::TaskForce, Some("steel"), &hash, "t").await.unwrap();
    store.add_user("finance", "财政", Role::Finance, None, &hash, "t").await.unwrap();
    App {
        state: AppState::new(store, lianzhang_policy::PolicyFile::bundled(), policy),
        _dir: dir,
        steel: steel.uscc.as_str().to_string(),
        other: other.uscc.as_str().to_string(),
    }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl App {
    async fn send(&self, req: Request<Body>) -> Reply {
        let res = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
        Reply { status, headers, body }
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut r = Request::get(path);
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        self.send(r.body(Body::empty()).unwrap()).await
    }

    async fn post(&self, path: &str, cookie: &str, form: &str) -> Reply {
        let r = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string()))
            .unwrap();
        self.send(r).await
    }

    /// Attempts a login; returns the reply and the cookie header for later requests.
    async fn login(&self, user: &str, password: &str) -> (Reply, String) {
        let form = self.get("/login", None).await;
        let csrf = token_in(&form.body);
        let login_cookie = format!("{}={csrf}", auth::LOGIN_CSRF_COOKIE);
        let r = self.post("/login", &login_cookie, &format!("username={user}&password={password}&csrf={csrf}")).await;
        let session = r
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(auth::SESSION_COOKIE))
            .map(|c| c.split(';').next().unwrap().to_string())
            .unwrap_or_default();
        (r, session)
    }

    async fn session(&self, user: &str) -> String {
        let (r, cookie) = self.login(user, &PASSWORD.replace(' ', "+")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        cookie
    }
}

fn token_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..at + 64].to_string()
}

#[tokio::test]
async fn login_sets_a_strict_httponly_session_and_pages_need_it() {
    let app = app().await;
    assert_eq!(app.get("/dashboard", None).await.headers[header::LOCATION], "/login");
    let (r, cookie) = app.login("admin", &PASSWORD.replace(' ', "+")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let set = r.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>();
    let session = set.iter().find(|c| c.starts_with("lz_session=")).unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"), "{session}");
    // The login form's CSRF cookie is removed under the path it was set with.
    assert!(
        set.iter().any(|c| c.starts_with("lz_login_csrf=;") && c.contains("Path=/login") && c.contains("Max-Age=0"))
    );
    let dash = app.get("/dashboard", Some(&cookie)).await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.body.contains("数据大屏") && dash.body.contains("目标完成情况"));
}

#[tokio::test]
async fn the_login_page_gets_its_style_script_and_font_from_the_binary() {
    let app = app().await;
    assert!(app.get("/login", None).await.body.contains("href=\"/assets/style.css\""));
    for asset in ["/assets/style.css", "/assets/app.js", "/assets/fonts/lianzhang-sans-sc.woff2"] {
        assert_eq!(app.get(asset, None).await.status, StatusCode::OK, "{asset} without a session");
    }
    let css = app.get("/assets/style.css", None).await.body;
    assert!(css.contains("url(/assets/fonts/lianzhang-sans-sc.woff2)") && !css.contains("http"));
    let font = app.get("/assets/fonts/lianzhang-sans-sc.woff2", None).await;
    assert_eq!(font.headers[header::CONTENT_TYPE], "font/woff2");
    assert!(font.body.starts_with("wOF2"), "a WOFF2 file");
    assert!(app.get("/assets/fonts/OFL.txt", None).await.body.contains("SIL OPEN FONT LICENSE"));
}

#[tokio::test]
async fn five_failed_logins_lock_the_account() {
    let app = app().await;
    for _ in 0..5 {
        let (r, cookie) = app.login("admin", "wrong").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(cookie.is_empty());
    }
    let (r, cookie) = app.login("admin", &PASSWORD.replace(' ', "+")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "locked even with the right password");
    assert!(r.body.contains("锁定"), "{}", r.body);
    assert!(cookie.is_empty());
}

#[tokio::test]
async fn forms_without_their_csrf_token_are_refused() {
    let app = app().await;
    // Login without the double-submit token.
    let r = app.post("/login", "", &format!("username=admin&password={}", PASSWORD.replace(' ', "+"))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Logout without, and with a wrong token: refused, the session survives.
    let cookie = app.session("admin").await;
    assert_eq!(app.post("/logout", &cookie, "").await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post("/logout", &cookie, &format!("csrf={}", "0".repeat(64))).await.status, StatusCode::FORBIDDEN);
    let page = app.get("/dashboard", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let r = app.post("/logout", &cookie, &format!("csrf={}", token_in(&page.body))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/dashboard", Some(&cookie)).await.status, StatusCode::SEE_OTHER, "logged out");
}

#[tokio::test]
async fn a_task_force_sees_only_its_chain_by_page_and_api() {
    let app = app().await;
    let cookie = app.session("steel").await;
    assert_eq!(app.get(&format!("/enterprises/{}", app.steel), Some(&cookie)).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/enterprises/{}", app.other), Some(&cookie)).await.status, StatusCode::FORBIDDEN);
    let list = app.get("/enterprises?chain=food", Some(&cookie)).await;
    assert!(list.body.contains(&app.steel) && !list.body.contains(&app.other), "the chain filter is forced");
    let api = app.get("/api/v1/enterprises?chain=food", Some(&cookie)).await;
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["uscc"], app.steel.as_str());
    let denied = app.get(&format!("/api/v1/enterprises/{}", app.other), Some(&cookie)).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&denied.body).unwrap()["error"]["status"], 403);
    // Finance sees no enterprise records at all.
    let fin = app.session("finance").await;
    assert_eq!(app.get("/enterprises", Some(&fin)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_api_takes_bearer_tokens_and_answers_errors_in_json() {
    let app = app().await;
    assert_eq!(app.get("/api/v1/enterprises", None).await.status, StatusCode::UNAUTHORIZED);
    app.state.store.add_token("admin", "t0ken-for-tests").await.unwrap();
    let req = |path: &str, token: &str| {
        Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap()
    };
    assert_eq!(app.send(req("/api/v1/enterprises", "wrong")).await.status, StatusCode::UNAUTHORIZED);
    let ok = app.send(req(&format!("/api/v1/enterprises/{}", app.steel), "t0ken-for-tests")).await;
    assert_eq!(ok.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&ok.body).unwrap();
    assert_eq!(v["annual"][0]["revenue"], "30000000.00");
    assert!(v["outcomes"].as_array().unwrap().iter().any(|o| o["rule"] == "above_scale_entry"));
    let missing = app.send(req("/api/v1/enterprises/91140525MA0000009X", "t0ken-for-tests")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad = app.send(req("/api/v1/enterprises?page=minus-one", "t0ken-for-tests")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let spec = app.get("/api/openapi.json", None).await;
    let spec: serde_json::Value = serde_json::from_str(&spec.body).unwrap();
    assert!(spec["paths"]["/api/v1/enterprises/{uscc}"]["get"].is_object());
    // An unknown endpoint is a JSON 404 too; an unknown page is a Chinese page.
    let none = app.send(req("/api/v1/nothing", "t0ken-for-tests")).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let json: serde_json::Value = serde_json::from_str(&none.body).expect("a JSON body");
    assert_eq!(json["error"]["status"], 404);
    let page = app.get("/nothing", None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("未找到"));
}

#[tokio::test]
async fn markup_in_names_is_text_and_sql_in_search_is_just_a_search() {
    let app = app().await;
    let cookie = app.session("admin").await;
    let page = app.get(&format!("/enterprises/{}", app.other), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert(1)</script>"), "escaped");
    assert!(page.body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "shown as text");
    let list = app.get("/enterprises", Some(&cookie)).await;
    assert!(!list.body.contains("<script>alert"));
    for q in ["%27%20OR%201%3D1%20--", "%25", "_", "x%27%3B%20DROP%20TABLE%20enterprises%3B%20--"] {
        let r = app.get(&format!("/api/v1/enterprises?q={q}"), Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{q}");
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["total"], 0, "{q} matches nothing");
    }
    assert_eq!(app.state.store.count("enterprises").await.unwrap(), 2, "nothing dropped");
    let r = app.get("/api/v1/enterprises?q=%E9%92%A2%E9%93%81", Some(&cookie)).await;
    assert_eq!(serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["total"], 1, "钢铁 finds one");
}

#[tokio::test]
async fn the_chain_map_draws_stages_gaps_and_links_within_scope() {
    let app = app().await;
    let admin = app.session("admin").await;
    let list = app.get("/chains", Some(&admin)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("/chains/steel") && list.body.contains("钢铁"));
    let map = app.get("/chains/steel", Some(&admin)).await;
    assert_eq!(map.status, StatusCode::OK);
    assert!(
        map.body.contains("<svg") && map.body.contains("缺口 · 招商"),
        "every steel stage but the unplaced one is a gap"
    );
    assert!(map.body.contains("/chains/recycling"), "the link from the recycling chain");
    // The steel enterprise has no stage: counted, not placed.
    assert!(map.body.contains("另有 1 家企业未填环节"));
    // A steel task force sees the food chain's map, but no names in it.
    let steel = app.session("steel").await;
    let food = app.get("/chains/food", Some(&steel)).await;
    assert!(food.body.contains("仅显示数量") && !food.body.contains(&app.other));
    assert_eq!(app.get("/chains/nowhere", Some(&admin)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn editing_a_field_validates_like_import_and_lands_in_the_audit_trail() {
    let app = app().await;
    let cookie = app.session("admin").await;
    let form = app.get(&format!("/enterprises/{}/edit?year=2023", app.steel), Some(&cookie)).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = token_in(&form.body);
    let path = format!("/enterprises/{}/edit", app.steel);
    // Without the token: refused, nothing changes.
    assert_eq!(app.post(&path, &cookie, "year=2023&revenue=1").await.status, StatusCode::FORBIDDEN);
    // Invalid cells: every error shown, nothing written.
    let bad = app.post(&path, &cookie, &format!("csrf={csrf}&year=2023&revenue=-5&chain_joined_year=abc")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("有 2 处错误"), "{}", bad.body);
    assert_eq!(app.state.store.audit(Some(("annual", &format!("{}|2023", app.steel))), 5).await.unwrap().len(), 0);
    // A valid change: saved, audited with who, old and new.
    let ok = app
        .post(&path, &cookie, &format!("csrf={csrf}&year=2023&revenue=31000000.50&town=%E9%87%91%E6%9D%91%E9%95%87"))
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let trail = app.state.store.audit(Some(("annual", &format!("{}|2023", app.steel))), 5).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!((trail[0].actor.as_str(), trail[0].field.as_deref()), ("admin", Some("revenue")));
    assert_eq!(
        (trail[0].old_value.as_deref(), trail[0].new_value.as_deref()),
        (Some("30000000.00"), Some("31000000.50"))
    );
    let record = app.get(&format!("/enterprises/{}", app.steel), Some(&cookie)).await;
    assert!(
        record.body.contains("金村镇") && record.body.contains("31,000,000.50 元"),
        "shown in the record's audit history"
    );
    // A task force may not edit another chain's enterprise, nor move its own elsewhere.
    let steel = app.session("steel").await;
    let other = format!("/enterprises/{}/edit", app.other);
    assert_eq!(app.get(&other, Some(&steel)).await.status, StatusCode::FORBIDDEN);
    let own = app.get(&format!("/enterprises/{}/edit", app.steel), Some(&steel)).await;
    let moved = app.post(&path, &steel, &format!("csrf={}&year=2023&chain=food", token_in(&own.body))).await;
    assert_eq!(moved.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn administration_users_and_the_audit_trail() {
    let app = app().await;
    let admin = app.session("admin").await;
    let steel = app.session("steel").await;
    assert_eq!(app.get("/admin/users", Some(&steel)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/admin/audit", Some(&steel)).await.status, StatusCode::FORBIDDEN);
    let page = app.get("/admin/users", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = token_in(&page.body);
    assert_eq!(
        app.post("/admin/users", &admin, "username=x&display_name=x&role=bureau&password=12345678").await.status,
        StatusCode::FORBIDDEN,
        "no token"
    );
    let short = app
        .post("/admin/users", &admin, &format!("csrf={csrf}&username=x&display_name=&role=bureau&password=123"))
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let tf = app
        .post(
            "/admin/users",
            &admin,
            &format!("csrf={csrf}&username=tf&display_name=&role=task_force&chain=&password=12345678"),
        )
        .await;
    assert!(tf.body.contains("须指定产业链"), "{}", tf.body);
    let ok = app
        .post("/admin/users", &admin, &format!("csrf={csrf}&username=food1&display_name=%E9%A3%9F%E5%93%81&role=task_force&chain=food&password=12345678"))
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let user = app.state.store.user("food1").await.unwrap().unwrap();
    assert_eq!((user.role, user.chain.as_deref()), (Role::TaskForce, Some("food")));
    let trail = app.get("/admin/audit?table=users", Some(&admin)).await;
    assert!(trail.body.contains("food1") && trail.body.contains("专班成员") && !trail.body.contains("task_force"));
    let filtered = app.get("/admin/audit?actor=nobody", Some(&admin)).await;
    assert!(filtered.body.contains("共 0 条"));
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut w, text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

impl App {
    async fn upload(&self, cookie: &str, csrf: &str, name: &str, bytes: &[u8]) -> Reply {
        let (ct, body) = common::multipart(csrf, name, bytes);
        let r = Request::post("/import")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        self.send(r).await
    }
}

#[tokio::test]
async fn import_in_the_browser_shows_every_error_then_imports_on_confirmation() {
    let app = app().await;
    let admin = app.session("admin").await;
    let page = app.get("/import", Some(&admin)).await;
    let csrf = token_in(&page.body);
    // Errors: every one listed, nothing imported.
    let bad =
        zip_of(&[("enterprises.csv", "uscc,name,chain\n91140525MA0000001X,甲,steel\n91140525MA0000003I,乙,nowhere\n")]);
    let r = app.upload(&admin, &csrf, "bad.zip", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("有 3 处错误") || r.body.contains("处错误"), "{}", r.body);
    assert!(r.body.contains("<td>企业</td>") && r.body.contains("nowhere"));
    assert_eq!(app.state.store.count("enterprises").await.unwrap(), 2);
    // Without the token: refused.
    assert_eq!(app.upload(&admin, "", "bad.zip", &bad).await.status, StatusCode::FORBIDDEN);
    // A valid file: checked, then imported on confirmation.
    let u = Uscc::from_body(b"91140525MA0000077").to_string();
    let good = zip_of(&[("enterprises.csv", &format!("uscc,name,chain\n{u},新企业,food\n"))]);
    let r = app.upload(&admin, &csrf, "good.zip", &good).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("校验通过，1 家企业"));
    let id_at = r.body.find("name=\"id\" value=\"").unwrap() + 17;
    let id = &r.body[id_at..id_at + 64];
    assert_eq!(app.state.store.count("enterprises").await.unwrap(), 2, "not before confirmation");
    let done = app.post("/import/confirm", &admin, &format!("csrf={csrf}&id={id}")).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("导入完成"));
    assert_eq!(app.state.store.count("enterprises").await.unwrap(), 3);
    // A task force cannot import another chain's enterprises.
    let steel = app.session("steel").await;
    let steel_csrf = token_in(&app.get("/import", Some(&steel)).await.body);
    let r = app.upload(&steel, &steel_csrf, "good.zip", &good).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("不属于您的产业链"));
    // Nor take one over by relabelling it with its own chain: the record's chain counts too.
    let takeover = zip_of(&[("enterprises.csv", &format!("uscc,name,chain\n{},被改名公司,steel\n", app.other))]);
    let r = app.upload(&steel, &steel_csrf, "takeover.zip", &takeover).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("不属于您的产业链"));
    let food = app.get(&format!("/enterprises/{}", app.other), Some(&admin)).await.body;
    assert!(!food.contains("被改名公司"), "nothing changed");
    // Its own chain's enterprise it may correct.
    let own = zip_of(&[("enterprises.csv", &format!("uscc,name,chain\n{},泽州钢铁集团,steel\n", app.steel))]);
    let r = app.upload(&steel, &steel_csrf, "own.zip", &own).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Nor move another chain's project (keyed by its id alone) to its own enterprise.
    let header = "project_id,uscc,name,category,fixed_asset_investment,start_year,completed_year";
    let food_project = zip_of(&[
        ("enterprises.csv", &format!("uscc,name,chain\n{},食品公司,food\n", app.other)),
        ("projects.csv", &format!("{header}\nXM-FOOD-1,{},冷链改造,digital,5000000,2023,2024\n", app.other)),
    ]);
    let r = app.upload(&admin, &csrf, "food.zip", &food_project).await;
    let id_at = r.body.find("name=\"id\" value=\"").unwrap() + 17;
    let confirmed =
        app.post("/import/confirm", &admin, &format!("csrf={csrf}&id={}", &r.body[id_at..id_at + 64])).await;
    assert_eq!(confirmed.status, StatusCode::OK);
    let grab = zip_of(&[
        ("enterprises.csv", &format!("uscc,name,chain\n{},泽州钢铁有限公司,steel\n", app.steel)),
        ("projects.csv", &format!("{header}\nXM-FOOD-1,{},冷链改造,digital,1,2023,2024\n", app.steel)),
    ]);
    let r = app.upload(&steel, &steel_csrf, "grab.zip", &grab).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("项目 XM-FOOD-1"), "{}", r.body);
}

#[tokio::test]
async fn leaders_and_finance_read_but_do_not_edit() {
    let app = app().await;
    let hash = auth::hash_password(PASSWORD);
    app.state.store.add_user("leader", "链长", Role::Leader, None, &hash, "t").await.unwrap();
    // The leader is liaison for the steel enterprise: it may read it, not edit it.
    let person = app.state.store.add_person("王县长", Some("副县长")).await.unwrap();
    app.state.store.add_liaison(person, &app.steel).await.unwrap();
    app.state.store.link_user_person("leader", person).await.unwrap();
    let leader = app.session("leader").await;
    let read = app.get(&format!("/enterprises/{}", app.steel), Some(&leader)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.body.contains("/edit\">编辑"), "no edit link for a reader");
    // The code in small letters is the same enterprise.
    let lower = app.get(&format!("/enterprises/{}", app.steel.to_lowercase()), Some(&leader)).await;
    assert_eq!(lower.status, StatusCode::OK);
    let admin = app.session("admin").await;
    // An out-of-range year is refused, not a crash.
    let odd = app.get(&format!("/enterprises/{}/edit?year=2147483647", app.steel), Some(&admin)).await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.get(&format!("/enterprises/{}", app.steel), Some(&admin)).await.body.contains("/edit\">编辑"));
    for user in ["leader", "finance"] {
        let cookie = app.session(user).await;
        let csrf = token_in(&app.get("/dashboard", Some(&cookie)).await.body);
        let path = format!("/enterprises/{}/edit", app.steel);
        assert_eq!(app.get(&path, Some(&cookie)).await.status, StatusCode::FORBIDDEN, "{user}");
        let r = app.post(&path, &cookie, &format!("csrf={csrf}&year=2023&revenue=999999999")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
    }
    let record = app.state.store.enterprise(&app.state.policy.vocabulary, &Uscc::parse(&app.steel).unwrap()).await;
    assert_eq!(record.unwrap().unwrap().get(0).row(2023).unwrap().revenue, Some(Fen::yuan(30_000_000)));
}

#[tokio::test]
async fn a_task_force_exports_only_its_chain_and_finance_cannot_export() {
    let app = app().await;
    let steel = app.session("steel").await;
    let r = app.get("/export.xlsx", Some(&steel)).await;
    assert_eq!(r.status, StatusCode::OK);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.xlsx");
    let res = router(app.state.clone())
        .oneshot(Request::get("/export.xlsx").header(header::COOKIE, &steel).body(Body::empty()).unwrap())
        .await
        .unwrap();
    std::fs::write(&path, res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let ds = lianzhang_facts::read_dataset(&path, &app.state.policy.vocabulary).unwrap();
    let usccs: Vec<String> = ds.enterprises().iter().map(|e| e.uscc.to_string()).collect();
    assert_eq!(usccs, vec![app.steel.clone()]);
    let fin = app.session("finance").await;
    assert_eq!(app.get("/export.xlsx", Some(&fin)).await.status, StatusCode::FORBIDDEN);
    let t = app.get("/import/template.xlsx", Some(&steel)).await;
    assert_eq!(t.status, StatusCode::OK);
}

#[tokio::test]
async fn filters_by_tier_and_the_record_draws_small_charts() {
    let app = app().await;
    let cookie = app.session("admin").await;
    let r = app.get("/api/v1/enterprises?tier=little_giant_national", Some(&cookie)).await;
    assert_eq!(serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["total"], 0);
    let r = app.get("/api/v1/enterprises?tier=", Some(&cookie)).await;
    assert_eq!(serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["total"], 2);
    let page = app.get(&format!("/enterprises/{}", app.steel), Some(&cookie)).await;
    assert_eq!(page.body.matches("class=\"spark\"").count(), 1, "revenue known; R&D and sourcing unknown");
    assert!(page.body.contains("无数据"));
}

#[tokio::test]
async fn a_session_idle_for_thirty_minutes_is_gone() {
    let app = app().await;
    let store = &app.state.store;
    let user = store.user("admin").await.unwrap().unwrap();
    store.open_session("idle-session", user.id, "csrf", 1_000_000).await.unwrap();
    let idle = auth::IDLE_SECS;
    assert!(store.session("idle-session", 1_000_000 + idle, idle).await.unwrap().is_some(), "30 minutes: still open");
    // Touched at +30 min, so +59 min is within 30 minutes of the last request.
    assert!(store.session("idle-session", 1_000_000 + idle + 29 * 60, idle).await.unwrap().is_some());
    assert!(
        store.session("idle-session", 1_000_000 + 2 * idle + 29 * 60 + 1, idle).await.unwrap().is_none(),
        "idle: closed"
    );
    assert!(store.session("idle-session", 1_000_000 + 2 * idle, idle).await.unwrap().is_none(), "and gone for good");
    assert_eq!(auth::IDLE_SECS, 30 * 60);
}

#[tokio::test]
async fn the_stage_filter_offers_the_chosen_chains_stages_and_survives_paging() {
    let app = app().await;
    let admin = app.session("admin").await;
    let enc = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    // No chain chosen: no stages to choose from.
    let all = app.get("/enterprises", Some(&admin)).await.body;
    assert!(all.contains("环节（先选产业链）") && !all.contains("<option value=\"粗钢\""));
    // A steel stage within steel: offered, chosen, and kept by the pager (page 2 of an empty list
    // still links back to page 1 with every filter).
    let steel = app.get(&format!("/enterprises?chain=steel&stage={}&page=2", enc("粗钢")), Some(&admin)).await.body;
    assert!(steel.contains("<option value=\"粗钢\" selected>") && steel.contains("<option value=\"配送\" >"));
    assert!(
        steel.contains(&format!("chain=steel&#38;stage={}&#38;", enc("粗钢"))),
        "pager keeps the stage: {}",
        &steel[steel.find("上一页").map_or(0, |i| i - 200)..][..300]
    );
    assert!(steel.contains("共 0 家"), "the steel enterprise has no stage");
    // A stage left over from another chain no longer filters: the food enterprise is listed.
    let food = app.get(&format!("/enterprises?chain=food&stage={}", enc("粗钢")), Some(&admin)).await.body;
    assert!(food.contains("共 1 家") && !food.contains("selected>粗钢"), "{}", &food[food.find("共").unwrap()..][..40]);
}

#[tokio::test]
async fn an_administrator_changes_scopes_unlocks_and_resets_passwords() {
    let app = app().await;
    let admin = app.session("admin").await;
    let csrf = token_in(&app.get("/admin/users", Some(&admin)).await.body);
    let change = |user: &str, form: String| {
        let admin = admin.clone();
        let app = &app;
        let path = format!("/admin/users/{user}");
        async move { app.post(&path, &admin, &form).await }
    };
    // A steel task force moved to food: its session ends, its new scope applies.
    let steel = app.session("steel").await;
    assert_eq!(app.get(&format!("/enterprises/{}", app.steel), Some(&steel)).await.status, StatusCode::OK);
    let r = change("steel", format!("csrf={csrf}&action=scope&role=task_force&chain=food")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.get("/dashboard", Some(&steel)).await.status, StatusCode::SEE_OTHER, "signed out");
    let food = app.session("steel").await;
    assert_eq!(app.get(&format!("/enterprises/{}", app.steel), Some(&food)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/enterprises/{}", app.other), Some(&food)).await.status, StatusCode::OK);
    // Refused: a task force without a chain, the last administrator demoted, no token, no admin.
    let r = change("steel", format!("csrf={csrf}&action=scope&role=task_force&chain=")).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("须指定产业链"), "{}", r.body);
    let r = change("admin", format!("csrf={csrf}&action=scope&role=bureau&chain=")).await;
    assert!(r.body.contains("至少须保留一名系统管理员"), "{}", r.body);
    assert_eq!(change("steel", "action=unlock".into()).await.status, StatusCode::FORBIDDEN);
    let food_csrf = token_in(&app.get("/enterprises", Some(&food)).await.body);
    let r = app.post("/admin/users/steel", &food, &format!("csrf={food_csrf}&action=unlock")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A locked account is unlocked; a new password works and the old one no longer does.
    for _ in 0..5 {
        app.login("finance", "wrong").await;
    }
    assert!(app.state.store.user("finance").await.unwrap().unwrap().locked_until.is_some());
    assert_eq!(change("finance", format!("csrf={csrf}&action=unlock")).await.status, StatusCode::SEE_OTHER);
    assert!(app.state.store.user("finance").await.unwrap().unwrap().locked_until.is_none());
    let r = change("finance", format!("csrf={csrf}&action=password&password=short")).await;
    assert!(r.body.contains("密码至少 8 个字符"));
    let r = change("finance", format!("csrf={csrf}&action=password&password=another+good+one")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.login("finance", &PASSWORD.replace(' ', "+")).await.0.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("finance", "another+good+one").await.0.status, StatusCode::SEE_OTHER);
    // A disabled account cannot sign in even with its password, and is told why; enabled, it can.
    assert_eq!(change("finance", format!("csrf={csrf}&action=disable")).await.status, StatusCode::SEE_OTHER);
    let (r, cookie) = app.login("finance", "another+good+one").await;
    assert!(r.status == StatusCode::UNAUTHORIZED && r.body.contains("已停用") && cookie.is_empty(), "{}", r.body);
    let (r, _) = app.login("finance", "wrong+password").await;
    assert!(!r.body.contains("已停用"), "nothing said without the password");
    assert_eq!(change("finance", format!("csrf={csrf}&action=enable")).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.login("finance", "another+good+one").await.0.status, StatusCode::SEE_OTHER);
    let r = change("admin", format!("csrf={csrf}&action=disable")).await;
    assert!(r.body.contains("不能停用自己的账户"), "{}", r.body);
    // Every change is in the audit trail, the password without its value.
    let trail = app.get("/admin/audit?table=users", Some(&admin)).await.body;
    assert!(trail.contains("产业链范围") && trail.contains("食品"), "the scope change: {trail}");
    assert!(trail.contains("（已重置）") && !trail.contains("argon2"));
}
