// Another county's policy in the browser (issue 11): `lianzhang serve --demo --policy
// policies/examples/qinglan-2023.toml`. The site names 青岚县; a fact the policy declares beyond
// FACTS.md (实缴税金) is a column of the enterprise page and a field of the edit form; saving it
// goes through the reader and the import, and the enterprise's history names it.
//   LIANZHANG_BIN=target/debug/lianzhang SCREENSHOTS=target/screenshots node tests/browser/county.mjs
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = resolve(process.env.LIANZHANG_BIN ?? 'target/debug/lianzhang');
const shots = resolve(process.env.SCREENSHOTS ?? 'target/screenshots');
const browserPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'lz-county-'));
const port = 20000 + Math.floor(Math.random() * 2000);
const base = `http://127.0.0.1:${port}`;
const policy = join(root, 'policies/examples/qinglan-2023.toml');

const server = spawn(bin, ['serve', '--demo', '--policy', policy, '--bind', `127.0.0.1:${port}`], { cwd: work });
let log = '';
const password = await new Promise((ok, fail) => {
  const timer = setTimeout(() => fail(new Error(`server did not start:\n${log}`)), 60000);
  server.stderr.on('data', (d) => {
    log += d;
    const pw = log.match(/密码均为 ([0-9a-f]+)/);
    if (pw && log.includes('链长已启动')) { clearTimeout(timer); ok(pw[1]); }
  });
  server.on('exit', (code) => fail(new Error(`server exited ${code}:\n${log}`)));
});

const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
let failed = 0;
async function step(name, body) {
  try { await body(); console.log(`ok   ${name}`); }
  catch (e) { failed++; console.log(`FAIL ${name}\n     ${e.stack ?? e}`); }
}

const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.goto(`${base}/login`);
await page.fill('input[name=username]', 'bureau');
await page.fill('input[name=password]', password);
await page.click('button[type=submit]');
await page.waitForURL('**/home');

let uscc = '';
await step('the site and its enterprises follow the county’s policy', async () => {
  assert.match(await page.textContent('a.brand'), /青岚县产业链政策平台/);
  await page.goto(`${base}/enterprises`);
  // The first enterprise of the list: its page has the declared fact as a column of its years.
  await page.locator('table.grid tbody tr a[href^="/enterprises/9"]').first().click();
  await page.waitForURL('**/enterprises/9*');
  uscc = page.url().split('/').pop();
  assert.ok(await page.isVisible('th:text("实缴税金（万元）")'), 'a column of the years');
  assert.doesNotMatch(await page.textContent('body'), /泽州/);
});

await step('a declared fact is a field of the edit form, saved and audited like the others', async () => {
  await page.goto(`${base}/enterprises/${uscc}/edit?year=2024`);
  const field = page.locator('#f-tax_paid');
  assert.ok(await field.isVisible(), 'the 实缴税金 field');
  await field.fill('1234567.89');
  await page.click('form.edit button[type=submit]');
  await page.waitForURL(`**/enterprises/${uscc}`);
  const year = page.locator('section:has(h2:text("年度数据")) tbody tr:has(td:text-is("2024"))');
  assert.match(await year.textContent(), /123\.46/, '1,234,567.89 元 shown in 万元');
  const history = page.locator('section:has(h2:text("修改记录")) tbody tr').first();
  assert.match(await history.textContent(), /实缴税金/);
  await page.screenshot({ path: join(shots, 'county-enterprise.png'), fullPage: true });
  // A wrong value is refused beside its field, nothing saved.
  await page.goto(`${base}/enterprises/${uscc}/edit?year=2024`);
  await page.fill('#f-tax_paid', '一百万');
  await page.click('form.edit button[type=submit]');
  assert.match(await page.textContent('.card.error'), /实缴税金：一百万：/);
  await page.screenshot({ path: join(shots, 'county-edit-error.png'), fullPage: true });
});

await browser.close();
server.kill();
if (failed) { console.log(`${failed} browser step(s) failed`); process.exit(1); }
