//! `lianzhang serve`, `lianzhang user add`, `lianzhang token create`.

use crate::registry::{self, DbOpts, block_on};
use crate::{PolicyOpts, inputs};
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use lianzhang_store::{Role, Store};
use lianzhang_web::{AppState, auth};
use std::io::Read;
use std::process::ExitCode;

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbOpts,
    /// 监听地址。
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// 新建演示库（lianzhang-demo.db，每次重建）：合成的示范县与各角色演示账号。
    #[arg(long)]
    pub demo: bool,
    /// 示范县的企业数。
    #[arg(long, default_value_t = 600, requires = "demo")]
    pub enterprises: usize,
    #[command(flatten)]
    pub policy: PolicyOpts,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// The server's limits (README, "服务限制"); each also read from its environment variable.
#[derive(Args)]
pub struct LimitArgs {
    /// 客户端发送完整请求头的时限（秒），也是空闲连接保持的最长时间。
    #[arg(long, env = "LIANZHANG_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,
    /// 普通请求（读取请求体、生成并发送页面）的时限（秒）。
    #[arg(long, env = "LIANZHANG_REQUEST_TIMEOUT", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,
    /// 上传（发送、读取与比对）、确认导入和下载工作簿的时限（秒）。
    #[arg(long, env = "LIANZHANG_UPLOAD_TIMEOUT", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..))]
    pub upload_timeout: u64,
    /// 上传中途停顿、或客户端不读取应答的最长时间（秒）。
    #[arg(long, env = "LIANZHANG_BODY_IDLE_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_idle_timeout: u64,
    /// 同时服务的连接数上限（按本进程可打开的文件数自动调低）。
    #[arg(long, env = "LIANZHANG_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// 上传文件大小上限（MB）。
    #[arg(long, env = "LIANZHANG_MAX_UPLOAD_MB", default_value_t = lianzhang_web::DEFAULT_MAX_UPLOAD_BYTES >> 20, value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub max_upload_mb: u64,
    /// 表单提交及其他请求的请求体上限（KB）。
    #[arg(long, env = "LIANZHANG_FORM_BODY_KB", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(16..=1_048_576))]
    pub form_body_kb: u64,
}

impl LimitArgs {
    /// The limits, with the connection cap fitted under `open_files` (the soft open-file limit)
    /// and the readers' limits `read` (the same as the CLI's, from the environment).
    pub fn limits(&self, open_files: Option<u64>, read: lianzhang_facts::Limits) -> lianzhang_web::ServeLimits {
        let secs = std::time::Duration::from_secs;
        let wanted = usize::try_from(self.max_connections).unwrap_or(usize::MAX);
        lianzhang_web::ServeLimits {
            header_timeout: secs(self.header_timeout),
            request_timeout: secs(self.request_timeout),
            upload_timeout: secs(self.upload_timeout),
            body_idle_timeout: secs(self.body_idle_timeout),
            max_connections: lianzhang_web::connection_cap(wanted, open_files),
            max_upload_bytes: self.max_upload_mb << 20,
            form_body_bytes: usize::try_from(self.form_body_kb << 10).unwrap_or(usize::MAX),
            read,
        }
    }
}

