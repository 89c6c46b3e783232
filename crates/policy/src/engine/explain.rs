//! `explain`: every rule for one enterprise, the ones that pay and the ones that do not, with
//! reasons.

use super::*;

/// Every rule for one enterprise, the ones that pay and the ones that do not, with reasons.
/// The plausibility checks run with no confirmation.
pub fn explain(policy: &Policy, facts: EnterpriseFacts<'_>, year: Year, paid: &dyn PaidLedger) -> Vec<RuleReport> {
    explain_with(policy, facts, year, paid, &Confirmations::none())
}

/// [`explain`] with the confirmations in force.
pub fn explain_with(
    policy: &Policy,
    facts: EnterpriseFacts<'_>,
    year: Year,
    paid: &dyn PaidLedger,
    confirmations: &Confirmations,
) -> Vec<RuleReport> {
    let report = |rule: &crate::model::Rule, finding, amount, project_id, explanation, missing| RuleReport {
        rule: rule.id.clone(),
        clause: rule.clause.clone(),
        title: rule.title.clone(),
        finding,
        amount,
        project_id,
        explanation,
        missing,
    };
    if !policy.in_force(year) {
        return policy
            .rules
            .iter()
            .map(|r| report(r, Finding::NotAssessed, None, None, format!("本政策不适用于{year}年度"), vec![]))
            .collect();
    }
    let doubts = plausibility::findings_of(policy, facts, confirmations);
    let ctx = Ctx::new(policy, facts, year).with_doubts(&doubts);
    let raw = decide_raw(&ctx);
    let mut tris = raw.clone();
    apply_groups(&ctx, &mut tris, &mut |_, _| {});
    // Each rule's report, or what it is made of once the caps are applied.
    enum Item<'p> {
        Done(RuleReport),
        Decided(usize, Tri, Option<Decimal>, Option<&'p str>, Recorder),
    }
    let mut items = Vec::new();
    for (i, rule) in policy.rules.iter().enumerate() {
        if rule.kind.per_project() {
            let done: Vec<_> = facts.projects.iter().filter(|p| p.completed_year == Some(year)).collect();
            if done.is_empty() {
                let text = format!("{year}年无竣工投产项目");
                items.push(Item::Done(report(rule, Finding::NotAssessed, None, None, text, vec![])));
            }
            for p in done {
                let mut t = Recorder::default();
                let (tri, amount) = decide_project(&ctx, &rule.kind, p, &mut t);
                items.push(Item::Decided(i, tri, amount, Some(&p.project_id), t));
            }
            continue;
        }
        let (t, amount) = explain_rule(&ctx, i, &raw);
        if rule.kind.needs_annual_row() && ctx.row.is_none() {
            items.push(Item::Done(report(rule, Finding::NotAssessed, None, None, t.steps.join("；"), vec![])));
            continue;
        }
        items.push(Item::Decided(i, tris[i], amount, None, t));
    }
    let mut emptied = Vec::new();
    if !policy.caps.is_empty() {
        let mut awards: Vec<caps::Capped<'_>> = items
            .iter_mut()
            .enumerate()
            .filter_map(|(line, item)| match item {
                Item::Decided(i, tri, Some(a), _, t)
                    if status_of(&policy.rules[*i].kind, *tri) == Some(Status::Award) =>
                {
                    Some(caps::Capped { line, rule: *i, amount: a, steps: Some(&mut t.steps) })
                }
                _ => None,
            })
            .collect();
        emptied = caps::apply(policy, &mut awards);
    }
    items
        .into_iter()
        .enumerate()
        .map(|(n, item)| match item {
            Item::Done(r) => r,
            // Met, but the cap left nothing: no award, and why.
            Item::Decided(i, _, _, project, t) if emptied.contains(&n) => {
                let mut text = t.steps.join("；");
                text.push_str("。结论：符合条件，但本年度奖补已达上限，本项不再奖励");
                report(&policy.rules[i], Finding::Capped, None, project.map(str::to_string), text, vec![])
            }
            Item::Decided(i, tri, amount, project, t) => {
                finish(policy, &ctx, &policy.rules[i], tri, amount, project, t, paid, &report)
            }
        })
        .collect()
}

type Report<'r> =
    dyn Fn(&crate::model::Rule, Finding, Option<Decimal>, Option<String>, String, Vec<String>) -> RuleReport + 'r;

#[allow(clippy::too_many_arguments)] // internal assembly of one report
fn finish(
    policy: &Policy,
    ctx: &Ctx,
    rule: &crate::model::Rule,
    tri: Tri,
    amount: Option<Decimal>,
    project_id: Option<&str>,
    t: Recorder,
    paid: &dyn PaidLedger,
    report: &Report<'_>,
) -> RuleReport {
    let mut one = Vec::new();
    let steps = t.steps.clone();
    let status = status_of(&rule.kind, tri);
    if status.is_some()
        && rule.kind.recovery().is_some()
        && !super::recovers_paid(&ctx.facts.enterprise.uscc, rule, paid)
    {
        let mut text = steps.join("；");
        text.push_str("；台账显示该奖励未兑现，无需收回。");
        text.push_str(&conclusion(None, None, &[]));
        return report(rule, Finding::NotEligible, None, project_id.map(str::to_string), text, vec![]);
    }
    push(policy, ctx, rule, status_of(&rule.kind, tri), amount, project_id, t, paid, &mut one);
    match one.pop() {
        Some(o) => report(rule, Finding::Outcome(o.status), o.amount, o.project_id, o.explanation, o.missing),
        None => {
            let mut text = steps.join("；");
            text.push('。');
            text.push_str(&conclusion(None, None, &[]));
            report(rule, Finding::NotEligible, None, project_id.map(str::to_string), text, vec![])
        }
    }
}
