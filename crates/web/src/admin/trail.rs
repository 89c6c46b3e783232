//! The audit trail as a clerk reads it: tables, fields, roles and actions in Chinese, values
//! as the rest of the site shows them (是/否, 钢铁, 万元), enterprises by name, times as Beijing
//! time to the second. No codes and no JSON reach the page.

use crate::format::{beijing, wan_yuan, yuan};
use lianzhang_facts::Vocabulary;
use lianzhang_store::{AuditEntry, AuditNames, Role};
use rust_decimal::Decimal;

/// One audit entry, ready to show.
#[derive(Debug, Clone)]
pub struct TrailRow {
    /// Beijing time, `2026-11-25 19:12:05`.
    pub at: String,
    /// The actor's display name with the username: `管理员（admin）`.
    pub actor: String,
    /// 修改, 新增, 导入…
    pub action: String,
    /// 企业, 年度数据, 用户… (数据导入 for the summary of one import).
    pub table: String,
    /// The row, named: `泽州钢铁有限公司 · 2023 年`, `财政（finance）`, the imported file.
    pub subject: String,
    /// The row without its enterprise (for an enterprise's own history): `2023 年度数据`.
    pub detail: String,
    /// Where the row's enterprise is shown, if it is one.
    pub link: Option<String>,
    /// The field in Chinese; empty for an entry about a whole row.
    pub field: String,
    pub old: String,
    pub new: String,
}

/// The tables the audit page filters by, with their Chinese names.
pub const TABLES: [(&str, &str); 14] = [
    ("enterprises", "企业"),
    ("annual", "年度数据"),
    ("recognitions", "认定"),
    ("projects", "项目"),
    ("extra_facts", "政策声明的其他事实"),
    ("users", "用户"),
    ("chain_roles", "链长分工"),
    ("confirmations", "数值核实"),
    ("rounds", "兑现批次"),
    ("credit_lists", "失信名单"),
    ("budgets", "预算"),
    ("calendar_years", "工作日历"),
    ("policy_adoptions", "政策版本"),
    ("*", "数据导入"),
];

fn table_zh(table: &str) -> String {
    TABLES.iter().find(|t| t.0 == table).map_or_else(|| "其他".to_string(), |t| t.1.to_string())
}

fn action_zh(action: &str) -> &'static str {
    match action {
        "update" => "修改",
        "insert" => "新增",
        "delete" => "删除",
        "import" => "导入",
        "confirm" => "确认数值",
        "round" => "兑现办理",
        "keep" => "保留企业库的值",
        "take" => "采用文件的值",
        _ => "其他操作",
    }
}

/// The Chinese name of a field: a column of FACTS.md (as the import diff names it), or of an
/// account or a chain role.
fn field_zh(table: &str, field: &str) -> String {
    if matches!(table, "enterprises" | "annual" | "recognitions" | "projects") {
        return lianzhang_store::field_zh(table, field).to_string();
    }
    let name = match (table, field) {
        ("users", "display_name") => "姓名",
        ("users", "chain") => "产业链范围",
        ("users", "role") => "角色",
        ("chain_roles", "role") => "职务",
        (_, "disabled_at") => "账户状态",
        (_, "locked_until") => "登录锁定",
        (_, "password") => "密码",
        (_, "api_tokens") => "接口令牌",
        _ => "其他字段",
    };
    name.to_string()
}

const MONEY: [&str; 4] = ["revenue", "local_procurement", "total_procurement", "rd_expense"];

/// Yuan as the site shows money: `3,000.00 万元（30,000,000.00 元）`, exact to the fen.
pub fn money_text(yuan_text: &str) -> Option<String> {
    let d: Decimal = yuan_text.trim().parse().ok()?;
    Some(if d.abs() >= Decimal::from(10_000) {
        format!("{} 万元（{} 元）", wan_yuan(&d), yuan(d))
    } else {
        format!("{} 元", yuan(d))
    })
}

/// `2015-03-05` as `2015年3月5日`.
fn date_text(iso: &str) -> Option<String> {
    let d: jiff::civil::Date = iso.trim().parse().ok()?;
    Some(format!("{}年{}月{}日", d.year(), d.month(), d.day()))
}

fn yes_no_text(v: &str) -> Option<&'static str> {
    match v.trim() {
        "是" | "1" | "true" => Some("是"),
        "否" | "0" | "false" => Some("否"),
        _ => None,
    }
}

struct Render<'a> {
    vocab: &'a Vocabulary,
    names: &'a AuditNames,
}

