//! Creating a round and refreshing it: assess the registry's current facts under the round's
//! policy, record the run, and store the lines with the facts of every listed enterprise as they
//! were (frozen: the round can be re-read and re-assessed exactly, whatever the registry says
//! later).

use super::{LINE_COLUMNS, RoundRecord, append, load, outcome_code};
use crate::rows::{Cell, TABLES, TableRows, Ty, annual_of, enterprise_rows};
use crate::runs::{RUN_COLUMNS, check_typed, check_year, record_run_in, run_of};
use crate::{PaidSet, Result, Store, StoreError, award_key, now};
use lianzhang_facts::typed::TextKind;
use lianzhang_facts::{Dataset, Uscc, Vocabulary};
use lianzhang_policy::{Confirmations, Policy, PolicyFile};
use lianzhang_rounds::{Actor, Event, Line, lines_of};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

/// What a new round is made of.
pub struct NewRound<'a> {
    pub year: i32,
    /// E.g. `2024年度第一批`: one line of ordinary text.
    pub name: &'a str,
    /// The policy file as adopted (a file with `--set` overrides is a what-if and is refused).
    pub file: &'a PolicyFile,
    pub policy: &'a Policy,
    pub actor: &'a Actor,
}

/// The facts a revision of a round was assessed on, as frozen with it.
#[derive(Debug)]
pub struct FrozenFacts {
    /// The listed enterprises with all their rows.
    pub dataset: Dataset,
    /// The ledger as it was for these enterprises (awards already paid).
    pub paid: PaidSet,
    /// The confirmed values (核实确认) of these enterprises in force then.
    pub confirmations: Confirmations,
    /// SHA-256 of the frozen text (the revision's `facts_hash`).
    pub hash: String,
}

const LINE_TYPES: &[Ty] = &[
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Text,
    Ty::Bool,
    Ty::Money,
    Ty::Bool,
    Ty::Text,
    Ty::Text,
];

/// A revision ready to store: its lines (with award keys) and frozen facts (uscc, JSON).
struct Assessed {
    lines: Vec<Line>,
    award_keys: Vec<String>,
    facts: Vec<(String, String)>,
    hash: String,
    registry_revision: Option<i64>,
    assessment: lianzhang_policy::Assessment,
}

impl Store {
    /// Creates a round (兑现批次) for `new.year`: assesses the registry under the policy as
    /// adopted, records the run, and stores revision 1 of the lines with their frozen facts.
    ///
    /// Errors: `Refused` for a what-if (a policy file with overrides, or an altered text of an
    /// adopted policy id), a year outside the policy's years or 1949–2100, a name that is not
    /// ordinary text, or an actor the workflow does not let create a round (the bureau does).
    pub async fn create_round(&self, new: NewRound<'_>) -> Result<Arc<RoundRecord>> {
        if new.actor.role != lianzhang_rounds::Role::Bureau {
            return Err(StoreError::Refused(format!("{}不能新建兑现批次：此操作由工信局办理", new.actor.role.zh())));
        }
        check_year(i64::from(new.year))?;
        check_typed("批次名称", new.name, TextKind::Line)?;
        if new.name.trim().is_empty() {
            return Err(StoreError::Refused("批次名称不能为空".into()));
        }
        if !new.file.overrides().is_empty() {
            return Err(StoreError::Refused(format!(
                "覆盖了参数（{}）的评定是试算，不能据此建兑现批次：请用现行政策文件、不带 --set 建批次",
                new.file.overrides().join("，")
            )));
        }
        if !new.policy.in_force(new.year) {
            return Err(StoreError::Refused(format!("{} 年不在政策 {} 的执行期内", new.year, new.policy.meta.id)));
        }
        // The workflow decides who may create (the first refresh): ask it before the work.
        let mut probe = lianzhang_rounds::Round::new(lianzhang_rounds::Settings {
            year: new.year,
            confirmation: new.policy.payout.confirmation,
            approvals: new.policy.payout.approvals,
        });
        probe
            .apply(new.actor, &Event::Refreshed { revision: 1, lines: Vec::new() })
            .map_err(|r| StoreError::Refused(r.0))?;
        let assessed = self.assess_for_round(new.policy, new.year).await?;
        let mut tx = self.begin_write().await?;
        let run_id =
            record_run_in(&mut tx, self.backend, new.file, new.policy, &assessed.assessment, &new.actor.username)
                .await?;
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1");
        let run = run_of(&sqlx::query(sqlx::AssertSqlSafe(sql)).bind(run_id).fetch_one(&mut *tx).await?)?;
        if let Some(why) = run.what_if_reason() {
            return Err(StoreError::Refused(format!("这次评定是试算（{why}），不能据此建兑现批次")));
        }
        let payout = &new.policy.payout;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO rounds (year, name, created_at, created_by, policy_hash, policy_id, confirmation, \
             approvals, publicity_days, objection_to) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(i64::from(new.year))
        .bind(new.name.trim())
        .bind(now())
        .bind(&new.actor.username)
        .bind(&run.policy_hash)
        .bind(&new.policy.meta.id)
        .bind(i64::from(payout.confirmation))
        .bind(i64::from(payout.approvals))
        .bind(i64::from(payout.publicity_days))
        .bind(&payout.objection_to)
        .fetch_one(&mut *tx)
        .await?;
        let record = load(&mut tx, &self.rounds_cache, id).await?;
        let record = self.store_revision(&mut tx, &record, run_id, assessed, new.actor).await?;
        tx.commit().await?;
        let record = Arc::new(record);
        self.rounds_cache.put(record.clone());
        Ok(record)
    }

