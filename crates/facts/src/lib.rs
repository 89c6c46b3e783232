//! The facts of FACTS.md: validated value types (USCC, money), the dataset model, and the
//! readers and writers of the exchange format (a folder of CSV files or one `.xlsx` workbook).
//!
//! Nothing here knows the policy's rules; the coded vocabularies (chains, stages, recognition
//! kinds, project categories) are passed in as a [`Vocabulary`].

pub mod error;
pub mod extra;
pub mod lists;
pub mod model;
pub mod money;
pub mod read;
pub mod stamp;
pub mod template;
pub mod typed;
pub mod uscc;
pub mod vocab;
pub mod write;

pub use error::{DataError, DataErrors, ReadError, WriteError};
pub use extra::{Extra, ExtraAt, ExtraFact, ExtraPlace, ExtraType, ExtraValue};
pub use model::{
    Annual, BuildError, Dataset, DatasetBuilder, Enterprise, EnterpriseFacts, MAX_YEAR, MIN_YEAR, Project, Recognition,
    Year,
};
pub use money::{Fen, MoneyError, format_yuan};
pub use read::{
    BadLimit, Limits, Locations, ReadOutput, TEMPLATE_SHEETS, csv_sheet_zh, read_dataset, read_dataset_limited,
    read_dataset_with,
};
pub use stamp::{ExportStamp, STAMP_SHEET};
pub use uscc::{Uscc, UsccError};
pub use vocab::{CategoryId, ChainId, ChainVocab, Code, KindId, Vocabulary};
pub use write::{HeaderLanguage, write_csv_dir, write_xlsx};
