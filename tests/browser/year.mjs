// One year walked in the browser from the round's creation to its payment (issue 10), on its own
// small registry (crates/lianzhang/tests/data/small: five enterprises, 2021–2023) so every line
// can be carried by hand: create the 2023 round; a 待核实 line's missing fact opened from its
// link and fixed in the edit form; refresh (the change shown); a line rejected, a ceiling set;
// every enterprise's confirmation; a 失信名单 file uploaded and the credit check run; the hit
// cleared with evidence; the leader's approval; the 公示 published over the 2024 National Day
// holiday (its make-up Sunday counted) with the PDF and xlsx checked; an objection recorded and
// dismissed; finalising refused inside the period, then done; finance pays, is refused paying
// again (the first payment shown), reverses, pays; the 代发 file; a bank receipt reporting a
// failed payment reconciled, the payment reversed and paid again in a follow-up batch.
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const PASSWORD = 'walk-password-1';
const XINGJIN = '泽州县兴晋化工有限公司';
const XINYUAN = '91140525MA0L00002Q';

async function startServer(bin, work) {
  const db = `sqlite://${join(work, 'year.db')}`;
  const data = fileURLToPath(new URL('../../crates/lianzhang/tests/data/small', import.meta.url));
  execFileSync(bin, ['import', '--db', db, data], { stdio: 'ignore' });
  for (const [user, role, chain] of [['clerk', 'bureau'], ['leader1', 'leader'], ['cashier', 'finance'], ['chem', 'task_force', 'chemical']]) {
    const args = ['user', 'add', '--db', db, '--username', user, '--role', role, '--password-stdin'];
    if (chain) args.push('--chain', chain);
    execFileSync(bin, args, { input: `${PASSWORD}\n`, stdio: ['pipe', 'ignore', 'ignore'] });
  }
  const port = 20000 + Math.floor(Math.random() * 2000);
  const server = spawn(bin, ['serve', '--db', db, '--bind', `127.0.0.1:${port}`], { cwd: work });
  let log = '';
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${log}`)), 60000);
    server.stderr.on('data', (d) => { log += d; if (log.includes('链长已启动')) { clearTimeout(timer); ok(); } });
    server.on('exit', (code) => fail(new Error(`server exited ${code}:\n${log}`)));
  });
  return { server, base: `http://127.0.0.1:${port}` };
}

