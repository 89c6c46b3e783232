// The policy in the open (issue 12) in the browser, on `lianzhang serve --demo`: the policy page
// with each rule's original words; the sandbox (a raised 小升规 award answered beside the policy
// in force, the enterprises it changes, saved as a scenario and listed); the administrator's
// upload of a policy file with three errors (each shown with its line and column, nothing
// adopted) and then of a revision from next year on (its difference shown); 潜在可享 as a task
// force sees it, with a service noted on a line.
//   LIANZHANG_BIN=target/debug/lianzhang SCREENSHOTS=target/screenshots node tests/browser/policy.mjs
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { demo, shots } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bundled = readFileSync(join(root, 'policies/zezhou-2022.toml'), 'utf8');
const { base, step, login, finish } = await demo([], 22000);

await step('the policy page quotes each rule’s original words', async () => {
  const page = await login('leader');
  await page.goto(`${base}/policy`);
  assert.equal(await page.locator('section.rule').count(), 16);
  const sourcing = page.locator('#rule-local_sourcing_increase');
  assert.match(await sourcing.locator('blockquote.source').textContent(), /每提高5个百分点本地配套率/);
  await page.screenshot({ path: join(shots, 'policy.png'), fullPage: false });
});

await step('the sandbox answers a raised award and saves it as a scenario', async () => {
  const page = await login('bureau');
  await page.goto(`${base}/policy/sandbox`);
  await page.fill('input[name="p.above_scale_entry.amount"]', '15万');
  await page.click('#sandbox-form button[type=submit]');
  await page.waitForURL('**/policy/sandbox?*');
  const change = await page.locator('.tiles .tile').nth(2).textContent();
  assert.match(change, /\+\d/, `a positive change: ${change}`);
  assert.match(await page.locator('table.grid').first().textContent(), /10万元[\s\S]*15万元/);
  assert.ok((await page.locator('table.changed-list tbody tr').count()) > 0, 'the enterprises it changes');
  await page.locator('table.changed-list details').first().click();
  assert.match(await page.locator('table.changed-list details').first().textContent(), /现行：[\s\S]*方案：/);
  await page.screenshot({ path: join(shots, 'sandbox.png'), fullPage: true });
  await page.fill('.save-scenario input[name=name]', '小升规提至15万');
  await page.click('.save-scenario button[type=submit]');
  await page.waitForURL('**/policy/sandbox?scenario=*');
  await page.goto(`${base}/policy/sandbox/scenarios`);
  assert.match(await page.locator('table.scenarios').textContent(), /小升规提至15万[\s\S]*10万元 → 15万元/);
});

await step('an upload with three errors shows each with its line and column; a revision is adopted', async () => {
  const page = await login('admin');
  await page.goto(`${base}/policy/versions`);
  const bad = bundled
    .replace('requires = []\namount = "100000"', 'requires = []\namount = "十万"')
    .replace('min_entry_year = 2022', 'min_entry_year = 2022\nspeed = 1')
    .replace('fact = "revenue"', 'fact = "turnover"');
  await page.setInputFiles('input[name=file]', { name: 'bad.toml', mimeType: 'text/plain', buffer: Buffer.from(bad) });
  await page.fill('input[name=from_year]', '2026');
  await page.click('form.edit button[type=submit]');
  await page.waitForLoadState();
  assert.match(await page.textContent('.error strong'), /bad\.toml 有 3 处问题，未启用/);
  const places = await page.locator('table.problems tbody tr td:first-child').allTextContents();
  assert.equal(places.length, 3, places.join(' | '));
  for (const p of places) assert.match(p, /bad\.toml:\d+:\d+\s*第 \d+ 行第 \d+ 列/);
  await page.screenshot({ path: join(shots, 'versions-errors.png'), fullPage: true });
  assert.equal(await page.locator('table.versions tbody tr').count(), 1, 'nothing adopted');
  const good = bundled.replace('requires = []\namount = "100000"', 'requires = []\namount = "150000"');
  await page.setInputFiles('input[name=file]', { name: 'zezhou-2026.toml', mimeType: 'text/plain', buffer: Buffer.from(good) });
  await page.fill('input[name=from_year]', '2026');
  await page.fill('input[name=note]', '2026年起小升规奖励提至15万元');
  await page.click('form.edit button[type=submit]');
  await page.waitForURL('**/policy/versions/*');
  assert.match(await page.textContent('table.grid'), /奖励金额：10万元 → 15万元/);
  await page.screenshot({ path: join(shots, 'version.png'), fullPage: false });
});

await step('a task force sees its chain’s enterprises near an award and notes a service', async () => {
  const page = await login('steel');
  await page.goto(`${base}/near`);
  const chains = await page.locator('table.near-list tbody tr td:nth-child(3)').allTextContents();
  assert.ok(chains.length > 0 && chains.every((c) => c.trim() === '钢铁'), chains.join(','));
  const row = page.locator('table.near-list tbody tr').first();
  await row.locator('summary').click();
  await row.locator('textarea[name=note]').fill('上门讲解入库条件');
  await row.locator('form button[type=submit]').click();
  await page.waitForURL('**/near?*');
  assert.match(await page.locator('table.near-list').textContent(), /steel：上门讲解入库条件/);
  await page.screenshot({ path: join(shots, 'near.png'), fullPage: false });
});

await finish();
