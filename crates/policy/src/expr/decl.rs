//! The facts a policy file declares (`[[facts]]`): each with its code (the column), its Chinese
//! name, its type and where it lives. Expressions are checked against them; a file without the
//! section gets FACTS.md's columns ([`Decls::facts_md`]), which the bundled Zezhou file declares.

use crate::diag::Problem;
use crate::fields::{Fields, choice, string};
use crate::tree::{Node, Value};

/// The type of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// Yuan (exact decimal).
    Money,
    /// A whole count (people, items).
    Count,
    /// A percentage, kept as the fraction (20% is 0.2).
    Percent,
    /// An area in 亩 or m², as declared.
    Area,
    /// 是/否.
    Bool,
    /// A year (`2023`).
    Year,
    /// A text code (a category, a level): compared with `==` only.
    Code,
    /// A date (`YYYY-MM-DD`), compared with other dates.
    Date,
    /// Free text (a name): shown in explanations, never computed with.
    Text,
    /// A bare number: takes the type of what it meets.
    Number,
    /// A part already reported wrong: agrees with everything, so one mistake is reported once.
    Error,
}

impl Type {
    pub fn zh(self) -> &'static str {
        match self {
            Type::Money => "金额",
            Type::Count => "数量",
            Type::Percent => "百分比",
            Type::Area => "面积",
            Type::Bool => "是/否",
            Type::Year => "年份",
            Type::Code => "代码",
            Type::Date => "日期",
            Type::Text => "文字",
            Type::Number => "数",
            Type::Error => "（有误）",
        }
    }

    pub(crate) fn numeric(self) -> bool {
        matches!(self, Type::Money | Type::Count | Type::Percent | Type::Area | Type::Year | Type::Number | Type::Error)
    }
}

/// Where a fact lives: on the enterprise, on its row of a year, on a project, on a recognition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Enterprise,
    Yearly,
    Project,
    Recognition,
}

/// A fact the policy file declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactDecl {
    /// The column name (`revenue`), as expressions refer to it.
    pub code: String,
    /// The Chinese name explanations use (`营业收入`).
    pub name: String,
    pub ty: Type,
    pub place: Place,
}

/// The facts a policy file declares, and the coded values some of them take.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decls {
    pub facts: Vec<FactDecl>,
    /// The codes (with Chinese names) a code fact takes, where the policy lists them: `kind` the
    /// recognition kinds, `category` the project categories, `chain` the chains. `recognized(k)`
    /// and comparisons with a code are checked against these.
    pub codes: Vec<(String, Vec<(String, String)>)>,
}

impl Decls {
    pub fn get(&self, code: &str) -> Option<&FactDecl> {
        self.facts.iter().find(|f| f.code == code)
    }

    /// The codes fact `fact` takes (code, Chinese name), when the policy lists them.
    pub fn codes_of(&self, fact: &str) -> Option<&[(String, String)]> {
        self.codes.iter().find(|(f, _)| f == fact).map(|(_, c)| c.as_slice())
    }

    /// A code of fact `fact` written by its code or Chinese name: the code.
    pub fn code_named(&self, fact: &str, text: &str) -> Option<&str> {
        self.codes_of(fact)?.iter().find(|(c, n)| c == text || n == text).map(|(c, _)| c.as_str())
    }

    /// Fills [`Decls::codes`] from the policy's vocabularies.
    pub(crate) fn vocab_codes(
        &mut self,
        kinds: &[lianzhang_facts::Code],
        categories: &[lianzhang_facts::Code],
        chains: &[lianzhang_facts::ChainVocab],
    ) {
        let pairs = |c: &[lianzhang_facts::Code]| c.iter().map(|c| (c.code.clone(), c.name.clone())).collect();
        self.codes = vec![
            ("kind".into(), pairs(kinds)),
            ("category".into(), pairs(categories)),
            ("chain".into(), chains.iter().map(|c| (c.code.clone(), c.name.clone())).collect()),
        ];
    }
}

