//! The syntax tree of an expression and its parser (precedence climbing):
//!
//! ```text
//! or   := and (or and)*          and  := not (and not)*        not := not not | cmp
//! cmp  := sum (cmpop sum | in [code, …])?       sum  := prod ((+|-) prod)*    prod := unary ((*|/) unary)*
//! unary:= - unary | atom
//! atom := number | "text" | true | false | fact ([offset])? | name(args) | (or) | [band, …]
//! band := number? .. number? : sum
//! ```

use super::Diagnostic;
use super::decl::Type;
use super::lex::{Tok, Token, Unit};
use rust_decimal::Decimal;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Ge,
    Le,
    Gt,
    Lt,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "−",
            BinOp::Mul => "×",
            BinOp::Div => "÷",
            BinOp::Ge => "≥",
            BinOp::Le => "≤",
            BinOp::Gt => "＞",
            BinOp::Lt => "＜",
            BinOp::Eq => "＝",
            BinOp::Ne => "≠",
            BinOp::And => "且",
            BinOp::Or => "或",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Ge | BinOp::Le | BinOp::Gt | BinOp::Lt | BinOp::Eq | BinOp::Ne)
    }
}

/// One band of a written schedule: `from..to: value` (either end may be empty).
#[derive(Debug, Clone)]
pub struct BandExpr {
    pub from: Option<Expr>,
    pub to: Option<Expr>,
    pub value: Expr,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Num(Decimal, Unit),
    Bool(bool),
    /// A code, written as its code or quoted (`transformation`, `“技术改造”`); the checker puts
    /// the code here when the text was its Chinese name.
    Str(String),
    /// `x in [a, b]` (属于): a code fact among codes, each with where it was written.
    In(Box<Expr>, Vec<(String, Range<usize>)>),
    /// `year`: the year being judged (the assessed year, or an earlier one inside `first`).
    ThisYear,
    /// A declared fact; `offset` years from the assessed year (0 this year, -1 last year).
    Fact {
        code: String,
        offset: i32,
        /// Its place in the declared facts ([`super::Decls::facts`]), set by the checker so the
        /// engine reads it without matching its code.
        slot: u16,
    },
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
    Schedule(Vec<BandExpr>),
}

/// A node: what it is, where it was written, and its type once checked.
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: Kind,
    pub span: Range<usize>,
    pub ty: Option<Type>,
    /// For the condition of `first`/`entered`: it reads no yearly fact (recognitions only), so
    /// its past has no unknown years. Set by the checker, read when evaluating.
    pub dated: bool,
}

impl Expr {
    fn new(kind: Kind, span: Range<usize>) -> Expr {
        Expr { kind, span, ty: None, dated: false }
    }
}

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
}

type P<T> = Result<T, Diagnostic>;

fn describe(t: &Tok) -> String {
    match t {
        Tok::End => "表达式结尾".into(),
        Tok::Num(..) => "数".into(),
        Tok::Str(t) => format!("“{t}”"),
        Tok::Ident(w) => format!("“{w}”"),
        other => format!("“{}”", symbol(other)),
    }
}

