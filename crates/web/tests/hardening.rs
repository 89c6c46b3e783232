//! Issue 9 through the real server: slow and hostile connections are timed out and capped,
//! uploads over the limit are refused unread, a disabled account's tokens stay dead, typed text
//! and years are checked at the door.
mod common;
use axum::http::StatusCode;
use common::*;
use lianzhang_web::ServeLimits;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn empty() -> lianzhang_facts::Dataset {
    lianzhang_facts::DatasetBuilder::new(policy().vocabulary.clone()).build().unwrap()
}

/// Short limits, so the tests wait a second, not minutes.
fn short() -> ServeLimits {
    ServeLimits {
        header_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(1),
        upload_timeout: Duration::from_secs(2),
        body_idle_timeout: Duration::from_secs(1),
        max_connections: 8,
        ..ServeLimits::default()
    }
}

/// Everything the server sends until it closes the connection (or 10 s pass: then the test
/// fails, the connection was not closed).
async fn until_closed(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut got)).await;
    assert!(read.is_ok(), "the server kept the connection open: {}", String::from_utf8_lossy(&got));
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test]
async fn a_half_sent_request_header_is_closed_after_the_header_timeout() {
    let app = app_limited(policy(), &empty(), short()).await;
    let addr = serve_real(&app).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
    let started = Instant::now();
    until_closed(&mut s).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    // An idle connection that sends nothing at all is closed too.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    until_closed(&mut idle).await;
}

#[tokio::test]
async fn a_declared_body_that_never_comes_is_answered_408_and_closed() {
    let app = app_limited(policy(), &empty(), short()).await;
    let addr = serve_real(&app).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=a",
    )
    .await
    .unwrap();
    let got = until_closed(&mut s).await;
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(got.contains("请求超时"), "{got}");
}

#[tokio::test]
async fn an_upload_declaring_2_gb_is_refused_unread_naming_the_limit() {
    let limits = ServeLimits { max_upload_bytes: 1 << 20, ..short() };
    let app = app_limited(policy(), &empty(), limits).await;
    let cookie = app.session("clerk").await;
    let addr = serve_real(&app).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /import HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 2147483648\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let got = until_closed(&mut s).await;
    assert!(got.starts_with("HTTP/1.1 413"), "{got}");
    assert!(got.contains("超过 1 MB 的上限"), "{got}");
}

