//! The controls of the edit form: which column is typed how, and the Chinese drop-downs (产业链,
//! 环节 grouped by chain, 乡镇, 是/否/未知, 认定类型, 项目类别) whose values are the codes the
//! reader takes. The server validates every value again (the reader), whatever the browser sent.

use lianzhang_facts::{MAX_YEAR, MIN_YEAR, Vocabulary};

/// How a column is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Text,
    /// A year, `2023` (or `2023年`, as the reader takes it).
    Year,
    /// A date as a clerk types it: `2015年3月5日`, `2015/3/5`, `2015-03-05` (the reader's forms).
    Date,
    /// Yuan, up to two decimals, as a clerk types them (`31000000.50`).
    Money,
    /// 是 / 否 / 未知.
    YesNo,
    /// 产业链 by Chinese name; the value is its code.
    Chain,
    /// 环节, grouped by chain.
    Stage,
    /// 乡镇: the towns of the registry (a new one is typed beside it).
    Town,
    /// 项目类别 by Chinese name; the value is its code.
    Category,
}

/// One column of FACTS.md on the form: (column, 中文 label, how it is typed).
type Fixed = (&'static str, &'static str, Input);

/// One column of the form: FACTS.md's, or a fact the policy declares beyond it (issue 11).
#[derive(Debug, Clone)]
pub struct Spec {
    /// The column (the form field's name, the header it is saved under).
    pub code: String,
    /// 中文 label, with its unit.
    pub label: String,
    pub input: Input,
    /// A fact the policy declares: its place decides where its audit entries are.
    pub declared: bool,
}

/// The form's columns for a policy: FACTS.md's, then the facts it declares, per sheet.
#[derive(Debug, Clone)]
pub struct Specs {
    pub enterprise: Vec<Spec>,
    pub annual: Vec<Spec>,
    pub project: Vec<Spec>,
}

impl Specs {
    pub fn of(vocab: &Vocabulary) -> Specs {
        use lianzhang_facts::{ExtraPlace, ExtraType};
        let fixed = |list: &[Fixed]| -> Vec<Spec> {
            list.iter()
                .map(|(code, label, input)| Spec {
                    code: code.to_string(),
                    label: label.to_string(),
                    input: *input,
                    declared: false,
                })
                .collect()
        };
        let declared = |place| {
            vocab.extras_of(place).map(|(_, f)| {
                let (input, unit) = match f.ty {
                    ExtraType::Money => (Input::Money, "（元）"),
                    ExtraType::Bool => (Input::YesNo, ""),
                    ExtraType::Year => (Input::Year, ""),
                    ExtraType::Date => (Input::Date, ""),
                    ExtraType::Percent => (Input::Text, "（%）"),
                    _ => (Input::Text, ""),
                };
                Spec { code: f.code.clone(), label: format!("{}{unit}", f.name), input, declared: true }
            })
        };
        let mut s = Specs { enterprise: fixed(&ENTERPRISE), annual: fixed(&ANNUAL), project: fixed(&PROJECT) };
        s.enterprise.extend(declared(ExtraPlace::Enterprise));
        s.annual.extend(declared(ExtraPlace::Yearly));
        s.project.extend(declared(ExtraPlace::Project));
        s
    }

    /// The column of the enterprise's or the year's sheet named `code`.
    pub fn own(&self, code: &str) -> Option<&Spec> {
        self.enterprise.iter().chain(&self.annual).find(|s| s.code == code)
    }
}

const ENTERPRISE: [Fixed; 8] = [
    ("name", "企业名称", Input::Text),
    ("chain", "产业链", Input::Chain),
    ("stage", "环节", Input::Stage),
    ("town", "乡镇", Input::Town),
    ("industry_code", "行业代码", Input::Text),
    ("strategic_emerging", "战略性新兴产业", Input::YesNo),
    ("established", "成立日期", Input::Date),
    ("chain_joined_year", "入链年份", Input::Year),
];

const ANNUAL: [Fixed; 6] = [
    ("revenue", "营业收入（元）", Input::Money),
    ("above_scale", "规上企业", Input::YesNo),
    ("chain_master", "链主企业", Input::YesNo),
    ("local_procurement", "本地配套采购额（元）", Input::Money),
    ("total_procurement", "配套采购总额（元）", Input::Money),
    ("rd_expense", "研发投入（元）", Input::Money),
];