    /// The next revision of round `id`: the registry's current facts assessed under the round's
    /// pinned policy text. Lines whose outcome did not change keep their decisions; the others
    /// are asked again (the workflow's rule, [`lianzhang_rounds::Round`]).
    pub async fn refresh_round(&self, id: i64, actor: &Actor) -> Result<Arc<RoundRecord>> {
        let record = self.round(id).await?;
        let next = record.round.revision() + 1;
        let mut probe = record.round.clone();
        probe
            .apply(actor, &Event::Refreshed { revision: next, lines: Vec::new() })
            .map_err(|r| StoreError::Refused(r.0))?;
        let file = self.round_policy(id).await?;
        let policy =
            file.compile().map_err(|e| StoreError::Inconsistent(format!("批次 {id} 所用政策文本无法读取：{e}")))?;
        let assessed = self.assess_for_round(&policy, record.header.year).await?;
        let mut tx = self.begin_write().await?;
        let record = load(&mut tx, &self.rounds_cache, id).await?;
        let run_id =
            record_run_in(&mut tx, self.backend, &file, &policy, &assessed.assessment, &actor.username).await?;
        let record = self.store_revision(&mut tx, &record, run_id, assessed, actor).await?;
        tx.commit().await?;
        let record = Arc::new(record);
        self.rounds_cache.put(record.clone());
        Ok(record)
    }

