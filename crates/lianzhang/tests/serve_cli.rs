//! `lianzhang serve` through the real binary: it binds before it says it has started, says in
//! Chinese why it cannot, and its connection limits are set from its flags.
use assert_cmd::Command;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn bin_path() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("lianzhang")
}

#[test]
fn an_address_in_use_is_said_in_chinese_and_nothing_claims_to_have_started() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let db = format!("sqlite://{}", dir.path().join("s.db").display());
    let out = Command::cargo_bin("lianzhang").unwrap().args(["serve", "--db", &db, "--bind", &addr]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("地址 {addr} 已被占用")), "{err}");
    assert!(!err.contains("已启动"), "{err}");
    let out =
        Command::cargo_bin("lianzhang").unwrap().args(["serve", "--db", &db, "--bind", "nonsense"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bind 的地址 nonsense 无效"), "{out:?}");
}

/// Kills the server when the test ends, passed or not.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_header_timeout_flag_closes_a_half_sent_request() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("s.db").display());
    let mut child = std::process::Command::new(bin_path())
        .args(["serve", "--db", &db, "--bind", "127.0.0.1:0", "--header-timeout", "1"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let _server = Server(child);
    // "链长已启动：http://127.0.0.1:PORT/ …": the address actually bound.
    let mut lines = BufReader::new(stderr).lines();
    let started = lines.find_map(|l| l.ok().filter(|l| l.contains("已启动"))).expect("the server started");
    let addr = started.split("http://").nth(1).and_then(|r| r.split('/').next()).unwrap().to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\nX-Slow: ").unwrap();
    let at = Instant::now();
    let mut got = Vec::new();
    let read = s.read_to_end(&mut got);
    assert!(read.is_ok(), "the connection was not closed: {read:?}");
    assert!(at.elapsed() < Duration::from_secs(8));
    // A whole request is still served.
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut page = String::new();
    s.read_to_string(&mut page).unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
}

#[test]
fn a_user_name_with_a_bidi_override_is_refused_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("u.db").display());
    let out = Command::cargo_bin("lianzhang")
        .unwrap()
        .args(["user", "add", "--db", &db, "--username", "ad\u{202E}min", "--role", "admin", "--password-stdin"])
        .write_stdin("correct horse battery\n")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("用户名："), "{err}");
}