fn symbol(t: &Tok) -> &'static str {
    match t {
        Tok::In => "in",
        Tok::True => "是",
        Tok::False => "否",
        Tok::And => "且",
        Tok::Or => "或",
        Tok::Not => "非",
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Slash => "/",
        Tok::Ge => ">=",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Lt => "<",
        Tok::Eq => "==",
        Tok::Ne => "!=",
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::LBrack => "[",
        Tok::RBrack => "]",
        Tok::Comma => ",",
        Tok::Colon => ":",
        Tok::DotDot => "..",
        Tok::Num(..) | Tok::Ident(_) | Tok::Str(_) | Tok::End => "",
    }
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &'a Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }
    fn bump(&mut self) -> &'a Token {
        let t = self.peek();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }
    fn eat(&mut self, tok: &Tok) -> bool {
        if &self.peek().tok == tok {
            self.bump();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, tok: Tok, what: &str) -> P<&'a Token> {
        if self.peek().tok == tok {
            Ok(self.bump())
        } else {
            let t = self.peek();
            Err(Diagnostic::new(t.span.clone(), format!("这里应为{what}，却是{}", describe(&t.tok))))
        }
    }

    fn or(&mut self) -> P<Expr> {
        let mut left = self.and()?;
        while self.eat(&Tok::Or) {
            let right = self.and()?;
            left = bin(BinOp::Or, left, right);
        }
        Ok(left)
    }

    fn and(&mut self) -> P<Expr> {
        let mut left = self.not()?;
        while self.eat(&Tok::And) {
            let right = self.not()?;
            left = bin(BinOp::And, left, right);
        }
        Ok(left)
    }

    fn not(&mut self) -> P<Expr> {
        let start = self.peek().span.start;
        if self.eat(&Tok::Not) {
            let inner = self.not()?;
            let span = start..inner.span.end;
            return Ok(Expr::new(Kind::Not(Box::new(inner)), span));
        }
        self.cmp()
    }

    fn cmp(&mut self) -> P<Expr> {
        let left = self.sum()?;
        if self.eat(&Tok::In) {
            self.expect(Tok::LBrack, "“[”（属于后写代码表，如 [transformation, green]）")?;
            let mut items = Vec::new();
            loop {
                let t = self.bump();
                match &t.tok {
                    Tok::Ident(w) | Tok::Str(w) => items.push((w.clone(), t.span.clone())),
                    other => {
                        return Err(Diagnostic::new(t.span.clone(), format!("这里应为代码，却是{}", describe(other))));
                    }
                }
                if self.eat(&Tok::Comma) {
                    continue;
                }
                let close = self.expect(Tok::RBrack, "“,”或“]”")?;
                let span = left.span.start..close.span.end;
                return Ok(Expr::new(Kind::In(Box::new(left), items), span));
            }
        }
        let op = match self.peek().tok {
            Tok::Ge => BinOp::Ge,
            Tok::Le => BinOp::Le,
            Tok::Gt => BinOp::Gt,
            Tok::Lt => BinOp::Lt,
            Tok::Eq => BinOp::Eq,
            Tok::Ne => BinOp::Ne,
            _ => return Ok(left),
        };
        self.bump();
        let right = self.sum()?;
        if matches!(self.peek().tok, Tok::Ge | Tok::Le | Tok::Gt | Tok::Lt | Tok::Eq | Tok::Ne) {
            let t = self.peek();
            return Err(Diagnostic::new(t.span.clone(), "比较不能连写").help("把 a <= x < b 写成 x >= a and x < b"));
        }
        Ok(bin(op, left, right))
    }

    fn sum(&mut self) -> P<Expr> {
        let mut left = self.prod()?;
        loop {
            let op = match self.peek().tok {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.prod()?;
            left = bin(op, left, right);
        }
    }

    fn prod(&mut self) -> P<Expr> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek().tok {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.unary()?;
            left = bin(op, left, right);
        }
    }

    fn unary(&mut self) -> P<Expr> {
        let start = self.peek().span.start;
        if self.eat(&Tok::Minus) {
            let inner = self.unary()?;
            let span = start..inner.span.end;
            return Ok(Expr::new(Kind::Neg(Box::new(inner)), span));
        }
        self.atom()
    }

    fn atom(&mut self) -> P<Expr> {
        let t = self.bump();
        let span = t.span.clone();
        match &t.tok {
            Tok::Num(v, u) => Ok(Expr::new(Kind::Num(*v, *u), span)),
            Tok::Str(t) => Ok(Expr::new(Kind::Str(t.clone()), span)),
            Tok::True => Ok(Expr::new(Kind::Bool(true), span)),
            Tok::False => Ok(Expr::new(Kind::Bool(false), span)),
            Tok::LParen => {
                let inner = self.or()?;
                let close = self.expect(Tok::RParen, "“)”")?;
                Ok(Expr { span: span.start..close.span.end, ..inner })
            }
            Tok::LBrack => self.schedule(span.start),
            Tok::Ident(name) => {
                if self.eat(&Tok::LParen) {
                    let mut args = Vec::new();
                    if !self.eat(&Tok::RParen) {
                        loop {
                            args.push(self.or()?);
                            if self.eat(&Tok::Comma) {
                                continue;
                            }
                            self.expect(Tok::RParen, "“,”或“)”")?;
                            break;
                        }
                    }
                    let end = self.toks[self.pos - 1].span.end;
                    return Ok(Expr::new(Kind::Call(name.clone(), args), span.start..end));
                }
                if name == "year" && self.peek().tok != Tok::LBrack {
                    return Ok(Expr::new(Kind::ThisYear, span));
                }
                let mut offset = 0;
                let mut end = span.end;
                if self.eat(&Tok::LBrack) {
                    let negative = self.eat(&Tok::Minus);
                    let n = self.bump();
                    let Tok::Num(v, Unit::Bare) = &n.tok else {
                        return Err(Diagnostic::new(n.span.clone(), "年度偏移应为整数，如 [-1] 表示上一年"));
                    };
                    let v = if negative { -*v } else { *v };
                    offset = i32::try_from(v.trunc().mantissa())
                        .ok()
                        .filter(|_| v.fract().is_zero())
                        .ok_or_else(|| Diagnostic::new(n.span.clone(), "年度偏移应为整数，如 [-1] 表示上一年"))?;
                    end = self.expect(Tok::RBrack, "“]”")?.span.end;
                }
                Ok(Expr::new(Kind::Fact { code: name.clone(), offset, slot: u16::MAX }, span.start..end))
            }
            other => Err(Diagnostic::new(span, format!("这里应为事实、数或“(”，却是{}", describe(other)))),
        }
    }

    fn schedule(&mut self, start: usize) -> P<Expr> {
        let mut bands = Vec::new();
        loop {
            let band_start = self.peek().span.start;
            let from = if self.peek().tok == Tok::DotDot { None } else { Some(self.sum()?) };
            self.expect(Tok::DotDot, "“..”（档的下限..上限）")?;
            let to = if self.peek().tok == Tok::Colon { None } else { Some(self.sum()?) };
            self.expect(Tok::Colon, "“:”（档后写该档的金额或比例）")?;
            let value = self.sum()?;
            let span = band_start..value.span.end;
            bands.push(BandExpr { from, to, value, span });
            if self.eat(&Tok::Comma) {
                continue;
            }
            let close = self.expect(Tok::RBrack, "“,”或“]”")?;
            return Ok(Expr::new(Kind::Schedule(bands), start..close.span.end));
        }
    }
}

fn bin(op: BinOp, l: Expr, r: Expr) -> Expr {
    let span = l.span.start..r.span.end;
    Expr::new(Kind::Bin(op, Box::new(l), Box::new(r)), span)
}

/// The tree of `tokens` (from [`super::lex::lex`] of `src`). Errors: the first place the text
/// stops making sense (a parser cannot say what follows a broken part).
pub fn parse(src: &str, tokens: &[Token]) -> Result<Expr, Vec<Diagnostic>> {
    if src.trim().is_empty() {
        return Err(vec![Diagnostic::new(0..0, "表达式为空")]);
    }
    let mut p = Parser { toks: tokens, pos: 0 };
    let e = p.or().map_err(|d| vec![d])?;
    let t = p.peek();
    if t.tok != Tok::End {
        return Err(vec![
            Diagnostic::new(t.span.clone(), format!("多余的{}", describe(&t.tok)))
                .help("两个条件之间用 and（且）或 or（或）连接"),
        ]);
    }
    Ok(e)
}
