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
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// A fresh demo database (lianzhang-demo.db, recreated) with a synthetic county and demo users.
    #[arg(long)]
    pub demo: bool,
    /// Demo county size.
    #[arg(long, default_value_t = 600, requires = "demo")]
    pub enterprises: usize,
    #[command(flatten)]
    pub policy: PolicyOpts,
}

pub fn run_serve(mut a: ServeArgs) -> anyhow::Result<ExitCode> {
    let (_, policy) = match inputs::policy(&a.policy)? {
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
    block_on(async {
        let store = registry::open(&a.db, &policy).await?;
        if a.demo {
            if store.user_count().await? > 0 || store.count("enterprises").await? > 0 {
                bail!("--demo 需要一个空数据库：{} 中已有数据（不加 --db 时使用 lianzhang-demo.db）", a.db.db);
            }
            demo(&store, &policy, a.enterprises).await?;
        } else if store.user_count().await? == 0 {
            eprintln!(
                "提示：数据库中还没有用户。请先创建：lianzhang user add --db {} --username admin --role admin --password-stdin",
                a.db.db
            );
        }
        eprintln!("链长已启动：http://{}/  （数据库 {}）", a.bind, a.db.db);
        lianzhang_web::serve(AppState::new(store, policy), &a.bind).await.context("无法启动服务")?;
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

/// Fills a fresh database: the demo county, one user per role, printed with their passwords.
async fn demo(store: &Store, policy: &lianzhang_policy::Policy, enterprises: usize) -> anyhow::Result<()> {
    let params = lianzhang_demo::DemoParams { enterprises, ..Default::default() };
    let dataset = lianzhang_demo::generate(&params, &policy.vocabulary);
    store.import(&dataset, "demo", "演示数据", &|_, _| {}).await?;
    let steel = policy.vocabulary.chains.first().map(|c| c.code.clone());
    let password = auth::random_token()[..12].to_string();
    let hash = auth::hash_password(&password);
    let users = [
        ("admin", "系统管理员", Role::Admin, None),
        ("bureau", "工信局 张科长", Role::Bureau, None),
        ("steel", "钢铁专班 李干事", Role::TaskForce, steel.as_deref()),
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
    eprintln!("演示库：{}（{} 家企业）", store.url(), dataset.len());
    eprintln!(
        "演示账号（密码均为 {password}）：admin 系统管理员、bureau 工信局、steel 钢铁专班、leader 链长、finance 财政局"
    );
    Ok(())
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// 新建用户（密码从标准输入读取）
    Add {
        #[arg(long)]
        username: String,
        /// admin | bureau | task_force | leader | finance
        #[arg(long)]
        role: String,
        /// The chain of a task-force user (code, e.g. steel).
        #[arg(long)]
        chain: Option<String>,
        /// Shown name (default: the username).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input (required: never on the command line).
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
        #[arg(long)]
        username: String,
        #[command(flatten)]
        db: DbOpts,
    },
    /// 吊销用户的全部 API 令牌
    Revoke {
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
            Err(lianzhang_store::StoreError::NotFound(why)) => {
                eprintln!("{why}");
                Ok(ExitCode::from(crate::EXIT_INVALID))
            }
            Err(e) => Err(e.into()),
        }
    })
}