/// The declared facts beyond FACTS.md's columns, as the data's extra columns. A recognition
/// fact beyond `kind` is refused: the recognitions sheet has no place for it yet.
pub(crate) fn extras(decls: &Decls) -> Vec<lianzhang_facts::ExtraFact> {
    use lianzhang_facts::{ExtraFact, ExtraPlace, ExtraType};
    let standard = Decls::facts_md();
    let mut out = Vec::new();
    for f in decls.facts.iter().filter(|f| standard.get(&f.code).is_none()) {
        let place = match f.place {
            Place::Enterprise => ExtraPlace::Enterprise,
            Place::Yearly => ExtraPlace::Yearly,
            Place::Project => ExtraPlace::Project,
            // Refused where it is declared (`entry`).
            Place::Recognition => continue,
        };
        let ty = match f.ty {
            Type::Money => ExtraType::Money,
            Type::Count => ExtraType::Count,
            Type::Percent => ExtraType::Percent,
            Type::Area => ExtraType::Area,
            Type::Bool => ExtraType::Bool,
            Type::Year => ExtraType::Year,
            Type::Code => ExtraType::Code,
            Type::Date => ExtraType::Date,
            Type::Text | Type::Number | Type::Error => ExtraType::Text,
        };
        out.push(ExtraFact { code: f.code.clone(), name: f.name.clone(), ty, place });
    }
    out
}

/// The codes and Chinese words of the types, as the policy file writes them.
const TYPES: &[(&str, Type)] = &[
    ("money", Type::Money),
    ("count", Type::Count),
    ("percent", Type::Percent),
    ("area", Type::Area),
    ("bool", Type::Bool),
    ("year", Type::Year),
    ("code", Type::Code),
    ("date", Type::Date),
    ("text", Type::Text),
];

const PLACES: &[(&str, Place)] = &[
    ("enterprise", Place::Enterprise),
    ("yearly", Place::Yearly),
    ("project", Place::Project),
    ("recognition", Place::Recognition),
];

impl Decls {
    /// FACTS.md's columns, as the engine's built-in rule kinds read them.
    pub fn facts_md() -> Decls {
        let d = |code: &str, name: &str, ty, place| FactDecl { code: code.into(), name: name.into(), ty, place };
        use Place::*;
        use Type::*;
        Decls {
            codes: Vec::new(),
            facts: vec![
                d("uscc", "统一社会信用代码", Code, Enterprise),
                d("name", "企业名称", Text, Enterprise),
                d("chain", "产业链", Code, Enterprise),
                d("stage", "环节", Code, Enterprise),
                d("town", "乡镇", Code, Enterprise),
                d("industry_code", "行业代码", Code, Enterprise),
                d("strategic_emerging", "战略性新兴产业企业", Bool, Enterprise),
                d("established", "成立日期", Date, Enterprise),
                d("chain_joined_year", "入链年份", Year, Enterprise),
                d("revenue", "营业收入", Money, Yearly),
                d("above_scale", "规上企业", Bool, Yearly),
                d("chain_master", "链主企业", Bool, Yearly),
                d("local_procurement", "本地配套采购额", Money, Yearly),
                d("total_procurement", "配套采购总额", Money, Yearly),
                d("rd_expense", "研发投入", Money, Yearly),
                d("kind", "认定类型", Code, Recognition),
                d("project_id", "项目编号", Code, Project),
                d("project_name", "项目名称", Text, Project),
                d("category", "项目类别", Code, Project),
                d("fixed_asset_investment", "固定资产投资", Money, Project),
                d("start_year", "开工年度", Year, Project),
                d("completed_year", "竣工投产年度", Year, Project),
            ],
        }
    }
}

/// The facts the built-in rule kinds read, with the type they need.
pub(crate) const BUILT_IN: &[(&str, Type)] = &[
    ("revenue", Type::Money),
    ("rd_expense", Type::Money),
    ("local_procurement", Type::Money),
    ("total_procurement", Type::Money),
    ("above_scale", Type::Bool),
    ("chain_master", Type::Bool),
    ("strategic_emerging", Type::Bool),
    ("fixed_asset_investment", Type::Money),
];

