//! Policy diagnostics: every problem with its place in the file (or in a `--set` argument),
//! rendered by miette with line, column and a caret.

use crate::tree::Origin;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};
use std::fmt;

/// One problem found in a policy file or an override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub origin: Option<Origin>,
    pub message: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn new(origin: Option<&Origin>, message: impl Into<String>) -> Self {
        Problem { origin: origin.cloned(), message: message.into(), help: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// All the problems of one policy load, with the texts they point into.
#[derive(Debug, Clone)]
pub struct PolicyErrors {
    pub file_name: String,
    pub source: String,
    pub overrides: Vec<String>,
    pub problems: Vec<Problem>,
}

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "政策文件 {} 有 {} 处错误", self.file_name, self.problems.len())
    }
}

impl std::error::Error for PolicyErrors {}

impl PolicyErrors {
    /// Each problem as its own miette diagnostic (line, column, caret).
    pub fn diagnostics(&self) -> Vec<ProblemDiagnostic> {
        self.problems
            .iter()
            .map(|p| {
                let (src, span) = match &p.origin {
                    Some(Origin::File(r)) => (
                        NamedSource::new(&self.file_name, self.source.clone()),
                        Some(SourceSpan::from(r.start..r.end.max(r.start))),
                    ),
                    Some(Origin::Override(i, r)) => {
                        let text = self.overrides.get(*i).cloned().unwrap_or_default();
                        (NamedSource::new(format!("--set #{}", i + 1), text), Some(SourceSpan::from(r.clone())))
                    }
                    None => (NamedSource::new(&self.file_name, self.source.clone()), None),
                };
                ProblemDiagnostic { message: p.message.clone(), help: p.help.clone(), src, span }
            })
            .collect()
    }

    /// Plain one-line-per-problem text: `file:line:col: message`.
    pub fn to_plain(&self) -> String {
        let mut out = String::new();
        for p in &self.problems {
            let place = match &p.origin {
                Some(Origin::File(r)) => {
                    let (l, c) = line_col(&self.source, r.start);
                    format!("{}:{l}:{c}", self.file_name)
                }
                Some(Origin::Override(i, _)) => {
                    format!("--set {}", self.overrides.get(*i).map(String::as_str).unwrap_or(""))
                }
                None => self.file_name.clone(),
            };
            out.push_str(&format!("{place}: {}\n", p.message));
        }
        out
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

/// A single renderable problem.
#[derive(Debug)]
pub struct ProblemDiagnostic {
    message: String,
    help: Option<String>,
    src: NamedSource<String>,
    span: Option<SourceSpan>,
}

impl fmt::Display for ProblemDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProblemDiagnostic {}

impl Diagnostic for ProblemDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("lianzhang::policy"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.span.map(|_| &self.src as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.span.map(|s| Box::new(std::iter::once(LabeledSpan::new_with_span(Some("此处".into()), s))) as _)
    }
}
