//! Receiving an upload: the file field streamed to disk within the upload limit and the idle
//! timeout, the small fields bounded, a zip of CSV files unpacked within its limit; every
//! failure a Chinese sentence (the library's words and the server's paths go to the log).

use crate::WebError;
use axum::http::StatusCode;
use std::io::Read;
use std::path::Path;

/// The names a CSV file in a zip may have (one per sheet).
const CSV_NAMES: &str = "企业.csv、年度数据.csv、认定.csv、项目.csv";

/// Unpacks the CSV files of the zip file `zip` into `dir` (flat: folders inside the zip are
/// ignored), at most `limit` bytes unpacked ([`lianzhang_facts::Limits::max_unzipped_bytes`]).
/// An entry whose path leaves the zip's folder (`../x.csv`, `/etc/x.csv`) is never written: the
/// whole zip is refused naming it. The zip library's own words go to the log: the sentence is
/// the clerk's.
pub(super) fn unzip(zip: &Path, dir: &Path, limit: u64) -> Result<(), String> {
    let broken = |e: &dyn std::fmt::Display| {
        tracing::info!(error = %e, "zip upload");
        "zip 文件损坏或不完整，请重新压缩后上传".to_string()
    };
    let opened = std::fs::File::open(zip).map_err(|e| broken(&e))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(opened)).map_err(|e| {
        tracing::info!(error = %e, "zip upload");
        "不是有效的 zip 文件，请上传 .xlsx 工作簿，或把 CSV 文件压缩成 .zip 后上传".to_string()
    })?;
    // Entries leaving the zip's folder: refused before anything is unpacked.
    let mut outside = Vec::new();
    for i in 0..zip.len() {
        let f = zip.by_index(i).map_err(|e| broken(&e))?;
        if f.enclosed_name().is_none() {
            let name = f.name().map_or_else(|_| "（名称无法读取）".to_string(), |n| lianzhang_facts::typed::shown(&n));
            outside.push(format!("“{name}”"));
        }
    }
    if !outside.is_empty() {
        return Err(format!(
            "zip 中有 {} 个文件的路径指向 zip 之外（{}），为安全起见未读取任何文件，未导入任何数据；\
             请把 CSV 文件（{CSV_NAMES}）直接放进一个文件夹，重新压缩后上传",
            outside.len(),
            outside.join("、")
        ));
    }
    let (mut found, mut unpacked, mut seen) = (0, 0u64, std::collections::HashSet::new());
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| broken(&e))?;
        let Some(name) = f.enclosed_name().and_then(|p| p.file_name().map(|n| n.to_owned())) else { continue };
        if !name.to_string_lossy().to_lowercase().ends_with(".csv") {
            continue;
        }
        // Unpacked flat: two files of one name in different folders would overwrite each other.
        let shown_name = lianzhang_facts::typed::shown(&name.to_string_lossy());
        if !seen.insert(name.to_string_lossy().to_lowercase()) {
            return Err(format!(
                "zip 中有两个名为“{shown_name}”的文件（在不同的文件夹中），未导入任何数据；每张表只能有一个 CSV 文件，\
                 请删去多余的一个后重新压缩上传"
            ));
        }
        let mut out = std::fs::File::create(dir.join(&name)).map_err(|e| {
            tracing::error!(error = %e, "zip upload scratch space");
            "服务器无法保存解压的文件（临时目录不可用或磁盘已满），请联系系统管理员".to_string()
        })?;
        // Read no more than the limit (plus one byte, to know it was passed): a small zip can
        // unpack to gigabytes.
        let room = limit - unpacked;
        let copied = std::io::copy(&mut (&mut f).take(room + 1), &mut out).map_err(|e| broken(&e))?;
        if copied > room {
            return Err(format!(
                "zip 解压后超过 {} MB 的上限，未导入任何数据：请拆分后分批导入，或请系统管理员调高上限\
                 （环境变量 LIANZHANG_MAX_UNZIPPED_MB，单位 MB，lianzhang serve 启动时读取）",
                limit >> 20
            ));
        }
        unpacked += copied;
        found += 1;
    }
    if found == 0 {
        return Err(format!("zip 中没有 CSV 文件：请把各表的 CSV 文件（{CSV_NAMES}）压缩成一个 zip 后上传"));
    }
    Ok(())
}

/// The sentence of an upload over the limit (no data imported).
pub(crate) fn too_large(limit: u64) -> WebError {
    WebError::TooLarge(format!(
        "上传的文件超过 {} 的上限，未导入任何数据。请拆分后分批上传，或请系统管理员调高上限（lianzhang serve --max-upload-mb）。",
        crate::size_zh(limit)
    ))
}

/// A multipart failure as a Chinese sentence (the library's message goes to the log).
pub(super) fn upload_failed(e: axum::extract::multipart::MultipartError, limit: u64) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(limit);
    }
    tracing::info!(error = %e, "upload failed");
    WebError::Invalid("上传未完成（连接中断或不是表单上传的文件），未导入任何数据，请重新选择文件上传".into())
}

/// The server could not keep the upload (a full disk, no temporary folder): the detail goes to
/// the log, never the server's paths to the page.
pub(super) fn scratch_failed(e: impl std::fmt::Display) -> WebError {
    tracing::error!(error = %e, "upload scratch space");
    WebError::Internal("服务器无法保存上传的文件（临时目录不可用或磁盘已满），未导入任何数据；请联系系统管理员")
}

