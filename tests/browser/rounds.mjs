// Browser steps over the award rounds (兑现批次) of the demo county: round 1 (2023) is final and
// partly paid, round 2 (2024) in review. As finance: pay the rest of a line in a batch, be refused
// paying it again (with the first payment shown), reverse, pay again. As the bureau: the 公示 list as
// PDF and xlsx with their content checked, the timeline. As a task force: only its chain, a
// confirmation. As a leader: approval refused while lines are open. As the bureau: a refresh.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

export async function walkRounds({ login, base, step, shots, work }) {
  const finance = await login('finance');
  let lineUrl;
  let stale;
  await step('finance: home lists the round to pay; the batch page pays the rest of a line', async () => {
    await finance.goto(`${base}/home`);
    const home = await finance.textContent('main');
    assert.match(home, /待支付的批次/);
    assert.match(home, /2023年度兑现（第一批）/);
    await finance.goto(`${base}/rounds/1/pay`);
    await finance.screenshot({ path: join(shots, 'round-pay.png'), fullPage: true });
    const rows = finance.locator('form.pay-form tbody tr');
    assert.ok(await rows.count() >= 1, 'a line is still due (the demo pays one in two parts)');
    lineUrl = await rows.first().locator('a').getAttribute('href');
    // A colleague has the line open with its pay form (before this payment).
    stale = await login('finance');
    await stale.goto(`${base}${lineUrl}`);
    await rows.first().locator('input[type=checkbox]').check();
    await finance.fill('input[name=voucher]', '记字2024-07-001号');
    await finance.fill('input[name=date]', '2024-07-01');
    await Promise.all([finance.waitForLoadState('load'), finance.click('form.pay-form button[type=submit]')]);
    await finance.goto(`${base}${lineUrl}`);
    assert.match(await finance.textContent('main'), /记字2024-07-001号/);
  });

  await step('finance: paying the line again is refused with the first payment shown', async () => {
    // Once paid, the line offers no pay form; the colleague's page still has one.
    await finance.goto(`${base}${lineUrl}`);
    assert.equal(await finance.locator('input[name=action][value=pay]').count(), 0, 'nothing left to pay');
    await stale.fill('form:has(input[value=pay]) input[name=voucher]', '记字2024-07-002号');
    await stale.click('form:has(input[value=pay]) button[type=submit]');
    await stale.waitForLoadState('load');
    const alert = await stale.locator('[role=alert]').first().textContent();
    assert.match(alert, /未支付/);
    assert.match(alert, /记字2024-07-001号/, 'the earlier payment is named');
    await stale.screenshot({ path: join(shots, 'round-line-refused.png'), fullPage: true });
  });

  await step('finance: reverse the payment with a reason, then pay again', async () => {
    await finance.goto(`${base}${lineUrl}`);
    const form = finance.locator('form.settle').last();
    await form.locator('input[name=reason]').fill('银行退票：账号有误');
    await form.locator('button[type=submit]').click();
    await finance.waitForLoadState('load');
    assert.match(await finance.textContent('main'), /已冲正/);
    await finance.fill('form:has(input[value=pay]) input[name=voucher]', '记字2024-07-003号');
    await finance.click('form:has(input[value=pay]) button[type=submit]');
    await finance.waitForLoadState('load');
    await finance.goto(`${base}${lineUrl}`);
    assert.match(await finance.textContent('main'), /记字2024-07-003号/);
    await finance.screenshot({ path: join(shots, 'round-line.png'), fullPage: true });
  });

  const bureau = await login('bureau');
  await step('bureau: the 公示 list as PDF and xlsx, with its content', async () => {
    await bureau.goto(`${base}/rounds/1`);
    await bureau.screenshot({ path: join(shots, 'round.png'), fullPage: true });
    const [pdf] = await Promise.all([bureau.waitForEvent('download'), bureau.click('a.download[href$="publicity.pdf"]')]);
    const pdfPath = join(work, 'publicity.pdf');
    await pdf.saveAs(pdfPath);
    const [xlsx] = await Promise.all([bureau.waitForEvent('download'), bureau.click('a.download[href$="publicity.xlsx"]')]);
    const xlsxPath = join(work, 'publicity.xlsx');
    await xlsx.saveAs(xlsxPath);
    const strings = execFileSync('unzip', ['-p', xlsxPath, 'xl/sharedStrings.xml']).toString();
    assert.match(strings, /奖励资金兑现名单的公示/);
    assert.match(strings, /泽工信公〔2024〕3号/);
    let text;
    try { text = execFileSync('pdftotext', ['-layout', pdfPath, '-']).toString(); } catch (e) {
      if (process.env.LIANZHANG_PDF_TESTS === 'required') throw e;
      console.log('     (pdftotext absent: PDF text not checked)');
      return;
    }
    assert.match(text.replace(/\s+/g, ''), /奖励资金兑现名单的公示/);
    assert.match(text, /2024年4月8日/);
    const enterprise = (await bureau.locator('table.lines tbody tr td a, table.grid tbody tr td').first().textContent()).trim();
    assert.ok(enterprise.length > 0);
  });

  await step('bureau: the timeline has every step, who and when', async () => {
    await bureau.goto(`${base}/rounds/1/timeline`);
    const t = await bureau.textContent('main');
    for (const s of ['刷新名单，形成第 1 版', '信用核查', '审批同意', '公示', '第 1 号异议不成立', '名单确定', '冲正']) {
      assert.ok(t.includes(s), `timeline shows ${s}`);
    }
    await bureau.screenshot({ path: join(shots, 'round-timeline.png'), fullPage: true });
  });

  const steel = await login('steel');
  await step('task force: only its chain in the 2024 round; confirms a line', async () => {
    await steel.goto(`${base}/rounds/2?status=confirmation`);
    await steel.screenshot({ path: join(shots, 'round-task-force.png'), fullPage: true });
    const links = steel.locator('main table tbody tr td a[href*="/lines/"]');
    if (await links.count() === 0) return; // every steel line already confirmed by the demo
    await links.first().click();
    await steel.waitForURL('**/lines/**');
    const form = steel.locator('form:has(button[value=confirm])');
    await form.locator('input[name=holder]').fill('山西测试钢铁有限公司');
    await form.locator('input[name=bank]').fill('晋城银行泽州支行');
    await form.locator('input[name=number]').fill('6222000011112222');
    await form.locator('button[value=confirm]').click();
    await steel.waitForLoadState('load');
    assert.match(await steel.textContent('main'), /企业已确认接受/);
  });

  const leader = await login('leader');
  await step('leader: approving a round with open lines is refused, nothing changed', async () => {
    await leader.goto(`${base}/rounds/2`);
    const approve = leader.locator('form:has(input[value=approve]) button[type=submit]');
    assert.equal(await approve.count(), 1, 'the leader has the approve form');
    await approve.click();
    await leader.waitForLoadState('load');
    assert.match(await leader.textContent('main'), /未办结/);
  });

  await step('bureau: refresh makes the next revision and says what changed', async () => {
    await bureau.goto(`${base}/rounds/2`);
    await bureau.click('form:has(input[value=refresh]) button[type=submit]');
    await bureau.waitForLoadState('load');
    await bureau.goto(`${base}/rounds/2/timeline`);
    assert.match(await bureau.textContent('main'), /形成第 2 版/);
  });
  writeFileSync(join(work, 'rounds-walked'), 'ok');
}