/// The columns of a project after its id (which is fixed once given) and its enterprise.
const PROJECT: [Fixed; 5] = [
    ("name", "项目名称", Input::Text),
    ("category", "项目类别", Input::Category),
    ("fixed_asset_investment", "固定资产投资（元）", Input::Money),
    ("start_year", "开工年度", Input::Year),
    ("completed_year", "竣工投产年度（在建留空）", Input::Year),
];

/// One choice of a drop-down.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Choices under one heading (`<optgroup>`); an unnamed group is a plain list.
pub struct Group {
    pub label: String,
    /// The chain code a group of stages belongs to (the embedded script shows only the chosen
    /// chain's stages).
    pub chain: String,
    pub choices: Vec<Choice>,
}

/// One control of the form, ready to render.
pub struct Field {
    /// The form field name.
    pub name: String,
    pub label: String,
    /// `text` (an `<input>`) or `select`.
    pub control: &'static str,
    /// The `inputmode` of a text input (`decimal` for money).
    pub mode: &'static str,
    pub placeholder: &'static str,
    pub value: String,
    pub groups: Vec<Group>,
    pub error: Option<String>,
    /// The registry's value when the form was first shown (posted back as `was.{name}`).
    pub was: Option<String>,
}

/// What the drop-downs offer.
pub struct Choices<'a> {
    pub vocab: &'a Vocabulary,
    pub towns: &'a [String],
    /// A task force keeps its enterprises on its own chain: only that chain is offered.
    pub only_chain: Option<&'a str>,
}

fn plain(choices: Vec<Choice>) -> Vec<Group> {
    vec![Group { label: String::new(), chain: String::new(), choices }]
}

fn choice(value: &str, label: &str, current: &str) -> Choice {
    Choice { value: value.to_string(), label: label.to_string(), selected: value == current }
}

impl Choices<'_> {
    fn chains(&self) -> impl Iterator<Item = &lianzhang_facts::ChainVocab> {
        self.vocab.chains.iter().filter(|c| self.only_chain.is_none_or(|o| o == c.code))
    }

    /// The control of `spec` named `name`, showing `value` (and `chain`, the chosen chain's
    /// code, for a stage).
    pub fn field(&self, name: String, spec: &Spec, value: &str, chain: &str, error: Option<String>) -> Field {
        let (label, input) = (spec.label.clone(), spec.input);
        let unknown = |label: &str| choice("", label, value);
        let (control, mode, placeholder, groups) = match input {
            Input::Text => ("text", "text", "", Vec::new()),
            Input::Year => ("text", "numeric", "如 2023", Vec::new()),
            Input::Date => ("text", "text", "如 2015年3月5日 或 2015-03-05", Vec::new()),
            Input::Money => ("text", "decimal", "单位：元，如 31000000.50", Vec::new()),
            Input::YesNo => {
                ("select", "", "", plain(vec![unknown("未知"), choice("是", "是", value), choice("否", "否", value)]))
            }
            Input::Chain => {
                let mut list = if self.only_chain.is_some() { Vec::new() } else { vec![unknown("（未定）")] };
                list.extend(self.chains().map(|c| choice(&c.code, &c.name, value)));
                ("select", "", "", plain(list))
            }
            Input::Stage => {
                let mut groups = plain(vec![unknown("（未定）")]);
                groups.extend(self.chains().map(|c| {
                    Group {
                        label: c.name.clone(),
                        chain: c.code.clone(),
                        choices: c
                            .stages
                            .iter()
                            .map(|s| Choice {
                                value: s.clone(),
                                label: s.clone(),
                                selected: c.code == chain && s == value,
                            })
                            .collect(),
                    }
                }));
                ("select", "", "", groups)
            }
            Input::Town => {
                let mut list = vec![unknown("（未填）")];
                list.extend(self.towns.iter().map(|t| choice(t, t, value)));
                if !value.is_empty() && !self.towns.iter().any(|t| t == value) {
                    list.push(choice(value, value, value));
                }
                ("select", "", "", plain(list))
            }
            Input::Category => {
                let mut list = vec![unknown("（未定）")];
                list.extend(self.vocab.project_categories.iter().map(|c| choice(&c.code, &c.name, value)));
                ("select", "", "", plain(list))
            }
        };
        Field { name, label, control, mode, placeholder, value: value.to_string(), groups, error, was: None }
    }
}

/// The years an edit may be of.
pub const YEARS: (i32, i32) = (MIN_YEAR, MAX_YEAR);