    /// The policy file a round is pinned to (its stored text).
    pub async fn round_policy(&self, id: i64) -> Result<PolicyFile> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT p.name, p.text FROM rounds r JOIN policy_versions p ON p.hash = r.policy_hash WHERE r.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let (name, text) = row.ok_or_else(|| StoreError::NotFound(format!("没有第 {id} 号兑现批次")))?;
        Ok(PolicyFile::parse(name, text))
    }

    /// The facts revision `revision` of round `id` was assessed on, as frozen then, read with
    /// `vocabulary` (the round's policy's).
    pub async fn round_facts(&self, id: i64, revision: u32, vocabulary: &Vocabulary) -> Result<FrozenFacts> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT uscc, facts FROM round_facts WHERE round_id = $1 AND revision = $2 ORDER BY uscc")
                .bind(id)
                .bind(i64::from(revision))
                .fetch_all(&self.pool)
                .await?;
        let (hash,): (String,) =
            sqlx::query_as("SELECT facts_hash FROM round_revisions WHERE round_id = $1 AND revision = $2")
                .bind(id)
                .bind(i64::from(revision))
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("第 {id} 号兑现批次没有第 {revision} 版")))?;
        thaw(vocabulary, &rows, hash)
    }

    async fn assess_for_round(&self, policy: &Policy, year: i32) -> Result<Assessed> {
        let inputs = self.load_assessment_inputs(&policy.vocabulary).await?;
        let assessment =
            lianzhang_policy::engine::assess_with(policy, &inputs.dataset, year, &inputs.paid, &inputs.confirmations);
        let lines = lines_of(policy, &inputs.dataset, &assessment);
        let one_time = |rule: &str| policy.rules.iter().find(|r| r.id == rule).is_some_and(|r| r.kind.one_time());
        let award_keys = lines
            .iter()
            .map(|l| {
                award_key(
                    &l.key.uscc,
                    &l.key.rule,
                    (!one_time(&l.key.rule)).then_some(year),
                    l.key.project_id.as_deref(),
                )
            })
            .collect();
        let mut usccs: Vec<&str> = lines.iter().map(|l| l.key.uscc.as_str()).collect();
        usccs.dedup();
        let mut facts = Vec::with_capacity(usccs.len());
        let mut hasher = Sha256::new();
        for u in usccs {
            let Some(f) = Uscc::parse(u).ok().and_then(|u| inputs.dataset.find(&u)) else { continue };
            let json = freeze(&policy.vocabulary, f, &inputs.paid, &inputs.confirmations);
            hasher.update(u.as_bytes());
            hasher.update(json.as_bytes());
            facts.push((u.to_string(), json));
        }
        Ok(Assessed {
            lines,
            award_keys,
            facts,
            hash: format!("{:x}", hasher.finalize()),
            registry_revision: inputs.revision,
            assessment,
        })
    }

    /// Stores a revision's run link, lines and facts, and its refresh event.
    async fn store_revision(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        record: &RoundRecord,
        run_id: i64,
        assessed: Assessed,
        actor: &Actor,
    ) -> Result<RoundRecord> {
        let id = record.header.id;
        let revision = i64::from(record.round.revision() + 1);
        sqlx::query(
            "INSERT INTO round_revisions (round_id, revision, run_id, registry_revision, facts_hash, at, actor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(revision)
        .bind(run_id)
        .bind(assessed.registry_revision)
        .bind(&assessed.hash)
        .bind(now())
        .bind(&actor.username)
        .execute(&mut **tx)
        .await?;
        let mut columns: Vec<(&str, Ty)> = vec![("round_id", Ty::Int), ("revision", Ty::Int), ("seq", Ty::Int)];
        columns.extend(LINE_COLUMNS.split(", ").zip(LINE_TYPES.iter().copied()));
        let text = |s: &Option<String>| s.clone().map_or(Cell::Null, Cell::Text);
        let rows: Vec<Vec<Cell>> = assessed
            .lines
            .iter()
            .zip(&assessed.award_keys)
            .enumerate()
            .map(|(seq, (l, key))| {
                vec![
                    Cell::Int(id),
                    Cell::Int(revision),
                    Cell::Int(seq as i64),
                    Cell::Text(l.key.uscc.clone()),
                    Cell::Text(l.key.rule.clone()),
                    text(&l.key.project_id),
                    Cell::Text(key.clone()),
                    Cell::Text(l.enterprise.clone()),
                    text(&l.chain),
                    text(&l.town),
                    Cell::Text(l.clause.clone()),
                    Cell::Text(l.rule_title.clone()),
                    Cell::Text(outcome_code(l.outcome).into()),
                    Cell::Int(i64::from(l.pays)),
                    l.amount_fen.map_or(Cell::Null, Cell::Int),
                    Cell::Int(i64::from(l.ceiling)),
                    Cell::Text(l.explanation.clone()),
                    Cell::Text(serde_json::to_string(&l.missing).expect("strings serialise")),
                ]
            })
            .collect();
        for chunk in rows.chunks(crate::import::batch_rows(self.backend, columns.len())) {
            crate::import::insert_rows(tx, "round_lines", &columns, chunk).await?;
        }
        let fact_columns = [("round_id", Ty::Int), ("revision", Ty::Int), ("uscc", Ty::Text), ("facts", Ty::Text)];
        let rows: Vec<Vec<Cell>> = assessed
            .facts
            .into_iter()
            .map(|(u, json)| vec![Cell::Int(id), Cell::Int(revision), Cell::Text(u), Cell::Text(json)])
            .collect();
        for chunk in rows.chunks(crate::import::batch_rows(self.backend, fact_columns.len())) {
            crate::import::insert_rows(tx, "round_facts", &fact_columns, chunk).await?;
        }
        let award_keys: HashMap<_, _> =
            assessed.lines.iter().map(|l| l.key.clone()).zip(assessed.award_keys.iter().cloned()).collect();
        let event = Event::Refreshed { revision: revision as u32, lines: assessed.lines };
        let mut next = append(tx, record, actor, event).await?;
        next.award_keys = award_keys;
        next.revisions.push(super::Revision {
            revision: revision as u32,
            run_id,
            registry_revision: assessed.registry_revision,
            facts_hash: assessed.hash,
            at: now(),
            actor: actor.username.clone(),
        });
        Ok(next)
    }
}

