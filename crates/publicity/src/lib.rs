//! The public list of an award round (兑现批次公示名单) as a Chinese PDF and as an `.xlsx`
//! workbook.
//!
//! Pure: no file or network IO, no clock, no system fonts. Every function takes a
//! [`PublicList`] and returns bytes. The PDF is laid out by typst with two embedded subsets of
//! Noto Sans CJK SC (Regular and Bold, SIL OFL 1.1, `fonts/`); [`missing_glyphs`] names the
//! characters those subsets cannot draw (生僻字) so that callers can warn before publishing.

mod format;
mod glyphs;
mod pdf;
mod round;
mod summary;
mod xlsx;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use format::{date as chinese_date, wan as fen_to_wan, yuan as fen_to_yuan};
pub use glyphs::missing_glyphs;
pub use pdf::pdf;
pub use round::{Issuing, from_round};
pub use summary::{ClauseTotal, Totals, totals};
pub use xlsx::xlsx;

/// The public list of one award round, ready to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicList {
    /// The heading, e.g. `泽州县2024年度制造业产业链政策奖励资金兑现名单（公示）`.
    pub title: String,
    /// The issuing body, e.g. `泽州县工业和信息化局`; printed under the title and signed at
    /// the bottom right.
    pub issuer: String,
    /// The document number (文号); empty prints a blank field `文号：＿＿＿＿＿＿`.
    pub document_no: String,
    /// The assessment year the awards are for (e.g. 2024).
    pub year: i32,
    /// The day the list is published (first day of the period).
    pub published: Date,
    /// The last day of the objection period (inclusive).
    pub last_day: Date,
    /// The length of the period in working days.
    pub working_days: u32,
    /// Where and how to object (address, phone), free text.
    pub objection_to: String,
    /// The policy document cited, e.g. `泽工信字〔2022〕84号`.
    pub policy: String,
    /// The lines, in the order to print.
    pub lines: Vec<PublicLine>,
}

/// One award of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicLine {
    /// The enterprise's registered name.
    pub enterprise: String,
    /// Its unified social credit code (统一社会信用代码, 18 characters).
    pub uscc: String,
    /// The Chinese name of its chain (产业链), if it belongs to one.
    pub chain: Option<String>,
    /// The clause of the policy, e.g. `第三条第（一）项`.
    pub clause: String,
    /// The title of the rule (奖励事项).
    pub rule_title: String,
    /// The amount in fen (1 yuan = 100 fen).
    pub amount_fen: i64,
    /// One line of reason: the facts and the arithmetic (may be long; it wraps).
    pub reason: String,
}

/// Why a list could not be rendered. The messages are Chinese and name the field and value.
#[derive(Debug, thiserror::Error)]
pub enum PublicityError {
    /// The objection period ends before it starts.
    #[error("公示期有误：结束日期 {last_day} 早于发布日期 {published}")]
    Period {
        /// The publication day, as `2024年5月6日`.
        published: String,
        /// The last day, as `2024年5月6日`.
        last_day: String,
    },
    /// A total does not fit in an i64 of fen.
    #[error("金额合计超出可表示的范围（{what}）")]
    Overflow {
        /// Which total, in Chinese.
        what: String,
    },
    /// typst could not lay the list out (a bug of this crate, not of the data).
    #[error("公示名单 PDF 生成失败（内部错误，请联系系统管理员）")]
    Pdf {
        /// typst's own messages, for the log only.
        detail: String,
    },
    /// The workbook could not be written (a bug of this crate, not of the data).
    #[error("公示名单 xlsx 生成失败（内部错误，请联系系统管理员）")]
    Xlsx {
        /// rust_xlsxwriter's own message, for the log only.
        detail: String,
    },
}

impl PublicList {
    /// The period as printed: `公示期：2024年9月27日发布，自次日起5个工作日，至2024年10月10日止`
    /// (the day of publication is not counted: a reader counting from it would find one day more).
    pub fn period_text(&self) -> String {
        format!(
            "公示期：{}发布，自次日起{}个工作日，至{}止",
            format::date(self.published),
            self.working_days,
            format::date(self.last_day)
        )
    }

    /// The document number field: `文号：泽工信发〔2025〕12号`, or `文号：＿＿＿＿＿＿` when empty.
    pub fn document_no_text(&self) -> String {
        let no = self.document_no.trim();
        if no.is_empty() { "文号：＿＿＿＿＿＿".to_string() } else { format!("文号：{no}") }
    }

    /// The opening paragraph, citing the policy and the year.
    pub fn intro_text(&self) -> String {
        format!(
            "根据{}规定，经企业数据核实、部门审核，现将{}年度拟兑现奖励资金的企业名单、奖励条款、\
             金额及依据予以公示。公示期内，任何单位或个人对名单有异议的，\
             请以书面形式实名提出，并附相关证明材料。",
            self.policy.trim(),
            self.year
        )
    }

    /// Where to object: `异议受理：…`.
    pub fn objection_text(&self) -> String {
        format!("异议受理：{}", self.objection_to.trim())
    }

    fn check(&self) -> Result<(), PublicityError> {
        if self.last_day < self.published {
            return Err(PublicityError::Period {
                published: format::date(self.published),
                last_day: format::date(self.last_day),
            });
        }
        Ok(())
    }
}
