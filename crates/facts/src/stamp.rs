//! 导出信息: what an export was made from, so that a re-import can tell which registry cells
//! changed after the export (issue 8 item 4).
//!
//! Written by [`crate::write_xlsx`] as a sheet `导出信息` and by [`crate::write_csv_dir`] as a
//! file `导出信息.csv`: two columns 项目 / 内容, one line each for 企业库版本, 导出时间, 导出人,
//! and a line saying not to edit it. The readers skip that sheet (it holds no facts) and hand the
//! stamp back in [`crate::ReadOutput::stamp`].

/// 导出信息: what an export was made from, so that a re-import can tell which registry cells
/// changed after the export (issue 8 item 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportStamp {
    /// The registry revision the export was made at (the newest audit-trail id then; 0 = empty).
    pub revision: i64,
    /// When, local time `YYYY-MM-DD HH:MM:SS`.
    pub exported_at: String,
    /// Who (the actor name).
    pub exported_by: String,
}

/// The name of the stamp's sheet (and, with `.csv`, of its file in a CSV folder).
pub const STAMP_SHEET: &str = "导出信息";

/// The header of the stamp sheet.
pub(crate) const STAMP_HEADER: [&str; 2] = ["项目", "内容"];
const REVISION: &str = "企业库版本";
const EXPORTED_AT: &str = "导出时间";
const EXPORTED_BY: &str = "导出人";
const NOTE: &str = "说明";
const NOTE_TEXT: &str =
    "本表由系统生成，记录导出时的企业库版本，重新导入时用来发现导出后别人做的修改；请勿修改或删除本表";

impl ExportStamp {
    /// The rows of the stamp sheet under its header: (项目, 内容).
    pub(crate) fn rows(&self) -> [(&'static str, String); 4] {
        [
            (REVISION, self.revision.to_string()),
            (EXPORTED_AT, self.exported_at.clone()),
            (EXPORTED_BY, self.exported_by.clone()),
            (NOTE, NOTE_TEXT.to_string()),
        ]
    }

    /// Reads a stamp back from the rows of its sheet under the header: (row, 项目, 内容), cells
    /// as text.
    ///
    /// # Errors
    /// When the sheet was edited so that the revision cannot be read: the row, the value and one
    /// Chinese sentence.
    pub(crate) fn from_rows<'a>(
        rows: impl IntoIterator<Item = (u32, &'a str, &'a str)>,
    ) -> Result<ExportStamp, (u32, String, String)> {
        let mut revision = None;
        let mut exported_at = String::new();
        let mut exported_by = String::new();
        for (row, item, content) in rows {
            let content = content.trim();
            match item.trim() {
                REVISION => {
                    // An xlsx number cell reads as `12` or, typed by hand, `12.0`.
                    let digits = content.strip_suffix(".0").unwrap_or(content);
                    revision = digits.parse::<i64>().ok().filter(|r| *r >= 0);
                    if revision.is_none() {
                        let reason = format!("{REVISION}应为整数：本表被改动过，请重新导出后再修改数据");
                        return Err((row, content.to_string(), reason));
                    }
                }
                EXPORTED_AT | EXPORTED_BY => {
                    // Shown on a terminal and a page: text a clerk types, or refused.
                    if let Err(e) = crate::typed::check_text(content, crate::typed::TextKind::Line) {
                        return Err((row, content.to_string(), format!("{e}（本表被改动过，请重新导出）")));
                    }
                    if item.trim() == EXPORTED_AT {
                        exported_at = content.to_string();
                    } else {
                        exported_by = content.to_string();
                    }
                }
                _ => {}
            }
        }
        match revision {
            Some(revision) => Ok(ExportStamp { revision, exported_at, exported_by }),
            None => Err((
                1,
                String::new(),
                format!(
                    "本表没有{REVISION}：本表被改动过，请重新导出后再修改数据，或删除本表（那样导入时无法发现导出后别人做的修改）"
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_back() {
        let s = ExportStamp { revision: 42, exported_at: "2026-11-30 08:05:09".into(), exported_by: "张三".into() };
        let rows = s.rows();
        let back = ExportStamp::from_rows(rows.iter().map(|(a, b)| (2, *a, b.as_str()))).unwrap();
        assert_eq!(back, s);
        let float = ExportStamp::from_rows([(2, "企业库版本", "42.0")]).unwrap();
        assert_eq!(float.revision, 42);
        let (row, value, reason) = ExportStamp::from_rows([(3, "企业库版本", "abc")]).unwrap_err();
        assert_eq!((row, value.as_str()), (3, "abc"));
        assert!(reason.contains("应为整数"), "{reason}");
        let (_, _, reason) = ExportStamp::from_rows([(2, "导出人", "张三")]).unwrap_err();
        assert!(reason.contains("没有企业库版本"), "{reason}");
    }
}
