// Another county's policy in the browser (issue 11): `lianzhang serve --demo --policy
// policies/examples/qinglan-2023.toml`. The site names 青岚县; a fact the policy declares beyond
// FACTS.md (实缴税金) is a column of the enterprise page and a field of the edit form; saving it
// goes through the reader and the import, and the enterprise's history names it.
//   LIANZHANG_BIN=target/debug/lianzhang SCREENSHOTS=target/screenshots node tests/browser/county.mjs
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { demo, shots } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const policy = join(root, 'policies/examples/qinglan-2023.toml');
const { base, step, login, finish } = await demo(['--policy', policy], 20000);
const page = await login('bureau');

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

await finish();