pub fn run_serve(mut a: ServeArgs) -> anyhow::Result<ExitCode> {
    let (file, policy) = match inputs::policy(&a.policy)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    // --demo alone: the demo file, recreated. --demo with a database of one's own: it must be
    // empty (nothing is ever deleted but the demo file).
    if a.demo && a.db.db == "sqlite://lianzhang.db" {
        a.db.db = "sqlite://lianzhang-demo.db".into();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("lianzhang-demo.db{suffix}"));
        }
    }
    let read_limits = lianzhang_facts::Limits::from_env()?;
    block_on(async {
        // Bind first (before the database, and before a demo is made): "started" is said only
        // of a server that listens, and a port in use is said at once.
        let listener = match lianzhang_web::bind(&a.bind).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("无法启动服务：{e}");
                return Ok(ExitCode::from(crate::EXIT_INVALID));
            }
        };
        let store = registry::open(&a.db, &policy).await?;
        if a.demo {
            if store.user_count().await? > 0 || store.count("enterprises").await? > 0 {
                bail!("--demo 需要一个空数据库：{} 中已有数据（不加 --db 时使用 lianzhang-demo.db）", a.db.db);
            }
            demo(&store, &file, &policy, a.enterprises).await?;
        } else if store.user_count().await? == 0 {
            eprintln!(
                "提示：数据库中还没有用户。请先创建：lianzhang user add --db {} --username admin --role admin --password-stdin",
                a.db.db
            );
        }
        let open_files = lianzhang_web::raise_open_file_limit();
        let limits = a.limits.limits(open_files, read_limits);
        if limits.max_connections < usize::try_from(a.limits.max_connections).unwrap_or(usize::MAX) {
            eprintln!(
                "提示：本进程最多可打开 {} 个文件，同时连接数上限降为 {}（可用 ulimit -n 提高）",
                open_files.unwrap_or_default(),
                limits.max_connections
            );
        }
        let shown = listener.local_addr().map_or_else(|_| a.bind.clone(), |x| x.to_string());
        eprintln!("链长已启动：http://{shown}/  （数据库 {}）", a.db.db);
        let state = AppState::with_limits(store, file, policy, limits);
        // The policy versions adopted in the browser (issue 12), each in force from its year.
        state.load_versions().await.map_err(|e| anyhow::anyhow!("{}", e.shown()))?;
        lianzhang_web::serve_on(state, listener).await.context("服务异常停止")?;
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

/// Fills a fresh database: the demo county, one user per role, printed with their passwords.
async fn demo(
    store: &Store,
    file: &lianzhang_policy::PolicyFile,
    policy: &lianzhang_policy::Policy,
    enterprises: usize,
) -> anyhow::Result<()> {
    let county = policy.meta.county();
    let params = lianzhang_demo::DemoParams { enterprises, county, ..Default::default() };
    let dataset = lianzhang_demo::generate(&params, &policy.vocabulary);
    store.import(&dataset, "demo", "演示数据", &|_, _| {}).await?;
    // The task force of the policy's first chain (钢铁 for Zezhou), signing in as `steel`.
    let first = policy.vocabulary.chains.first();
    let steel = first.map(|c| c.code.clone());
    let task_force = format!("{}专班 李干事", first.map_or("产业链", |c| c.name.as_str()));
    let password = auth::random_token()[..12].to_string();
    let hash = auth::hash_password(&password);
    let users = [
        ("admin", "系统管理员", Role::Admin, None),
        ("bureau", "工信局 张科长", Role::Bureau, None),
        ("steel", task_force.as_str(), Role::TaskForce, steel.as_deref()),
        ("leader", "链长 王县长", Role::Leader, None),
        ("finance", "财政局 赵会计", Role::Finance, None),
    ];
    for (name, display, role, chain) in users {
        store.add_user(name, display, role, chain, &hash, "demo").await?;
    }
    // The organisation: a chief, a deputy and an assistant per chain (县领导 as 链长), and the
    // demo leader as liaison of a dozen enterprises.
    const SURNAMES: [&str; 7] = ["王", "李", "张", "刘", "陈", "杨", "赵"];
    for (i, c) in policy.vocabulary.chains.iter().enumerate() {
        let s = SURNAMES[i % SURNAMES.len()];
        for (role, name, title) in [
            ("chief", format!("{s}建国"), "县委常委、副县长"),
            ("deputy", format!("{s}志强"), "县工信局局长"),
            ("assistant", format!("{s}晓明"), "产业链工作专班"),
        ] {
            let person = store.add_person(&name, Some(title)).await?;
            store.add_chain_role(&c.code, person, role, "demo").await?;
        }
    }
    let leader = store.add_person("王县长", Some("县长")).await?;
    store.link_user_person("leader", leader).await?;
    for e in dataset.enterprises().iter().step_by((dataset.len() / 12).max(1)).take(12) {
        store.add_liaison(leader, e.uscc.as_str()).await?;
    }
    if let Some(steel) = &steel {
        crate::demo_rounds::demo_rounds(store, file, policy, steel).await?;
    }
    eprintln!("演示库：{}（{} 家企业，2023、2024 年度兑现批次各一）", store.url(), dataset.len());
    eprintln!(
        "演示账号（密码均为 {password}）：admin 系统管理员、bureau 工信局、steel {}专班、leader 链长、finance 财政局",
        first.map_or("产业链", |c| c.name.as_str())
    );
    Ok(())
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// 新建用户（密码从标准输入读取）
    Add {
        /// 用户名（登录名）。
        #[arg(long)]
        username: String,
        /// 角色：admin（管理员）| bureau（工信局）| task_force（专班）| leader（领导）| finance（财政局）
        #[arg(long)]
        role: String,
        /// 专班用户所属产业链（代码，如 steel）。
        #[arg(long)]
        chain: Option<String>,
        /// 显示名称（默认与用户名相同）。
        #[arg(long)]
        name: Option<String>,
        /// 从标准输入读取密码（必填：密码不得写在命令行上）。
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbOpts,
        #[command(flatten)]
        policy: PolicyOpts,
    },
}

