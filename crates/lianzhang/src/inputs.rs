//! Loading the inputs of a run: the policy (with overrides) and the dataset. Invalid input is
//! reported in full on stderr and ends the run with exit status 2 before anything is computed.

use crate::{EXIT_INVALID, PolicyOpts};
use lianzhang_facts::{Dataset, Limits, Locations, ReadError, ReadOutput, read_dataset_limited};
use lianzhang_policy::{Policy, PolicyErrors, PolicyFile};
use std::path::Path;
use std::process::ExitCode;

/// A run's early end: the exit code to return, the report already printed.
pub type Refused = ExitCode;

pub fn policy_file(opts: &PolicyOpts) -> anyhow::Result<PolicyFile> {
    let mut file = match &opts.policy {
        Some(path) => {
            let text =
                read_policy_text(path).map_err(|why| anyhow::anyhow!("无法读取政策文件 {}：{why}", path.display()))?;
            PolicyFile::parse(path.display().to_string(), text)
        }
        None => PolicyFile::bundled(),
    };
    for s in &opts.set {
        file.set(s);
    }
    Ok(file)
}

/// The largest policy file read, in bytes (the bundled one is about 30 KB).
const MAX_POLICY_BYTES: u64 = 4 << 20;

/// The text of a policy file: a regular file (a dangling link, a folder or a device is refused
/// saying so), at most [`MAX_POLICY_BYTES`], UTF-8. The reason is Chinese, never the system's.
fn read_policy_text(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let zh = |e: std::io::Error| lianzhang_facts::error::io_zh(&e);
    let link = std::fs::symlink_metadata(path).map_err(zh)?;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if link.file_type().is_symlink() && e.kind() == std::io::ErrorKind::NotFound => {
            return Err("是一个符号链接（快捷方式），但它指向的文件不存在".into());
        }
        Err(e) => return Err(zh(e)),
    };
    if meta.is_dir() {
        return Err("这是一个文件夹，应为政策文件（.toml）".into());
    }
    if !meta.is_file() {
        return Err("不是普通文件（是设备、管道或套接字）".into());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path).and_then(|f| f.take(MAX_POLICY_BYTES + 1).read_to_end(&mut bytes)).map_err(zh)?;
    if bytes.len() as u64 > MAX_POLICY_BYTES {
        return Err(format!("文件超过 {} MB，不是政策文件", MAX_POLICY_BYTES >> 20));
    }
    String::from_utf8(bytes).map_err(|_| "不是 UTF-8 编码的文本：请用文本编辑器另存为 UTF-8".into())
}

pub fn report_policy_errors(e: &PolicyErrors) {
    let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    eprintln!("{e}：");
    for d in e.diagnostics() {
        let mut out = String::new();
        if handler.render_report(&mut out, &d).is_ok() {
            eprint!("{out}");
        } else {
            eprintln!("{d}");
        }
    }
    eprint!("{}", e.to_plain());
}

/// The compiled policy, or the exit code after reporting every problem.
pub fn policy(opts: &PolicyOpts) -> anyhow::Result<Result<(PolicyFile, Policy), Refused>> {
    let file = policy_file(opts)?;
    match file.compile() {
        Ok(p) => Ok(Ok((file, p))),
        Err(e) => {
            report_policy_errors(&e);
            Ok(Err(ExitCode::from(EXIT_INVALID)))
        }
    }
}

/// The dataset (from `path`, or the demo county when `None`) with where each fact came from
/// (`None` for the demo county), to locate findings; or the exit code after listing every data
/// error.
pub fn dataset_located(
    path: Option<&Path>,
    policy: &Policy,
) -> anyhow::Result<Result<(Dataset, Option<Locations>), Refused>> {
    let Some(path) = path else {
        let demo = lianzhang_demo::generate(&lianzhang_demo::DemoParams::default(), &policy.vocabulary);
        return Ok(Ok((demo, None)));
    };
    Ok(read(path, policy)?.map(|out| (out.dataset, Some(out.locations))))
}

/// Reads the dataset at `path` with its export stamp and the place of each fact, or gives the
/// exit code after listing every data error on stderr.
///
/// The reader's limits are the defaults of [`Limits`], changed by the environment variables
/// `LIANZHANG_MAX_FILE_MB`, `LIANZHANG_MAX_UNZIPPED_MB`, `LIANZHANG_MAX_RECORD_KB` and
/// `LIANZHANG_MAX_SHEET_CELLS`.
pub fn read(path: &Path, policy: &Policy) -> anyhow::Result<Result<ReadOutput, Refused>> {
    let limits = Limits::from_env()?;
    match read_dataset_limited(path, &policy.vocabulary, &limits) {
        Ok(out) => Ok(Ok(out)),
        Err(ReadError::Data(errors)) => {
            eprintln!("数据有 {} 处错误，未做任何处理（未评定、未导入）：", errors.0.len());
            eprintln!("{errors}");
            Ok(Err(ExitCode::from(EXIT_INVALID)))
        }
        Err(other) => {
            eprintln!("无法读取数据 {}：{other}", path.display());
            eprintln!("未做任何处理（未评定、未导入）。");
            Ok(Err(ExitCode::from(EXIT_INVALID)))
        }
    }
}

/// Writes a dataset as an .xlsx workbook (a path ending in .xlsx) or a folder of CSV files.
pub fn write_dataset(dataset: &Dataset, out: &Path, chinese: bool) -> anyhow::Result<()> {
    use lianzhang_facts::write::{HeaderLanguage, write_csv_dir, write_xlsx};
    let lang = if chinese { HeaderLanguage::Chinese } else { HeaderLanguage::English };
    let zh = |e: std::io::Error| lianzhang_facts::error::io_write_zh(&e);
    if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        write_xlsx(dataset, out, lang, None).map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", out.display()))?;
    } else {
        std::fs::create_dir_all(out).map_err(|e| anyhow::anyhow!("无法创建目录 {}：{}", out.display(), zh(e)))?;
        write_csv_dir(dataset, out, lang, None).map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", out.display()))?;
    }
    Ok(())
}