fn cell_json(c: &Cell) -> Value {
    match c {
        Cell::Null => Value::Null,
        Cell::Int(i) => Value::from(*i),
        Cell::Text(s) => Value::from(s.clone()),
    }
}

fn json_cell(v: &Value) -> Cell {
    match v {
        Value::Number(n) => n.as_i64().map_or(Cell::Null, Cell::Int),
        Value::String(s) => Cell::Text(s.clone()),
        _ => Cell::Null,
    }
}

/// One enterprise's facts as frozen JSON: each table's rows as objects named by column, the
/// paid award keys and the confirmations in force.
fn freeze(
    v: &Vocabulary,
    f: lianzhang_facts::EnterpriseFacts<'_>,
    paid: &PaidSet,
    confirmations: &Confirmations,
) -> String {
    let mut rows: TableRows = Default::default();
    enterprise_rows(v, f, &mut rows);
    let mut out = Map::new();
    for (table, rows) in TABLES.iter().zip(&rows) {
        let list: Vec<Value> = rows
            .iter()
            .map(|r| {
                Value::Object(
                    table.columns.iter().zip(r).map(|((name, _), c)| (name.to_string(), cell_json(c))).collect(),
                )
            })
            .collect();
        out.insert(table.name.to_string(), Value::Array(list));
    }
    let uscc = f.enterprise.uscc.as_str();
    out.insert("paid".into(), Value::from(paid.keys_of(uscc)));
    let mine: Vec<_> = confirmations.items.iter().filter(|c| c.uscc.as_str() == uscc).collect();
    out.insert("confirmations".into(), serde_json::to_value(mine).expect("confirmations serialise"));
    Value::Object(out).to_string()
}

/// The frozen JSON back into a dataset, a paid set and confirmations.
fn thaw(v: &Vocabulary, rows: &[(String, String)], hash: String) -> Result<FrozenFacts> {
    let mut tables: TableRows = Default::default();
    let mut paid = Vec::new();
    let mut confirmations = Confirmations::none();
    let bad =
        |u: &str, e: &dyn std::fmt::Display| StoreError::Inconsistent(format!("批次冻结的 {u} 的事实无法读取：{e}"));
    for (u, json) in rows {
        let value: Value = serde_json::from_str(json).map_err(|e| bad(u, &e))?;
        for (i, table) in TABLES.iter().enumerate() {
            for row in value.get(table.name).and_then(Value::as_array).into_iter().flatten() {
                tables[i].push(table.columns.iter().map(|(name, _)| json_cell(&row[*name])).collect());
            }
        }
        paid.extend(value["paid"].as_array().into_iter().flatten().filter_map(|k| k.as_str().map(str::to_string)));
        let mine: Vec<lianzhang_policy::Confirmation> =
            serde_json::from_value(value["confirmations"].clone()).map_err(|e| bad(u, &e))?;
        confirmations.items.extend(mine);
    }
    let [enterprises, annual, recognitions, projects, extras] = tables;
    let annual = annual
        .iter()
        .map(|r| {
            Ok((
                Uscc::parse(r[0].display(Ty::Text).as_deref().unwrap_or_default()).map_err(|e| bad("?", &e))?,
                annual_of(r),
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let dataset = crate::rows::rows_dataset(v, enterprises, annual, recognitions, projects, extras)?;
    Ok(FrozenFacts { dataset, paid: PaidSet::from_keys(paid), confirmations, hash })
}