pub fn run_user(c: UserCommand) -> anyhow::Result<ExitCode> {
    let UserCommand::Add { username, role, chain, name, password_stdin: _, db, policy } = c;
    let Some(role) = Role::parse(&role) else {
        eprintln!("未知角色 {role}（admin | bureau | task_force | leader | finance）");
        return Ok(ExitCode::from(crate::EXIT_INVALID));
    };
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.chars().count() < 8 {
        eprintln!("密码至少 8 个字符");
        return Ok(ExitCode::from(crate::EXIT_INVALID));
    }
    let (_, policy) = match inputs::policy(&policy)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    block_on(async {
        let store = registry::open(&db, &policy).await?;
        let display = name.unwrap_or_else(|| username.clone());
        match store
            .add_user(&username, &display, role, chain.as_deref(), &auth::hash_password(password), &db.actor())
            .await
        {
            Ok(u) => {
                eprintln!("已创建用户 {}（{}）", u.username, role.zh());
                Ok(ExitCode::SUCCESS)
            }
            Err(e @ (lianzhang_store::StoreError::Refused(_) | lianzhang_store::StoreError::NotFound(_))) => {
                eprintln!("{e}");
                Ok(ExitCode::from(crate::EXIT_INVALID))
            }
            Err(e) => Err(e.into()),
        }
    })
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// 为用户生成 API 令牌（单独一行输出到标准输出）
    Create {
        /// 用户名（登录名）。
        #[arg(long)]
        username: String,
        #[command(flatten)]
        db: DbOpts,
    },
    /// 吊销用户的全部 API 令牌
    Revoke {
        /// 用户名（登录名）。
        #[arg(long)]
        username: String,
        #[command(flatten)]
        db: DbOpts,
    },
}

pub fn run_token(c: TokenCommand) -> anyhow::Result<ExitCode> {
    block_on(async {
        let done = match &c {
            TokenCommand::Create { username, db } => {
                let store = Store::open(&db.db).await?;
                let token = auth::random_token();
                // The token alone on stdout, for scripts.
                store.add_token(username, &token).await.map(|()| println!("{token}"))
            }
            TokenCommand::Revoke { username, db } => {
                let store = Store::open(&db.db).await?;
                let n = store.revoke_tokens(username, &db.actor()).await;
                n.map(|n| eprintln!("已吊销 {username} 的 {n} 个 API 令牌"))
            }
        };
        match done {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(lianzhang_store::StoreError::NotFound(why) | lianzhang_store::StoreError::Refused(why)) => {
                eprintln!("{why}");
                Ok(ExitCode::from(crate::EXIT_INVALID))
            }
            Err(e) => Err(e.into()),
        }
    })
}
