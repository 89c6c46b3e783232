use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("数据库地址无效：{0}（应为 sqlite://文件路径 或 postgres://…）")]
    BadUrl(String),
    /// The folder a SQLite file should be created in does not exist.
    #[error("数据库文件所在的文件夹 {0} 不存在：请先创建该文件夹，或换一个 --db 路径")]
    NoFolder(String),
    #[error("无法连接数据库 {0}：{1}")]
    Connect(String, #[source] sqlx::Error),
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Stored data that the current policy's vocabulary cannot read (e.g. an unknown chain code).
    #[error("库中数据与政策词表不一致：{0}")]
    Inconsistent(String),
    #[error("{0}")]
    NotFound(String),
    /// A refused ledger entry: already paid, not an award, not reversible.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("文件操作失败：{0}")]
    Io(#[from] std::io::Error),
}