/// The `[[facts]]` section: every declaration checked (a code a column can have, a known type
/// and place, a name, no code twice, and the facts the built-in rule kinds read declared with the
/// type they need), every problem at once.
pub(crate) fn compile(node: &Node, problems: &mut Vec<Problem>) -> Decls {
    let Value::Array(items) = &node.value else {
        problems.push(Problem::new(Some(&node.origin), format!("[[facts]] 应为数组，实为{}", node.value.type_name())));
        return Decls::facts_md();
    };
    // A wrong entry is reported once: its code (when readable) is not reported missing as well,
    // and expressions that use it are not reported again (it is kept with the type `Error`).
    let mut wrong: Vec<String> = Vec::new();
    let mut facts: Vec<FactDecl> = Vec::new();
    for n in items {
        let before = problems.len();
        let read = entry(n, problems);
        match read {
            Some(f) if problems.len() == before => {
                if facts.iter().any(|g| g.code == f.code) {
                    problems.push(Problem::new(Some(&n.origin), format!("事实“{}”声明了两次", f.code)));
                    continue;
                }
                facts.push(f);
            }
            _ => {
                if let Value::Table(t) = &n.value
                    && let Some(Value::String(c)) = t.entries.iter().find(|e| e.key == "code").map(|e| &e.node.value)
                {
                    wrong.push(c.clone());
                    if !facts.iter().any(|g| &g.code == c) {
                        facts.push(FactDecl {
                            code: c.clone(),
                            name: c.clone(),
                            ty: Type::Error,
                            place: Place::Yearly,
                        });
                    }
                }
            }
        }
    }
    let decls = Decls { facts, codes: Vec::new() };
    for (code, ty) in BUILT_IN.iter().filter(|(c, _)| !wrong.iter().any(|w| w == c)) {
        match decls.get(code) {
            None => problems.push(
                Problem::new(Some(&node.origin), format!("未声明事实“{code}”：内置的规则种类要用到它"))
                    .with_help(format!("在 [[facts]] 中加上 code = \"{code}\"，type = \"{}\"", type_code(*ty))),
            ),
            Some(f) if f.ty != *ty => problems.push(Problem::new(
                Some(&node.origin),
                format!("事实“{code}”应为{}（内置的规则种类按{}读它），声明的是{}", ty.zh(), ty.zh(), f.ty.zh()),
            )),
            Some(_) => {}
        }
    }
    decls
}

fn entry(n: &Node, p: &mut Vec<Problem>) -> Option<FactDecl> {
    let mut f = Fields::new(n, "[[facts]]", p)?;
    let code = f.req("code", p).and_then(|c| {
        let s = string(c, p)?;
        let ok = s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Some(s)
        } else {
            p.push(Problem::new(
                Some(&c.origin),
                "事实代码应以小写字母开头，只含小写字母、数字和下划线（如 tax_paid）",
            ));
            None
        }
    });
    let name = f.req("name", p).and_then(|c| string(c, p));
    let ty = f.req("type", p).and_then(|c| choice(c, TYPES, p));
    let place = f.req("place", p).and_then(|c| choice(c, PLACES, p));
    f.finish(&["code", "name", "type", "place", "unit"], p);
    if place == Some(Place::Recognition)
        && let Some(c) = &code
        && Decls::facts_md().get(c).is_none()
    {
        p.push(
            Problem::new(Some(&n.origin), format!("事实“{c}”：认定表只有认定类型和年度两列，不能再声明认定的事实"))
                .with_help("把它声明为企业（enterprise）、年度（yearly）或项目（project）的事实"),
        );
    }
    Some(FactDecl { code: code?, name: name?, ty: ty?, place: place? })
}

fn type_code(t: Type) -> &'static str {
    TYPES.iter().find(|(_, x)| *x == t).map_or("", |(c, _)| c)
}
