//! The sandbox's form: the policy's parameters a leader may change (amounts, thresholds, rates,
//! caps, interpretation choices), each with its Chinese label, unit and the value in force, and
//! the translation of a submitted form into `--set` assignments (only the changed ones), so that
//! a scenario is exactly what `lianzhang assess --set …` would run.

use lianzhang_policy::PolicyFile;
use lianzhang_policy::choices::{Choice, Opt};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Parameters that name things rather than measure them: not offered in the sandbox.
const NOT_OFFERED: &[&str] =
    &["fact", "recognition", "recognitions", "requires", "categories", "outcome", "recovers", "rules", "per"];

/// One field of the form.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Field {
    /// The `--set` key (`above_scale_entry.amount`).
    pub key: String,
    /// The rule's, group's or cap's title.
    pub owner: String,
    /// What the parameter is, in Chinese (`奖励金额`).
    pub label: String,
    /// `元`, `%`, `百分点`, `年` or empty.
    pub unit: &'static str,
    /// The value in force as typed in the form (a money amount in yuan, without quotes).
    pub current: String,
    /// The value in force as 万元 or another reading aid (`10万元`), empty when none.
    pub reading: String,
    /// For an interpretation choice: its options (the chosen one first).
    pub options: Vec<Opt>,
    /// Whether the file writes the value as a TOML string (quoted when set).
    quoted: bool,
}

impl Field {
    /// The form input's name.
    pub fn name(&self) -> String {
        format!("p.{}", self.key)
    }

    /// The value the form shows under `overrides` (the last assignment of this key, as typed in
    /// the form), or the value in force.
    pub fn shown(&self, overrides: &[String]) -> String {
        let prefix = format!("{}=", self.key);
        match overrides.iter().rev().find_map(|o| o.strip_prefix(&prefix)) {
            Some(v) if self.quoted && !self.is_choice() => {
                v.trim().trim_matches('"').replace("\\\"", "\"").replace("\\\\", "\\")
            }
            Some(v) => v.trim().to_string(),
            None => self.current.clone(),
        }
    }

    /// How a value reads (`15万元`, the meaning of a choice's option), for the list of changes.
    pub fn reads(&self, value: &str) -> String {
        if let Some(o) = self.options.iter().find(|o| o.value == value) {
            return o.meaning.clone();
        }
        let r = reading(value, self.unit);
        if r.is_empty() { format!("{value}{}", self.unit) } else { r }
    }

    pub fn is_choice(&self) -> bool {
        !self.options.is_empty()
    }

    /// The `--set` assignment for a submitted value, or `None` when it is the value in force.
    pub fn assignment(&self, submitted: &str) -> Option<String> {
        let v = submitted.trim();
        if v == self.current || v.is_empty() {
            return None;
        }
        if self.is_choice() || !self.quoted {
            return Some(format!("{}={v}", self.key));
        }
        // A money amount typed with separators or as 万元 is read as officials write it.
        let v = normalise_amount(v, self.unit).unwrap_or_else(|| v.to_string());
        if v == self.current {
            return None;
        }
        Some(format!("{}=\"{}\"", self.key, v.replace('\\', "\\\\").replace('"', "\\\"")))
    }
}

/// `150,000` → `150000`, `15万` → `150000`, `1.5万元` → `15000`; `None` when not such a form.
fn normalise_amount(v: &str, unit: &str) -> Option<String> {
    if unit != "元" {
        return None;
    }
    let plain = v.replace([',', '，', ' '], "");
    let (number, factor) = match plain.strip_suffix("万元").or_else(|| plain.strip_suffix('万')) {
        Some(n) => (n, Decimal::from(10_000)),
        None => (plain.strip_suffix('元').unwrap_or(&plain), Decimal::ONE),
    };
    let d = Decimal::from_str(number).ok()?;
    Some((d * factor).normalize().to_string())
}

pub(crate) fn label(param: &str) -> (&'static str, &'static str) {
    match param {
        "amount" => ("奖励金额", "元"),
        "threshold" => ("门槛", "元"),
        "cap" | "limit" => ("上限", "元"),
        "rate" => ("比例（小数）", ""),
        "min_rise_points" => ("最低增幅", "百分点"),
        "step_points" => ("每档增幅", "百分点"),
        "years" => ("连续年数", "年"),
        "min_entry_year" => ("最早纳入年度", ""),
        "min_expense" => ("研发投入下限", "元"),
        "min_growth_percent" => ("研发投入增长率下限", "%"),
        "min_intensity_percent" => ("研发投入强度下限", "%"),
        "new_enterprise_window" => ("新设企业认定窗口", "年"),
        "when" => ("条件（政策语言）", ""),
        "within" => ("收回期限", "年"),
        _ => ("", ""),
    }
}

/// `100000` (yuan) → `10万元`; other units → empty.
fn reading(value: &str, unit: &str) -> String {
    if unit != "元" {
        return String::new();
    }
    match Decimal::from_str(value) {
        Ok(d) => lianzhang_policy::engine::text::money_exact(d),
        Err(_) => String::new(),
    }
}

