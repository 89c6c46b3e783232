//! Uploads that are not data: the page names the user's file, never the server's scratch folder.
mod common;
use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn a_refused_upload_names_the_users_file_and_no_server_path() {
    let data = lianzhang_facts::DatasetBuilder::new(policy().vocabulary.clone()).build().unwrap();
    let app = app(policy(), &data).await;
    let cookie = app.session("clerk").await;
    let csrf = token_in(&app.get("/import", &cookie).await.body);
    for (name, bytes) in [
        ("名单.xlsx", "统一社会信用代码,企业名称\n".as_bytes()),
        ("空文件.xls", b"".as_slice()),
        ("网页.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>".as_slice()),
    ] {
        let page = app.upload(&cookie, &csrf, name, bytes).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let text = text_of(&page.body);
        assert!(text.contains(name), "{name}: {text}");
        assert!(!text.contains("/tmp") && !text.contains(".tmp"), "{name}: a server path leaked: {text}");
    }
}
