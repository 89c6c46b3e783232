//! Loading the inputs of a run: the policy (with overrides) and the dataset. Invalid input is
//! reported in full on stderr and ends the run with exit status 2 before anything is computed.

use crate::{EXIT_INVALID, PolicyOpts};
use anyhow::Context;
use lianzhang_facts::{Dataset, ReadError, read_dataset};
use lianzhang_policy::{Policy, PolicyErrors, PolicyFile};
use std::path::Path;
use std::process::ExitCode;

/// A run's early end: the exit code to return, the report already printed.
pub type Refused = ExitCode;

pub fn policy_file(opts: &PolicyOpts) -> anyhow::Result<PolicyFile> {
    let mut file = match &opts.policy {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("无法读取政策文件 {}", path.display()))?;
            PolicyFile::parse(path.display().to_string(), text)
        }
        None => PolicyFile::bundled(),
    };
    for s in &opts.set {
        file.set(s);
    }
    Ok(file)
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

/// The dataset (from `path`, or the demo county when `None`), or the exit code after listing
/// every data error.
pub fn dataset(path: Option<&Path>, policy: &Policy) -> anyhow::Result<Result<Dataset, Refused>> {
    let Some(path) = path else {
        return Ok(Ok(lianzhang_demo::generate(&lianzhang_demo::DemoParams::default(), &policy.vocabulary)));
    };
    match read_dataset(path, &policy.vocabulary) {
        Ok(d) => Ok(Ok(d)),
        Err(ReadError::Data(errors)) => {
            eprintln!("数据有 {} 处错误，未做任何处理（未评定、未导入）：", errors.0.len());
            eprintln!("{errors}");
            Ok(Err(ExitCode::from(EXIT_INVALID)))
        }
        Err(other) => {
            eprintln!("无法读取数据 {}：{other}", path.display());
            Ok(Err(ExitCode::from(EXIT_INVALID)))
        }
    }
}

/// Writes a dataset as an .xlsx workbook (a path ending in .xlsx) or a folder of CSV files.
pub fn write_dataset(dataset: &Dataset, out: &Path, chinese: bool) -> anyhow::Result<()> {
    use lianzhang_facts::write::{HeaderLanguage, write_csv_dir, write_xlsx};
    let lang = if chinese { HeaderLanguage::Chinese } else { HeaderLanguage::English };
    if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        write_xlsx(dataset, out, lang, None).with_context(|| format!("无法写入 {}", out.display()))?;
    } else {
        std::fs::create_dir_all(out).with_context(|| format!("无法创建目录 {}", out.display()))?;
        write_csv_dir(dataset, out, lang, None).with_context(|| format!("无法写入 {}", out.display()))?;
    }
    Ok(())
}