impl Render<'_> {
    fn chain(&self, code: &str) -> String {
        self.vocab.chains.iter().find(|c| c.code == code).map_or_else(|| code.to_string(), |c| c.name.clone())
    }

    /// A fact the policy declares beyond FACTS.md, by its code.
    fn declared(&self, code: &str) -> Option<&lianzhang_facts::ExtraFact> {
        self.vocab.extras.iter().find(|f| f.code == code)
    }

    fn enterprise(&self, uscc: &str) -> String {
        self.names.enterprises.get(uscc).cloned().unwrap_or_else(|| format!("企业 {uscc}"))
    }

    fn user(&self, username: &str) -> String {
        match self.names.users.get(username) {
            Some(d) if d != username => format!("{d}（{username}）"),
            _ => username.to_string(),
        }
    }

    /// A value of `field`, or what its absence means there.
    fn value(&self, table: &str, field: &str, v: Option<&str>) -> String {
        let Some(v) = v else {
            return match (table, field) {
                ("users", "chain") => "全部产业链".into(),
                ("users", "disabled_at") => "正常".into(),
                ("users", "locked_until") => "未锁定".into(),
                ("users", _) | ("chain_roles", _) => "—".into(),
                _ => "（未知）".into(),
            };
        };
        let shown = match (table, field) {
            (_, f) if MONEY.contains(&f) || f == "fixed_asset_investment" => money_text(v),
            (_, "above_scale" | "chain_master" | "strategic_emerging") => yes_no_text(v).map(str::to_string),
            (_, "chain") => Some(self.chain(v)),
            (_, "established") => date_text(v),
            ("recognitions", "kind") => self.vocab.recognition_kind(v).map(|k| self.vocab.kind_info(k).name.clone()),
            (_, "category") => self.vocab.project_category(v).map(|c| self.vocab.category_info(c).name.clone()),
            ("users", "role") => Role::parse(v).map(|r| r.zh().to_string()),
            ("chain_roles", "role") => Some(
                match v {
                    "chief" => "链长",
                    "deputy" => "副链长",
                    _ => "链长助理",
                }
                .to_string(),
            ),
            ("users", "disabled_at") => Some(format!("已停用（{}）", beijing(v))),
            ("users", "locked_until") => Some(format!("锁定至 {}", beijing(v))),
            ("users", "api_tokens") => {
                Some(if v == "0" { "0 个（已全部吊销）".to_string() } else { format!("{v} 个") })
            }
            _ => None,
        };
        shown.unwrap_or_else(|| v.to_string())
    }

    /// (subject with the enterprise, subject within the enterprise, link to the enterprise).
    fn subject(&self, e: &AuditEntry) -> (String, String, Option<String>) {
        let parts: Vec<&str> = e.row_key.split('|').collect();
        let link = |uscc: &str| Some(format!("/enterprises/{uscc}"));
        match (e.table_name.as_str(), parts.as_slice()) {
            ("enterprises", [uscc, ..]) => (self.enterprise(uscc), "企业信息".into(), link(uscc)),
            ("annual", [uscc, year, ..]) => {
                (format!("{} · {year} 年", self.enterprise(uscc)), format!("{year} 年度数据"), link(uscc))
            }
            ("recognitions", [uscc, kind, year, ..]) => {
                let kind = self.value("recognitions", "kind", Some(kind));
                let detail = format!("{year} 年 {kind}");
                (format!("{} · {detail}", self.enterprise(uscc)), detail, link(uscc))
            }
            ("projects", _) => match self.names.projects.get(&e.row_key) {
                Some((uscc, name)) => {
                    let detail = format!("项目 {}（{name}）", e.row_key);
                    (format!("{} · {detail}", self.enterprise(uscc)), detail, link(uscc))
                }
                None => (format!("项目 {}", e.row_key), format!("项目 {}", e.row_key), None),
            },
            ("confirmations", [uscc, year, project @ ..]) => {
                let detail = match project.first() {
                    Some(p) => format!("{year} 年 项目 {p} 数值核实"),
                    None => format!("{year} 年数值核实"),
                };
                (format!("{} · {detail}", self.enterprise(uscc)), detail, link(uscc))
            }
            ("users", _) => (format!("用户 {}", self.user(&e.row_key)), String::new(), None),
            ("chain_roles", [chain, person, ..]) => {
                let who = self.names.people.get(*person).cloned().unwrap_or_else(|| format!("人员 {person}"));
                (format!("{} · {who}", self.chain(chain)), String::new(), None)
            }
            ("extra_facts", [uscc, at, fact, ..]) => {
                let at = lianzhang_facts::ExtraAt::from_code(at).map(|a| a.zh()).unwrap_or_default();
                let detail = format!("{at} {}", self.declared(fact).map_or(*fact, |f| f.name.as_str()));
                let detail = detail.trim().to_string();
                (format!("{} · {detail}", self.enterprise(uscc)), detail, link(uscc))
            }
            ("*", _) => (import_source(&e.row_key), String::new(), None),
            ("rounds", [id, ..]) => (format!("第 {id} 号兑现批次"), String::new(), Some(format!("/rounds/{id}"))),
            ("credit_lists", [id, ..]) => (format!("第 {id} 次导入的失信名单"), String::new(), None),
            ("budgets", [year, ..]) => (format!("{year} 年度预算"), String::new(), None),
            ("calendar_years", [year, ..]) => (format!("{year} 年放假安排"), String::new(), None),
            ("policy_adoptions", [id, hash]) => {
                (format!("第 {id} 次启用政策版本（{hash}）"), String::new(), Some(format!("/policy/versions/{id}")))
            }
            _ => (e.row_key.clone(), String::new(), None),
        }
    }

    fn row(&self, e: &AuditEntry) -> TrailRow {
        let (subject, detail, link) = self.subject(e);
        let (field, old, new) = match (e.action.as_str(), e.field.as_deref()) {
            // A round's event: its Chinese sentence is the new value; budgets name their clause.
            ("round", _) => (String::new(), String::new(), e.new_value.clone().unwrap_or_default()),
            (_, _) if e.table_name == "policy_adoptions" => {
                ("启用".to_string(), String::new(), e.new_value.clone().unwrap_or_default())
            }
            (_, Some(clause)) if e.table_name == "budgets" => {
                (format!("{clause} 预算"), String::new(), e.new_value.clone().unwrap_or_default())
            }
            ("import", _) if e.table_name != "*" => {
                (String::new(), String::new(), e.new_value.clone().unwrap_or_default())
            }
            ("import", _) => (String::new(), String::new(), import_summary(e.new_value.as_deref().unwrap_or_default())),
            // A confirmation records `check|field`, the value confirmed and the reason.
            ("confirm", Some(f)) => {
                let field = f.split('|').nth(1).unwrap_or(f);
                (
                    field_zh("annual", field),
                    self.value("annual", field, e.old_value.as_deref()),
                    format!("核实无误：{}", e.new_value.as_deref().unwrap_or_default()),
                )
            }
            // A declared fact: named and shown as the policy declares it.
            (_, Some(_)) if e.table_name == "extra_facts" => {
                let fact = e.row_key.split('|').nth(2).unwrap_or_default();
                let decl = self.declared(fact);
                let shown = |v: Option<&str>| match (v, decl) {
                    (None, _) => "（未知）".to_string(),
                    (Some(v), Some(d)) if d.ty == lianzhang_facts::ExtraType::Money => {
                        money_text(v).unwrap_or_else(|| v.to_string())
                    }
                    (Some(v), _) => v.to_string(),
                };
                let name = decl.map_or_else(|| fact.to_string(), |d| d.name.clone());
                (name, shown(e.old_value.as_deref()), shown(e.new_value.as_deref()))
            }
            (_, Some(f)) => (
                field_zh(&e.table_name, f),
                self.value(&e.table_name, f, e.old_value.as_deref()),
                self.value(&e.table_name, f, e.new_value.as_deref()),
            ),
            (_, None) => (String::new(), String::new(), String::new()),
        };
        let web_edit = e.action == "import" && e.row_key == "网页编辑";
        TrailRow {
            at: beijing(&e.at),
            actor: self.user(&e.actor),
            // A save of the edit form goes through the import: it is a web edit to the clerk.
            action: if web_edit { "网页修改".into() } else { action_zh(&e.action).to_string() },
            table: if web_edit { "企业数据".into() } else { table_zh(&e.table_name) },
            subject,
            detail,
            link,
            field,
            old,
            new,
        }
    }
}