/// The form's fields in file order: every rule, group and cap parameter that measures something,
/// choices as selects, and the new-enterprise window.
pub fn fields(file: &PolicyFile, choices: &[Choice]) -> Vec<Field> {
    file.params()
        .into_iter()
        // What pays: rules, groups, caps and the history rule. The policy's identity, the rounds'
        // workflow, the near-miss lists and the plausibility checks (data quality) pay nothing.
        .filter(|p| matches!(p.section, "rules" | "groups" | "caps" | "history"))
        .filter(|p| !NOT_OFFERED.contains(&p.key.rsplit('.').next().unwrap_or_default()))
        .map(|p| {
            let param = p.key.rsplit('.').next().unwrap_or_default();
            let choice = choices.iter().find(|c| c.key == p.key);
            let (label_zh, unit) = match choice {
                Some(c) => (c.question.as_str(), ""),
                None => {
                    let (l, u) = label(param);
                    (if l.is_empty() { param } else { l }, u)
                }
            };
            let quoted = p.value.starts_with('"');
            let current =
                if quoted && choice.is_none() { p.value.trim_matches('"').to_string() } else { p.value.clone() };
            let options = choice.map(|c| std::iter::once(c.chosen.clone()).chain(c.others.iter().cloned()).collect());
            Field {
                reading: reading(&current, unit),
                key: p.key.clone(),
                owner: if p.owner == "[history]" { "历史数据口径".to_string() } else { p.owner.clone() },
                label: label_zh.to_string(),
                unit,
                current: match choice {
                    Some(c) => c.chosen.value.clone(),
                    None => current,
                },
                options: options.unwrap_or_default(),
                quoted,
            }
        })
        .collect()
}

/// The assignments of a submitted form (`(name, value)` pairs), in field order: only fields
/// whose value differs from the value in force.
pub fn assignments(fields: &[Field], submitted: &[(String, String)]) -> Vec<String> {
    fields
        .iter()
        .filter_map(|f| {
            let name = f.name();
            submitted.iter().rev().find(|(k, _)| *k == name).and_then(|(_, v)| f.assignment(v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zezhou() -> Vec<Field> {
        let file = PolicyFile::bundled();
        let policy = file.compile().unwrap();
        fields(&file, &lianzhang_policy::choices::choices(&policy))
    }

    #[test]
    fn amounts_thresholds_caps_and_choices_are_offered_names_are_not() {
        let f = zezhou();
        let get = |k: &str| f.iter().find(|x| x.key == k);
        let amount = get("above_scale_entry.amount").unwrap();
        assert_eq!((amount.label.as_str(), amount.unit, amount.current.as_str()), ("奖励金额", "元", "100000"));
        assert_eq!(amount.reading, "10万元");
        assert_eq!(get("project_subsidy.cap").unwrap().current, "2000000");
        assert_eq!(get("chain_master_revenue_300m.threshold").unwrap().current, "300000000");
        let counting = get("local_sourcing_increase.counting").unwrap();
        assert!(counting.is_choice());
        assert_eq!(counting.current, "\"whole_steps\"");
        assert!(get("above_scale_entry.fact").is_none() && get("above_scale_entry.requires").is_none());
        assert!(get("project_subsidy.categories").is_none());
        assert!(get("project_subsidy.threshold_categories").unwrap().is_choice());
        assert!(f.iter().all(|x| !x.key.starts_with("payout.") && !x.key.starts_with("policy.")));
        assert!(f.iter().all(|x| !x.key.starts_with("nearness.")));
        assert_eq!(get("history.new_enterprise_window").unwrap().owner, "历史数据口径");
    }

    #[test]
    fn only_changed_values_become_assignments_written_as_the_file_writes_them() {
        let f = zezhou();
        let form = |pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            assignments(&f, &pairs)
        };
        assert!(form(&[("p.above_scale_entry.amount", "100000"), ("p.project_subsidy.cap", " 2000000 ")]).is_empty());
        assert_eq!(form(&[("p.above_scale_entry.amount", "150000")]), ["above_scale_entry.amount=\"150000\""]);
        assert_eq!(form(&[("p.above_scale_entry.amount", "15万")]), ["above_scale_entry.amount=\"150000\""]);
        assert_eq!(form(&[("p.project_subsidy.cap", "1,500,000")]), ["project_subsidy.cap=\"1500000\""]);
        assert!(form(&[("p.above_scale_entry.amount", "10万元")]).is_empty(), "the value in force, written in 万元");
        assert_eq!(
            form(&[("p.local_sourcing_increase.counting", "\"exact\"")]),
            ["local_sourcing_increase.counting=\"exact\""]
        );
        assert_eq!(form(&[("p.above_scale_retained_2y.years", "3")]), ["above_scale_retained_2y.years=3"]);
        // What the form shows again under those assignments, and how the change reads.
        let amount = f.iter().find(|x| x.key == "above_scale_entry.amount").unwrap();
        assert_eq!(amount.shown(&["above_scale_entry.amount=\"150000\"".into()]), "150000");
        assert_eq!(amount.shown(&[]), "100000");
        assert_eq!(amount.reads("150000"), "15万元");
        let counting = f.iter().find(|x| x.key == "local_sourcing_increase.counting").unwrap();
        assert_eq!(counting.shown(&["local_sourcing_increase.counting=\"exact\"".into()]), "\"exact\"");
        assert!(counting.reads("\"exact\"").starts_with("达到5个百分点后按实际增幅计入"));
        // Not a number: passed on as typed, for the policy's own check to refuse with its reason.
        assert_eq!(form(&[("p.above_scale_entry.amount", "十万")]), ["above_scale_entry.amount=\"十万\""]);
    }
}