export async function walkYear({ bin, browser, step, shots, work }) {
  const { server, base } = await startServer(bin, work);
  const login = async (user) => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${base}/login`);
    await page.fill('input[name=username]', user);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL('**/home');
    return page;
  };
  const submit = async (page, form, button = 'button[type=submit]') => {
    await Promise.all([page.waitForLoadState('load'), form.locator(button).first().click()]);
  };
  const line = (page, ...texts) => {
    let row = page.locator('table.lines tbody tr');
    for (const t of texts) row = row.filter({ hasText: t });
    return row.locator('a[href*="/lines/"]').first();
  };
  try {
    const clerk = await login('clerk');
    await step('year: the bureau creates the 2023 round; lines and the recommendation list', async () => {
      await clerk.goto(`${base}/rounds`);
      const form = clerk.locator('form.rounds-create');
      await form.locator('select[name=year]').selectOption('2023');
      await form.locator('input[name=name]').fill('2023年度第一批');
      await submit(clerk, form);
      await clerk.waitForURL('**/rounds/1');
      const main = await clerk.textContent('main');
      assert.match(main, /兑现名单（8）/, 'six awards and two 待核实 lines');
      assert.match(main, /推荐名单（1）/);
      await clerk.goto(`${base}/rounds/1?status=review`);
      assert.equal(await clerk.locator('table.lines tbody tr').count(), 2);
    });

    await step('year: a 待核实 line links to exactly its missing fact; fixed, then refresh shows the change', async () => {
      await clerk.goto(`${base}/rounds/1?status=review`);
      await Promise.all([clerk.waitForURL('**/lines/**'), line(clerk, XINGJIN, '3亿元').click()]);
      await Promise.all([clerk.waitForURL('**/edit?year=2022#f-revenue'), clerk.click('a:text("2022年营业收入")')]);
      assert.equal(await clerk.evaluate(() => document.activeElement?.id), 'f-revenue', 'the field is focused');
      await clerk.fill('#f-revenue', '280000000');
      await submit(clerk, clerk.locator('#edit-form'));
      await clerk.goto(`${base}/rounds/1`);
      await submit(clerk, clerk.locator('form:has(input[value=refresh])'));
      const main = await clerk.textContent('main');
      assert.match(main, /第 2 版/);
      assert.match(main, /变化：泽州县兴晋化工有限公司.*待核实 → 奖励 100,000\.00/);
      await clerk.goto(`${base}/rounds/1?status=review`);
      assert.equal(await clerk.locator('table.lines tbody tr').count(), 1, 'only the sourcing line still waits');
    });

    await step('year: a line rejected with its reason; a ceiling line given its final amount', async () => {
      await clerk.goto(`${base}/rounds/1?status=review`);
      await Promise.all([clerk.waitForURL('**/lines/**'), line(clerk, XINGJIN).click()]);
      const reject = clerk.locator('form:has(input[value=reject])');
      await reject.locator('textarea[name=reason]').fill('本地配套采购数据无法取得，本年度不予兑现');
      await submit(clerk, reject);
      assert.match(await clerk.textContent('main'), /不予兑现：本地配套采购数据无法取得/);
      await clerk.goto(`${base}/rounds/1?status=final_amount`);
      await Promise.all([clerk.waitForURL('**/lines/**'), line(clerk, '技术改造').click()]);
      const amount = clerk.locator('form:has(input[value=amount])');
      await amount.locator('input[name=amount]').fill('300000.01');
      await amount.locator('textarea[name=basis]').fill('县技改项目评审会纪要 2024-02-20');
      await submit(clerk, amount);
      assert.match(await clerk.textContent('[role=alert]'), /不超过上限 300,000\.00/, 'over the ceiling is refused');
      assert.equal(await amount.locator('textarea[name=basis]').inputValue(), '县技改项目评审会纪要 2024-02-20', 'what was typed is kept');
      await amount.locator('input[name=amount]').fill('250000');
      await submit(clerk, amount);
      assert.match(await clerk.textContent('main'), /250,000\.00（上限 300,000\.00）|上限/);
    });

    await step('year: every enterprise confirms (recorded by the bureau on its behalf)', async () => {
      for (let n = 0; n < 12; n++) {
        await clerk.goto(`${base}/rounds/1?status=confirmation`);
        const next = clerk.locator('table.lines tbody tr a[href*="/lines/"]');
        if (await next.count() === 0) break;
        await Promise.all([clerk.waitForURL('**/lines/**'), next.first().click()]);
        const form = clerk.locator('form:has(button[value=confirm])');
        await form.locator('select[name=channel]').selectOption('phone');
        await form.locator('input[name=bank]').fill('晋城银行泽州支行');
        await form.locator('input[name=number]').fill(`62220000${String(n).padStart(8, '0')}`);
        await submit(clerk, form, 'button[value=confirm]');
        assert.match(await clerk.textContent('main'), /企业已确认接受/);
      }
      await clerk.goto(`${base}/rounds/1?status=confirmation`);
      assert.equal(await clerk.locator('table.lines tbody tr').count(), 0);
    });

    await step('year: a 失信名单 file uploaded; the check holds a line; cleared with evidence', async () => {
      await clerk.goto(`${base}/rounds/credit-lists`);
      const bad = '统一社会信用代码,主体名称,名单名称,认定部门,列入日期,移出日期\n91140525MA0L00002X,鑫源,失信被执行人名单,法院,2023-13-01,\n';
      const upload = clerk.locator('form[action="/rounds/credit-lists/file"]');
      await upload.locator('input[type=file]').setInputFiles({ name: '失信名单.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
      await submit(clerk, upload);
      const errors = await clerk.textContent('table.errors');
      assert.match(errors, /统一社会信用代码/);
      assert.match(errors, /列入日期/);
      assert.match(await clerk.textContent('main'), /还没有导入失信名单/, 'nothing imported');
      const good = `统一社会信用代码,主体名称,名单名称,认定部门,列入日期,移出日期\n${XINYUAN},泽州县鑫源铸造有限公司,失信被执行人名单,泽州县人民法院,2023-11-20,\n`;
      await upload.locator('input[type=file]').setInputFiles({ name: '2024年3月失信名单.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
      await submit(clerk, upload);
      assert.match(await clerk.textContent('main'), /2024年3月失信名单\.csv/);
      await clerk.goto(`${base}/rounds/1`);
      const check = clerk.locator('form:has(input[value=credit_check])');
      await check.locator('input[name=date]').fill('2024-03-05');
      await submit(clerk, check);
      await clerk.goto(`${base}/rounds/1?status=credit_hit`);
      assert.equal(await clerk.locator('table.lines tbody tr').count(), 2, "both of the enterprise's lines are held");
      await Promise.all([clerk.waitForURL('**/lines/**'), clerk.locator('table.lines tbody tr a[href*="/lines/"]').first().click()]);
      assert.match(await clerk.textContent('main'), /失信被执行人名单（泽州县人民法院）/);
      const clear = clerk.locator('form:has(input[value=clear_credit])');
      await clear.locator('textarea[name=reason]').fill('已履行完毕，法院已屏蔽失信信息');
      await clear.locator('input[name=evidence]').fill('（2024）晋0525执恢12号结案通知书');
      await submit(clerk, clear);
      await clerk.goto(`${base}/rounds/1?status=open`);
      assert.equal(await clerk.locator('table.lines tbody tr').count(), 0, 'every line decided');
    });

    const leader = await login('leader1');
    await step('year: the leader approves the round', async () => {
      await leader.goto(`${base}/rounds/1`);
      const form = leader.locator('form:has(input[value=approve])');
      await form.locator('input[name=note]').fill('同意');
      await submit(leader, form);
      assert.match(await leader.textContent('h1'), /已审批待公示/);
    });

    await step('year: 公示 over the National Day holiday (make-up Sunday counted); PDF and xlsx checked', async () => {
      await clerk.goto(`${base}/rounds/1`);
      const form = clerk.locator('form:has(input[value=publish_preview])');
      await form.locator('input[name=date]').fill('2024-09-27');
      await form.locator('input[name=document_no]').fill('泽工信公〔2024〕9号');
      await submit(clerk, form);
      // 9-29 (a Sunday worked for the holiday), 9-30, then 10-8, 10-9, 10-10.
      assert.match(await clerk.textContent('form:has(input[value=publish])'), /最后一天 2024-10-10/);
      await submit(clerk, clerk.locator('form:has(input[value=publish])'));
      assert.match(await clerk.textContent('h1'), /公示中/);
      const [pdf] = await Promise.all([clerk.waitForEvent('download'), clerk.click('a.download[href$="publicity.pdf"]')]);
      const pdfPath = join(work, 'year-publicity.pdf');
      await pdf.saveAs(pdfPath);
      const [xlsx] = await Promise.all([clerk.waitForEvent('download'), clerk.click('a.download[href$="publicity.xlsx"]')]);
      const xlsxPath = join(work, 'year-publicity.xlsx');
      await xlsx.saveAs(xlsxPath);
      const strings = execFileSync('unzip', ['-p', xlsxPath, 'xl/sharedStrings.xml']).toString();
      for (const s of ['泽工信公〔2024〕9号', XINGJIN, '泽州县丰谷食品有限公司']) assert.ok(strings.includes(s), `xlsx has ${s}`);
      assert.ok(!strings.includes('华智装备'), 'the recommendation list is not published');
      let text;
      try { text = execFileSync('pdftotext', ['-layout', pdfPath, '-']).toString(); } catch (e) {
        if (process.env.LIANZHANG_PDF_TESTS === 'required') throw e;
        return;
      }
      const flat = text.replace(/\s+/g, '');
      assert.match(flat, /泽工信公〔2024〕9号/);
      assert.match(flat, /兴晋化工/);
      assert.match(flat, /2024年10月10日/, 'the last day of the period');
      assert.ok(!flat.includes('本地配套采购数据无法取得'), 'a rejected line is not on the public list');
    });

    await step('year: an objection recorded and dismissed; finalising refused inside the period, then done', async () => {
      await clerk.goto(`${base}/rounds/1`);
      await Promise.all([clerk.waitForURL('**/lines/**'), line(clerk, '恒达钢铁', '配套率').click()]);
      const form = clerk.locator('form:has(input[value=object])');
      await form.locator('input[name=objector]').fill('县内某企业（实名）');
      await form.locator('input[name=date]').fill('2024-10-08');
      await form.locator('textarea[name=content]').fill('认为恒达钢铁2023年本地配套采购额统计口径有误');
      await form.locator('input[name=evidence]').fill('来信一封');
      await submit(clerk, form);
      await clerk.goto(`${base}/rounds/1`);
      const settle = clerk.locator('form.settle').first();
      await settle.locator('select[name=settle]').selectOption('dismiss');
      await settle.locator('input[name=reason], textarea[name=reason]').first().fill('经核对统计局联网直报数据，口径无误');
      await submit(clerk, settle);
      assert.match(await clerk.textContent('main'), /第 1 号异议不成立/);
      const fin = clerk.locator('form:has(input[value=finalise])');
      await fin.locator('input[name=date]').fill('2024-10-10');
      await submit(clerk, fin);
      assert.match(await clerk.textContent('[role=alert]'), /期满后才能确定名单/);
      await clerk.locator('form:has(input[value=finalise]) input[name=date]').fill('2024-10-11');
      await submit(clerk, clerk.locator('form:has(input[value=finalise])'));
      assert.match(await clerk.textContent('h1'), /已确定/);
    });

    const cashier = await login('cashier');
    let lineUrl;
    await step('year: finance pays a line, is refused paying it again (first payment shown), reverses, pays', async () => {
      await cashier.goto(`${base}/rounds/1/pay`);
      const row = cashier.locator('form.pay-form tbody tr').filter({ hasText: '恒达钢铁' }).filter({ hasText: '3亿元' });
      lineUrl = await row.locator('a').first().getAttribute('href');
      const stale = await login('cashier');
      await stale.goto(`${base}${lineUrl}`);
      await row.locator('input[type=checkbox]').check();
      await cashier.fill('input[name=voucher]', '记字2024-10-001号');
      await cashier.fill('form.pay-form input[name=date]', '2024-10-15');
      await submit(cashier, cashier.locator('form.pay-form'));
      await stale.fill('form:has(input[value=pay]) input[name=voucher]', '记字2024-10-002号');
      await submit(stale, stale.locator('form:has(input[value=pay])'));
      const alert = await stale.locator('[role=alert]').first().textContent();
      assert.match(alert, /未支付/);
      assert.match(alert, /记字2024-10-001号/, 'the first payment is named');
      await cashier.goto(`${base}${lineUrl}`);
      const reverse = cashier.locator('form.settle').last();
      await reverse.locator('input[name=reason]').fill('凭证号录入错误，冲正后重付');
      await submit(cashier, reverse);
      assert.match(await cashier.textContent('main'), /已冲正/);
      await cashier.fill('form:has(input[value=pay]) input[name=voucher]', '记字2024-10-003号');
      await cashier.fill('form:has(input[value=pay]) input[name=date]', '2024-10-15');
      await submit(cashier, cashier.locator('form:has(input[value=pay])'));
      await cashier.goto(`${base}${lineUrl}`);
      assert.match(await cashier.textContent('main'), /记字2024-10-003号/);
      await stale.close();
    });

    await step('year: the 代发 file; a receipt reporting the payment failed reverses it; paid again in a follow-up batch', async () => {
      await cashier.goto(`${base}/rounds/1/pay`);
      const [file] = await Promise.all([cashier.waitForEvent('download'), cashier.click('a[href$="/pay/instructions.xlsx"]')]);
      const filePath = join(work, 'instructions.xlsx');
      await file.saveAs(filePath);
      const strings = execFileSync('unzip', ['-p', filePath, 'xl/sharedStrings.xml']).toString();
      for (const s of ['付款流水号', '泽州县恒达钢铁有限公司', '记字2024-10-003号']) assert.ok(strings.includes(s), `代发文件 has ${s}`);
      // The standing payment: its ledger entry (付款流水号) and account from the line page.
      await cashier.goto(`${base}${lineUrl}`);
      const standing = cashier.locator('table.grid tbody tr').filter({ hasText: '记字2024-10-003号' });
      const ledger = (await standing.locator('td').first().textContent()).trim();
      const account = (await cashier.locator('dd .mono').last().textContent()).trim();
      const receipt = `付款流水号,收款户名,收款账号,金额,交易日期,处理结果,失败原因\n${ledger},泽州县恒达钢铁有限公司,${account},100000.00,2024-10-16,失败,户名与账号不符\n`;
      await cashier.goto(`${base}/rounds/1/pay`);
      const upload = cashier.locator('form[action$="/receipt"]');
      await upload.locator('input[type=file]').setInputFiles({ name: '银行回单.csv', mimeType: 'text/csv', buffer: Buffer.from(receipt) });
      await upload.locator('input[name=apply]').check();
      await submit(cashier, upload);
      const main = await cashier.textContent('main');
      assert.match(main, /失败或退回 1 笔/);
      assert.match(main, /已冲正支付失败的 1 笔/);
      await cashier.screenshot({ path: join(shots, 'round-receipt.png'), fullPage: true });
      await cashier.goto(`${base}/rounds/1/pay`);
      const row = cashier.locator('form.pay-form tbody tr').filter({ hasText: '恒达钢铁' }).filter({ hasText: '3亿元' });
      await row.locator('input[type=checkbox]').check();
      await cashier.fill('input[name=voucher]', '记字2024-10-020号');
      await submit(cashier, cashier.locator('form.pay-form'));
      await cashier.goto(`${base}${lineUrl}`);
      assert.match(await cashier.textContent('main'), /记字2024-10-020号/);
      await cashier.goto(`${base}/rounds/1/timeline`);
      const t = await cashier.textContent('main');
      for (const s of ['刷新名单，形成第 2 版', '不予兑现 泽州县兴晋化工有限公司', '解除', '审批同意', '公示（泽工信公〔2024〕9号）', '第 1 号异议不成立', '名单确定', '冲正台账', '户名与账号不符']) {
        assert.ok(t.includes(s), `timeline shows ${s}`);
      }
      await cashier.screenshot({ path: join(shots, 'round-year-timeline.png'), fullPage: true });
    });
    writeFileSync(join(work, 'year-walked'), 'ok');
  } finally {
    server.kill();
  }
}
