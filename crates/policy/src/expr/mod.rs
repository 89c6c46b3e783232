//! The policy language's expressions (issue 11): a rule's condition and amount written the way a
//! clerk reads the document, checked against the facts the policy file declares before any data
//! is read, and evaluated three-valued with a Chinese explanation step per node.
//!
//! ```text
//! above_scale and revenue >= 1亿 and growth(revenue) >= 20% and growth(tax_paid) >= 10%
//! min(increase(rd_expense) * 10%, 50万)
//! band(revenue, [2000万..5000万: 10万, 5000万..1亿: 15万, 1亿..: 20万])
//! rate(fixed_asset_investment, [1000万..5000万: 8%, 5000万..: 10%])
//! ```
//!
//! - **Facts** are referred to by their code; a yearly fact takes a year offset (`revenue[-1]` is
//!   last year's; no offset is the assessed year). Each fact has a declared type ([`Type`]).
//! - **Numbers** carry their unit as a clerk writes it: `10万`, `1亿`, `300元` are money (yuan),
//!   `20%` a percentage; a bare number takes the type of what it meets (`revenue >= 100000000`).
//! - **Operators**: `+ - * /` (also `× ÷`), `>= <= > < == !=` (also `≥ ≤`), `and or not` (also
//!   `且 或 非`), `x in [a, b]` (also `属于`: a code fact among codes, written as codes or quoted
//!   Chinese names, `category in [transformation, “绿色化改造”]`), parentheses; **functions** `min`, `max`, `increase(f)` (this year − last year),
//!   `growth(f)` (the increase over last year, a percentage), `first(c)` (首次: `c` holds this year
//!   and in no earlier year, judged by POLICY.md's history rule), `entered(c, n)` (`c` held for the
//!   first time `n` years ago, judged with that year's history: 连续N年 after an entry),
//!   `year` (the year judged), `recognized(k)` (a recognition of
//!   kind `k` in the year: `recognized(mu_a)`, `first(recognized(k))`), and the schedules `band(x, S)` (the
//!   value of the band x falls in), `rate(x, S)` (x × the rate of its band) and `brackets(x, S)`
//!   (progressive: each band's rate on the part of x within it).
//! - **Schedules** `[from..to: value, …]`: a band includes its lower bound and excludes its upper
//!   (`2000万元（含）至5000万元`), as POLICY.md reads 以上 (inclusive); an open end is left empty.
//! - **Three-valued**: an unknown fact makes what depends on it unknown, naming the fact; a
//!   known-false part decides `and`, a known-true part decides `or` (POLICY.md, "Three-valued
//!   logic"). No loops, no user functions.
//!
//! [`compile`] parses and type-checks (every problem at once, each with its line, column and a
//! caret under the text: [`Diagnostic::render`]); [`Compiled::eval`] evaluates against an
//! [`Env`] and returns the value with the steps of its explanation.

mod check;
pub(crate) mod decl;
mod eval;
mod lex;
mod parse;
mod schedule;

pub use check::Scope;
pub use decl::{Decls, FactDecl, Place, Type};
pub use eval::{Env, Evaluated, Value};
pub use parse::{BinOp, Expr, Kind};
pub use schedule::{Band, Schedule};

use std::ops::Range;

/// A problem of an expression: where (a byte range of the source), what, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub span: Range<usize>,
    /// The problem in Chinese.
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub(crate) fn new(span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { span, message: message.into(), help: None }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Line and column (from 1, columns in characters) of the start of the problem in `source`.
    pub fn line_col(&self, source: &str) -> (usize, usize) {
        let start = self.span.start.min(source.len());
        let before = &source[..start];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        (line, col)
    }

    /// The problem as a clerk reads it: `第 1 行第 8 列：…`, the line, a caret under the text,
    /// and the help.
    pub fn render(&self, source: &str) -> String {
        let (line, col) = self.line_col(source);
        let text = source.lines().nth(line - 1).unwrap_or("");
        // CJK characters take two columns in a terminal and in a monospaced page.
        let pad: String = text.chars().take(col - 1).map(|c| if (c as u32) < 0x1100 { " " } else { "  " }).collect();
        let shown = source.get(self.span.clone()).unwrap_or("").lines().next().unwrap_or("");
        let marks: String = shown.chars().map(|c| if (c as u32) < 0x1100 { "^" } else { "^^" }).collect();
        let marks = if marks.is_empty() { "^".to_string() } else { marks };
        let mut out = format!("第 {line} 行第 {col} 列：{}\n  {text}\n  {pad}{marks}", self.message);
        if let Some(h) = &self.help {
            out.push_str(&format!("\n  提示：{h}"));
        }
        out
    }
}

/// An expression parsed and checked against the declared facts, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub source: String,
    pub expr: Expr,
    pub ty: Type,
}

/// Parses `source` and checks it against `decls`, expecting a value of type `want` (`Bool` for
/// a condition, `Money` for an amount). Errors: every problem found, in source order.
pub fn compile(source: &str, decls: &Decls, want: Type) -> Result<Compiled, Vec<Diagnostic>> {
    compile_in(source, decls, want, Scope::Year)
}

/// [`compile`] for a rule assessed per `scope` (a per-project rule may read the project's facts).
pub fn compile_in(source: &str, decls: &Decls, want: Type, scope: Scope) -> Result<Compiled, Vec<Diagnostic>> {
    let tokens = lex::lex(source)?;
    let mut expr = parse::parse(source, &tokens)?;
    let ty = check::check(&mut expr, decls, want, scope)?;
    Ok(Compiled { source: source.to_string(), expr, ty })
}