#[tokio::test]
async fn idle_sockets_do_not_stop_a_normal_request() {
    let app = app_limited(policy(), &empty(), short()).await;
    let addr = serve_real(&app).await;
    // Three times the connection cap of idle and half-sent connections.
    let mut hostile = Vec::new();
    for i in 0..24 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        if i % 2 == 0 {
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        }
        hostile.push(s);
    }
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let got = until_closed(&mut s).await;
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    assert!(got.contains("登录"), "{got}");
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_in_chinese_and_nothing_is_staged() {
    let limits = ServeLimits { max_upload_bytes: 64 << 10, ..ServeLimits::default() };
    let app = app_limited(policy(), &empty(), limits).await;
    let cookie = app.session("clerk").await;
    let csrf = token_in(&app.get("/import", &cookie).await.body);
    let big = "统一社会信用代码,企业名称\n".repeat(5000);
    let page = app.upload(&cookie, &csrf, "企业.csv", big.as_bytes()).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    let text = text_of(&page.body);
    assert!(text.contains("上传的文件超过 64 KB 的上限，未导入任何数据"), "{text}");
    // Nothing waits for confirmation.
    let confirm = app.post("/import/confirm", &cookie, &[("csrf", &csrf), ("id", "x"), ("all", "take")]).await;
    assert_eq!(confirm.status, StatusCode::NOT_FOUND, "{}", confirm.body);
    // A form post over the form limit is refused too.
    let long = "x".repeat(2 << 20);
    let r = app.post("/login", "", &[("username", &long)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_reenabled_accounts_old_token_stays_refused() {
    let app = app(policy(), &empty()).await;
    let store = &app.state.store;
    store.add_token("clerk", "old-token").await.unwrap();
    let api = async |token: &str| {
        let r = axum::http::Request::get("/api/v1/enterprises")
            .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap();
        app.send(r).await.status
    };
    assert_eq!(api("old-token").await, StatusCode::OK);
    let admin = app.session("admin").await;
    let clerk = app.session("clerk").await;
    let csrf = token_in(&app.get("/admin/users", &admin).await.body);
    let change =
        async |action: &str| app.post("/admin/users/clerk", &admin, &[("csrf", &csrf), ("action", action)]).await;
    assert_eq!(change("disable").await.status, StatusCode::SEE_OTHER);
    assert_eq!(api("old-token").await, StatusCode::UNAUTHORIZED);
    assert_eq!(change("enable").await.status, StatusCode::SEE_OTHER);
    assert_eq!(api("old-token").await, StatusCode::UNAUTHORIZED, "the old token came back to life");
    let old_session = app.get("/dashboard", &clerk).await;
    assert_eq!(old_session.status, StatusCode::SEE_OTHER, "the old session came back to life");
    store.add_token("clerk", "new-token").await.unwrap();
    assert_eq!(api("new-token").await, StatusCode::OK);
    // A new password or role ends the sessions too.
    let clerk = app.session("clerk").await;
    let r = app
        .post("/admin/users/clerk", &admin, &[("csrf", &csrf), ("action", "password"), ("password", "another secret")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/dashboard", &clerk).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn typed_text_and_years_are_checked_at_the_door() {
    let app = app(policy(), &empty()).await;
    let admin = app.session("admin").await;
    // Years outside 1949–2100 in a query string, page and API.
    let r = app.get("/enterprises?year=99999", &admin).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&r.body).contains("年度 year：年份 99999 不在 1949 至 2100 之间"), "{}", r.body);
    let r = app.get("/api/v1/enterprises?year=1800", &admin).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不在 1949 至 2100 之间"), "{}", r.body);
    let r = app.get("/enterprises?year=abc", &admin).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&r.body).contains("查询参数无效"), "{}", r.body);
    // A bidi override in a search, a user's display name, a 201-character name.
    let r = app.get("/enterprises?q=%E2%80%AEabc", &admin).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&r.body).contains("查询条件 q"), "{}", r.body);
    let csrf = token_in(&app.get("/admin/users", &admin).await.body);
    let long = "长".repeat(201);
    let r = app
        .post(
            "/admin/users",
            &admin,
            &[
                ("csrf", &csrf),
                ("username", "x1"),
                ("display_name", &long),
                ("role", "bureau"),
                ("password", "12345678"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&r.body).contains("显示名称："), "{}", r.body);
    assert!(app.state.store.user("x1").await.unwrap().is_none(), "nothing written");
    // The login form: a user name with a NUL is refused in Chinese, not looked up.
    let form = app.get("/login", "").await;
    let login_csrf = token_in(&form.body);
    let cookie = format!("{}={login_csrf}", lianzhang_web::auth::LOGIN_CSRF_COOKIE);
    let r =
        app.post("/login", &cookie, &[("username", "ad\u{0}min"), ("password", PASSWORD), ("csrf", &login_csrf)]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(text_of(&r.body).contains("用户名："), "{}", r.body);
}

#[tokio::test]
async fn a_client_that_stops_reading_is_cut_off() {
    let app = app_limited(policy(), &empty(), short()).await;
    let addr = serve_real(&app).await;
    // Ten pipelined requests for the 2 MB font (no login needed), and nothing read: more than
    // any socket buffer holds.
    let font = "/assets/fonts/lianzhang-sans-sc.woff2";
    let mut s = TcpStream::connect(addr).await.unwrap();
    let mut asked = String::new();
    for i in 0..10 {
        let close = if i == 9 { "Connection: close\r\n" } else { "" };
        asked.push_str(&format!("GET {font} HTTP/1.1\r\nHost: x\r\n{close}\r\n"));
    }
    s.write_all(asked.as_bytes()).await.unwrap();
    // Past the 1 s limit for an unread answer (with room for a slow machine).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut got = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut got)).await.expect("closed");
    let whole = 10 * include_bytes!("../assets/fonts/lianzhang-sans-sc.woff2").len();
    assert!(got.len() < whole, "all {} bytes were sent to a client that read nothing", got.len());
}

#[tokio::test]
async fn the_edit_form_and_a_confirmation_refuse_bad_text_naming_the_field_and_write_nothing() {
    use lianzhang_facts::{Annual, DatasetBuilder, Enterprise, Fen, Uscc};
    let p = policy();
    let v = p.vocabulary.clone();
    let mut b = DatasetBuilder::new(v.clone());
    let e = Enterprise {
        uscc: Uscc::from_body(b"91140525MA0000001"),
        name: "泽州钢铁有限公司".into(),
        chain: v.chain("steel"),
        stage: None,
        town: Some("巴公镇".into()),
        industry_code: None,
        strategic_emerging: Some(false),
        established: None,
        chain_joined_year: None,
    };
    b.enterprise(e.clone());
    b.annual(e.uscc, Annual { revenue: Some(Fen::yuan(30_000_000)), ..Annual::unknown(2023) });
    let app = app(p, &b.build().unwrap()).await;
    let uscc = e.uscc.as_str().to_string();
    let admin = app.session("admin").await;
    let path = format!("/enterprises/{uscc}/edit");
    let csrf = token_in(&app.get(&format!("{path}?year=2023"), &admin).await.body);
    let long = "长".repeat(201);
    let r = app
        .post(&path, &admin, &[("csrf", &csrf), ("year", "2023"), ("name", &long), ("town", "巴\u{202E}公镇")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = text_of(&r.body);
    assert!(text.contains("企业名称：") && text.contains("乡镇："), "{text}");
    assert!(
        app.state.store.audit(Some(("enterprises", uscc.as_str())), 10).await.unwrap().is_empty(),
        "nothing written"
    );
    let r = app.post(&path, &admin, &[("csrf", &csrf), ("year", "99999"), ("revenue", "1")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&r.body).contains("年度：年份 99999 不在 1949 至 2100 之间"), "{}", r.body);
    // A confirmation's reason: a note (line breaks allowed), no NUL, no bidi override.
    let r = app
        .post(
            &format!("/enterprises/{uscc}/confirm"),
            &admin,
            &[("csrf", &csrf), ("check", "x"), ("year", "2023"), ("reason", "核实\u{0}")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&r.body).contains("核实依据："), "{}", r.body);
}

#[tokio::test]
async fn a_request_header_over_64_kib_is_refused() {
    let app = app_limited(policy(), &empty(), short()).await;
    let addr = serve_real(&app).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let huge = format!("GET /login HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(100 << 10));
    let _ = s.write_all(huge.as_bytes()).await;
    let got = until_closed(&mut s).await;
    assert!(got.is_empty() || got.starts_with("HTTP/1.1 431"), "{got}");
}

#[tokio::test]
async fn an_upload_over_the_form_limit_but_under_the_upload_limit_is_read() {
    let app = app(policy(), &empty()).await;
    let cookie = app.session("clerk").await;
    let csrf = token_in(&app.get("/import", &cookie).await.body);
    // 2 MiB: twice the form limit, far under the upload limit; read (and found wanting), not refused.
    let rows = "统一社会信用代码,企业名称\n".to_string() + &"91140525MA0000001X,某企业\n".repeat(80_000);
    assert!(rows.len() > 2 << 20);
    let page = app.upload(&cookie, &csrf, "企业.csv", rows.as_bytes()).await;
    assert_ne!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", text_of(&page.body));
    assert!(!text_of(&page.body).contains("上限"), "{}", text_of(&page.body));
}

#[tokio::test]
async fn a_lone_csv_upload_is_known_by_its_name_and_only_the_enterprise_sheet_stands_alone() {
    let app = app(policy(), &empty()).await;
    let cookie = app.session("clerk").await;
    let csrf = token_in(&app.get("/import", &cookie).await.body);
    let rows = "统一社会信用代码,企业名称\n91140525MA0000001X,某企业\n";
    let page = app.upload(&cookie, &csrf, "bad.csv", rows.as_bytes()).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&page.body).contains("无法判断“bad.csv”是哪一张表"), "{}", text_of(&page.body));
    let page = app.upload(&cookie, &csrf, "annual.csv", "uscc,year\n".as_bytes()).await;
    assert!(
        text_of(&page.body).contains("“annual.csv”是年度数据表：单独上传的 CSV 只能是企业表"),
        "{}",
        text_of(&page.body)
    );
    assert_eq!(app.state.store.count("enterprises").await.unwrap(), 0, "nothing imported");
    // The same rows named as their sheet are read (and staged for confirmation).
    let page = app.upload(&cookie, &csrf, "企业.csv", rows.as_bytes()).await;
    assert!(!text_of(&page.body).contains("哪一张表"), "{}", text_of(&page.body));
}

#[tokio::test]
async fn control_characters_in_a_path_are_never_echoed_raw() {
    let app = app(policy(), &empty()).await;
    let admin = app.session("admin").await;
    app.state.store.add_token("admin", "t0ken").await.unwrap();
    let bad = "%E2%80%AE%1B%5B31m";
    for path in [format!("/enterprises/{bad}"), format!("/chains/{bad}"), format!("/api/v1/enterprises/{bad}")] {
        let r = axum::http::Request::get(path.as_str())
            .header(axum::http::header::COOKIE, &admin)
            .header(axum::http::header::AUTHORIZATION, "Bearer t0ken")
            .body(axum::body::Body::empty())
            .unwrap();
        let r = app.send(r).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert!(!r.body.contains('\u{202E}') && !r.body.contains('\u{1b}'), "{path}: raw characters in {:?}", r.body);
        // JSON writes a backslash as two.
        let body = r.body.replace("\\\\", "\\");
        assert!(body.contains("\\u{202e}\\u{1b}[31m"), "{path}: {}", r.body);
    }
}

#[tokio::test]
async fn a_body_declared_over_its_limit_is_refused_at_once_unread() {
    // A long request timeout: the answer must not wait for it (until_closed gives up at 10 s).
    let limits = ServeLimits { request_timeout: Duration::from_secs(60), ..short() };
    let app = app_limited(policy(), &empty(), limits).await;
    let addr = serve_real(&app).await;
    for (path, json) in [("/login", false), ("/api/v1/enterprises", true)] {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000000000\r\n\r\n"
        );
        s.write_all(head.as_bytes()).await.unwrap();
        let got = until_closed(&mut s).await;
        assert!(got.starts_with("HTTP/1.1 413"), "{path}: {got}");
        assert!(got.contains("提交的内容超过 1 MB 的上限"), "{path}: {got}");
        assert!(got.contains("LIANZHANG_FORM_BODY_KB"), "{path}: {got}");
        assert_eq!(got.contains("application/json"), json, "{path}: {got}");
    }
}

#[tokio::test]
async fn a_refused_search_asks_for_other_terms_and_does_not_speak_of_saving() {
    let app = app(policy(), &empty()).await;
    let admin = app.session("admin").await;
    for path in ["/enterprises?q=%1B", "/api/v1/enterprises?q=%1B", "/admin/audit?actor=%1B"] {
        let r = app.get(path, &admin).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", r.body);
        assert!(r.body.contains("请修改搜索条件") && !r.body.contains("未保存"), "{path}: {}", r.body);
        assert!(!r.body.contains('\u{1b}'), "{path}: {}", r.body);
    }
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_zip_over_its_unpacked_limit_names_the_setting() {
    let mut limits = ServeLimits::default();
    limits.read.max_unzipped_bytes = 1 << 20;
    let app = app_limited(policy(), &empty(), limits).await;
    let cookie = app.session("clerk").await;
    let csrf = token_in(&app.get("/import", &cookie).await.body);
    let big = "统一社会信用代码,企业名称\n".repeat(100_000);
    let page = app.upload(&cookie, &csrf, "数据.zip", &zip_of(&[("企业.csv", big.as_bytes())])).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = text_of(&page.body);
    assert!(text.contains("zip 解压后超过 1 MB 的上限") && text.contains("LIANZHANG_MAX_UNZIPPED_MB"), "{text}");
}

#[tokio::test]
async fn a_zip_entry_leaving_its_folder_is_named_and_nothing_is_read() {
    let app = app(policy(), &empty()).await;
    let cookie = app.session("clerk").await;
    let csrf = token_in(&app.get("/import", &cookie).await.body);
    let rows = "统一社会信用代码,企业名称\n91140525MA0000001X,某企业\n";
    let zip = zip_of(&[("../../etc/企业.csv", rows.as_bytes()), ("年度数据.csv", b"uscc,year\n")]);
    let page = app.upload(&cookie, &csrf, "数据.zip", &zip).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = text_of(&page.body);
    assert!(text.contains("路径指向 zip 之外（“../../etc/企业.csv”）"), "{text}");
    assert!(text.contains("企业.csv、年度数据.csv、认定.csv、项目.csv") && !text.contains("没有 CSV"), "{text}");
    assert_eq!(app.state.store.count("enterprises").await.unwrap(), 0, "nothing imported");
}

#[tokio::test]
async fn a_paused_upload_is_told_apart_from_a_slow_request() {
    // The whole upload may take a minute; a pause of one second ends it.
    let limits = ServeLimits { upload_timeout: Duration::from_secs(60), ..short() };
    let app = app_limited(policy(), &empty(), limits).await;
    let cookie = app.session("clerk").await;
    let addr = serve_real(&app).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let part = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"企业.csv\"\r\n\r\n统一社会信用代码,";
    let head = format!(
        "POST /import HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n{part}"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let got = until_closed(&mut s).await;
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(got.contains("上传中断超过 1 秒，连接已关闭") && !got.contains("秒内未完成"), "{got}");
}