/// The source of an import as recorded (a file name, or 网页编辑).
fn import_source(source: &str) -> String {
    if source == "网页编辑" { "网页编辑".into() } else { format!("文件 {source}") }
}

/// The counts an import records (`[{"sheet":"annual","added":2,"changed":1,"unchanged":0}]`)
/// as one sentence: `年度数据：新增 2 行、修改 1 行`. Anything else is shown as recorded.
pub fn import_summary(recorded: &str) -> String {
    let Ok(serde_json::Value::Array(sheets)) = serde_json::from_str::<serde_json::Value>(recorded) else {
        return recorded.to_string();
    };
    let mut parts = Vec::new();
    for s in &sheets {
        let sheet = s.get("sheet").and_then(|v| v.as_str()).unwrap_or_default();
        let count = |k: &str| s.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
        let mut counts = Vec::new();
        for (key, zh) in [("added", "新增"), ("changed", "修改")] {
            if count(key) > 0 {
                counts.push(format!("{zh} {} 行", count(key)));
            }
        }
        if !counts.is_empty() {
            parts.push(format!("{}：{}", table_zh(sheet), counts.join("、")));
        }
    }
    if parts.is_empty() { "无变化".into() } else { parts.join("；") }
}

/// Every entry, rendered.
pub fn rows(entries: &[AuditEntry], names: &AuditNames, vocab: &Vocabulary) -> Vec<TrailRow> {
    let r = Render { vocab, names };
    entries.iter().map(|e| r.row(e)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact_and_in_wan_when_large() {
        assert_eq!(money_text("30000000.50").unwrap(), "3,000.00 万元（30,000,000.50 元）");
        assert_eq!(money_text("32.00").unwrap(), "32.00 元");
        assert!(money_text("abc").is_none());
    }

    #[test]
    fn import_counts_read_as_a_sentence() {
        let json = r#"[{"sheet":"enterprises","added":2,"changed":0,"unchanged":5},{"sheet":"annual","added":0,"changed":1,"unchanged":3}]"#;
        assert_eq!(import_summary(json), "企业：新增 2 行；年度数据：修改 1 行");
        assert_eq!(import_summary("[]"), "无变化");
    }

    #[test]
    fn dates_read_in_chinese() {
        assert_eq!(date_text("2015-03-05").unwrap(), "2015年3月5日");
    }
}