/// A small form field of an upload (the CSRF token, a check box), at most `max` bytes: a field
/// is never read into memory whole.
pub(super) async fn small_field(
    mut field: axum::extract::multipart::Field<'_>,
    max: usize,
    limit: u64,
) -> Result<String, WebError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| upload_failed(e, limit))? {
        if bytes.len() + chunk.len() > max {
            return Err(WebError::Invalid("上传的表单字段过长，未导入任何数据".into()));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Streams the file field to `path`, piece by piece: never more than
/// [`crate::ServeLimits::max_upload_bytes`], never a pause longer than
/// [`crate::ServeLimits::body_idle_timeout`].
pub(super) async fn save_field(
    field: &mut axum::extract::multipart::Field<'_>,
    path: &Path,
    limits: &crate::ServeLimits,
) -> Result<(), WebError> {
    use tokio::io::AsyncWriteExt;
    let limit = limits.max_upload_bytes;
    let mut out = tokio::fs::File::create(path).await.map_err(scratch_failed)?;
    let mut size = 0u64;
    loop {
        let chunk = match tokio::time::timeout(limits.body_idle_timeout, field.chunk()).await {
            Err(_) => return Err(WebError::Stalled(limits.body_idle_timeout.as_secs())),
            Ok(chunk) => chunk.map_err(|e| upload_failed(e, limit))?,
        };
        let Some(chunk) = chunk else { break };
        size += chunk.len() as u64;
        if size > limit {
            return Err(too_large(limit));
        }
        out.write_all(&chunk).await.map_err(scratch_failed)?;
    }
    out.flush().await.map_err(scratch_failed)
}

/// One uploaded file and the small fields around it (a list file of the award rounds: 失信名单,
/// 银行回单), the CSRF token checked before the file is saved.
pub(crate) struct Received {
    /// The name the browser gave, and where it was saved (inside `_dir`).
    pub name: String,
    pub path: std::path::PathBuf,
    /// The other fields by name (at most 64 KB each).
    pub fields: std::collections::HashMap<String, String>,
    _dir: tempfile::TempDir,
}

/// Receives a form of one file field named `file` and small fields, within the server's upload
/// limits. Errors: a missing file, a forged form, an upload over the limit, as sentences.
pub(crate) async fn one_file(
    session: &crate::auth::Session,
    limits: &crate::ServeLimits,
    mut multipart: axum::extract::Multipart,
) -> Result<Received, WebError> {
    let limit = limits.max_upload_bytes;
    let dir = tempfile::tempdir().map_err(scratch_failed)?;
    let mut fields = std::collections::HashMap::new();
    let mut file = None;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| upload_failed(e, limit))? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let given = field.file_name().unwrap_or("upload").to_string();
            if let Err(e) = lianzhang_facts::typed::check_text(&given, lianzhang_facts::typed::TextKind::Line) {
                return Err(WebError::Invalid(format!("文件名：{e}")));
            }
            // The CSRF field comes first in the form: a forged upload is not even saved.
            crate::auth::check_csrf(session, fields.get("csrf").map_or("", String::as_str))?;
            let to = dir.path().join(base_name(&given));
            save_field(&mut field, &to, limits).await?;
            file = Some((given, to));
        } else {
            let value = small_field(field, 1 << 16, limit).await?;
            fields.insert(name, value);
        }
    }
    crate::auth::check_csrf(session, fields.get("csrf").map_or("", String::as_str))?;
    let Some((name, path)) = file.filter(|(_, p)| p.metadata().is_ok_and(|m| m.len() > 0)) else {
        return Err(WebError::Invalid("请选择要上传的文件（不能为空文件）".into()));
    };
    Ok(Received { name, path, fields, _dir: dir })
}

/// The name an upload is kept under: its last component only (never a path), `upload` when
/// there is none.
pub(super) fn base_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if last.is_empty() || last == "." || last == ".." { "upload".into() } else { last.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_unpacks_its_csv_files_up_to_the_limit_and_no_further() {
        let dir = tempfile::tempdir().unwrap();
        let saved = tempfile::tempdir().unwrap();
        let small = saved.path().join("small.zip");
        std::fs::write(&small, zip_of(&[("a/enterprises.csv", b"uscc,name\n"), ("notes.txt", b"x")])).unwrap();
        unzip(&small, dir.path(), 1 << 20).unwrap();
        assert!(dir.path().join("enterprises.csv").exists() && !dir.path().join("notes.txt").exists());
        // Two files of 3 MB each (a few kilobytes zipped) against a 4 MB limit.
        let big = vec![b'a'; 3 << 20];
        let bomb_bytes = zip_of(&[("enterprises.csv", &big), ("annual.csv", &big)]);
        assert!(bomb_bytes.len() < 100_000);
        let bomb = saved.path().join("bomb.zip");
        std::fs::write(&bomb, bomb_bytes).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let err = unzip(&bomb, dir.path(), 4 << 20).unwrap_err();
        assert!(err.contains("超过 4 MB") && err.contains("LIANZHANG_MAX_UNZIPPED_MB"), "{err}");
        // One sheet twice, in two folders: refused, not one silently overwriting the other.
        let twice = saved.path().join("twice.zip");
        std::fs::write(&twice, zip_of(&[("a/企业.csv", b"x\n"), ("b/企业.csv", b"y\n")])).unwrap();
        let err = unzip(&twice, tempfile::tempdir().unwrap().path(), 1 << 20).unwrap_err();
        assert!(err.contains("两个名为“企业.csv”的文件"), "{err}");
        let written: u64 = std::fs::read_dir(dir.path()).unwrap().map(|f| f.unwrap().metadata().unwrap().len()).sum();
        assert!(written <= (4 << 20) + 1, "stopped at the limit: {written}");
    }
}
