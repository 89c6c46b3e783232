// Browser tests of the web application in Debian's chromium (playwright-core, no download).
//   LIANZHANG_BIN=target/debug/lianzhang SCREENSHOTS=target/screenshots node tests/browser/run.mjs
// Starts `lianzhang serve --demo` in a temporary folder, walks through the main pages as a
// bureau user and a task force, asserts what a person would check, and saves screenshots.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { bin, demo, shots } from './harness.mjs';

const { work, base, browser, step, login, finish } = await demo();

const bureau = await login('bureau');

await step('dashboard shows the targets and the chains', async () => {
  await bureau.goto(`${base}/dashboard`);
  assert.match(await bureau.textContent('h1'), /数据大屏/);
  assert.ok(await bureau.isVisible('text=目标完成情况'));
  assert.ok((await bureau.locator('.bar span').count()) > 10, 'progress bars');
  assert.equal(await bureau.locator('.tiles .tile').count(), 6, 'headline figures');
  assert.equal(await bureau.locator('svg.chart').count(), 2, 'award and count charts');
  assert.ok((await bureau.locator('svg.chart rect title').count()) > 8, 'award segments with tooltips');
  // The CJK font is served by the binary itself and is the one the page renders with.
  const font = await bureau.evaluate(async () => {
    await document.fonts.load('14px "Lianzhang Sans SC"', '链长');
    return [...document.fonts].filter((f) => f.family.includes('Lianzhang Sans SC')).map((f) => f.status);
  });
  assert.deepEqual(font, ['loaded'], 'embedded font loaded');
  await bureau.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true });
});

await step('the chains page lists seven chains with chiefs and chain masters', async () => {
  await bureau.goto(`${base}/chains`);
  assert.equal(await bureau.locator('table.grid tbody tr').count(), 7);
  assert.ok((await bureau.locator('table.grid tbody td a[href^="/enterprises/"]').count()) > 0, 'chain masters linked');
  assert.match(await bureau.textContent('table.grid tbody'), /链长：/);
  await bureau.screenshot({ path: join(shots, 'chains.png'), fullPage: true });
});

await step('a filter applies as soon as it changes (progressive enhancement)', async () => {
  await bureau.goto(`${base}/enterprises`);
  await Promise.all([bureau.waitForURL('**/enterprises?*chain=food*'), bureau.selectOption('select[name=chain]', 'food')]);
  const chains = await bureau.locator('table.grid tbody tr td:nth-child(3)').allTextContents();
  assert.ok(chains.length > 0 && chains.every((c) => c.trim() === '食品'), `chains shown: ${chains.slice(0, 5)}`);
  // The chosen chain's stages are offered next; choosing one narrows the list to it.
  await Promise.all([bureau.waitForURL('**/enterprises?*stage=*'), bureau.selectOption('select[name=stage]', '农牧产品加工')]);
  const stages = await bureau.locator('table.grid tbody tr td:nth-child(4)').allTextContents();
  assert.ok(stages.length > 0 && stages.every((c) => c.trim() === '农牧产品加工'), `stages shown: ${stages.slice(0, 5)}`);
});

await step('a chain map draws its stages and gaps', async () => {
  await bureau.goto(`${base}/chains`);
  await bureau.click('text=化工');
  await bureau.waitForURL('**/chains/chemical');
  assert.equal(await bureau.locator('svg.chain-map g.stage').count(), 9);
  await bureau.screenshot({ path: join(shots, 'chain-chemical.png'), fullPage: true });
});

await step('a chain map draws the links to other chains and they lead there', async () => {
  await bureau.goto(`${base}/chains/equipment`);
  assert.equal(await bureau.locator('svg.chain-map a.link').count(), 1);
  assert.match(await bureau.textContent('svg.chain-map a.link'), /铸造产业链/);
  await bureau.screenshot({ path: join(shots, 'chain-equipment.png'), fullPage: true });
  await Promise.all([bureau.waitForURL('**/chains/casting'), bureau.click('svg.chain-map a.link')]);
  assert.match(await bureau.textContent('h1'), /铸造/);
});

let uscc;
await step('search an enterprise and open it', async () => {
  await bureau.goto(`${base}/enterprises`);
  await bureau.fill('input[name=q]', '化工');
  await bureau.click('form.filters button[type=submit]');
  const first = bureau.locator('table.grid tbody tr a').first();
  const name = await first.textContent();
  assert.match(name, /化工/);
  await bureau.screenshot({ path: join(shots, 'enterprises.png') });
  await first.click();
  assert.equal((await bureau.textContent('h1')).trim().startsWith(name.trim()), true);
  uscc = bureau.url().split('/').pop();
  await bureau.screenshot({ path: join(shots, 'enterprise.png'), fullPage: true });
});

await step('edit a field and see it in the audit trail', async () => {
  await bureau.goto(`${base}/enterprises/${uscc}/edit`);
  // A town not yet in the registry is typed beside the towns' drop-down.
  await bureau.fill('input[name=town_new]', '浏览器测试镇');
  await bureau.click('form.edit button[type=submit]');
  await bureau.waitForURL(`**/enterprises/${uscc}`);
  assert.ok(await bureau.isVisible('text=浏览器测试镇'));
  const history = bureau.locator('section:has(h2:text("修改记录")) tbody tr').first();
  // The history reads in Chinese: the field by its name, never its code.
  assert.match(await history.textContent(), /乡镇.*浏览器测试镇/s);
  assert.doesNotMatch(await history.textContent(), /\btown\b/);
  await bureau.goto(`${base}/admin/audit?key=${uscc}`);
  assert.match(await bureau.textContent('table.grid tbody'), /浏览器测试镇/);
  await bureau.screenshot({ path: join(shots, 'audit.png') });
});

await step('an older export does not silently undo an edit made in the browser', async () => {
  // A colleague's export (stamped with the registry's revision)...
  const dir = mkdtempSync(join(tmpdir(), 'lz-older-'));
  const exported = await bureau.request.get(`${base}/export.xlsx`);
  assert.equal(exported.status(), 200);
  const older = join(dir, 'older.xlsx');
  writeFileSync(older, await exported.body());
  // ...then an edit in the browser...
  await bureau.goto(`${base}/enterprises/${uscc}/edit`);
  await bureau.fill('input[name=revenue]', '4242.42');
  await bureau.click('form.edit button[type=submit]');
  await bureau.waitForURL(`**/enterprises/${uscc}`);
  // ...and the older export is imported: the confirm page shows the conflict first, highlighted.
  await bureau.goto(`${base}/import`);
  await bureau.setInputFiles('input[type=file]', older);
  await bureau.click('form[action="/import"] button[type=submit]');
  await bureau.waitForSelector('table.conflicts');
  const conflicts = bureau.locator('table.conflicts tbody tr.conflict');
  assert.equal(await conflicts.count(), 1, 'one conflict');
  const row = await conflicts.first().textContent();
  for (const part of [uscc, '营业收入', '0.424242 万元', 'bureau，20']) assert.ok(row.includes(part), `${part} in ${row}`);
  assert.match(await bureau.textContent('section.preview'), /文件导出自企业库版本/);
  await bureau.screenshot({ path: join(shots, 'import-conflict.png'), fullPage: true });
  // Only the staged upload can be confirmed: a form with another id is refused.
  const csrf = await bureau.inputValue('form[action="/import/confirm"] input[name=csrf]');
  const swapped = await bureau.request.post(`${base}/import/confirm`, { form: { csrf, id: 'f'.repeat(64), all: 'take' } });
  assert.equal(swapped.status(), 404, 'another upload\'s id');
  // Confirming without a choice is refused and changes nothing.
  bureau.once('dialog', (d) => d.accept());
  await bureau.click('button.confirm');
  await bureau.waitForSelector('p.error[role=alert]');
  assert.match(await bureau.textContent('p.error[role=alert]'), /还有 1 处冲突没有选择/);
  // Meanwhile a colleague edits another cell of the file: the confirmation is not applied but
  // the page is shown again with the new conflict.
  const other = await login('admin');
  await other.goto(`${base}/enterprises/${uscc}/edit`);
  await other.fill('input[name=rd_expense]', '1234.56');
  await other.click('form.edit button[type=submit]');
  await other.waitForURL(`**/enterprises/${uscc}`);
  await other.close();
  await bureau.check('table.conflicts tr.conflict input[value=keep]');
  bureau.once('dialog', (d) => d.accept());
  await bureau.click('button.confirm');
  await bureau.waitForSelector('text=在您核对期间');
  assert.equal(await bureau.locator('table.conflicts tbody tr.conflict').count(), 2, 'the new conflict is listed');
  // Keep the registry's values, for all conflicts.
  await bureau.click('button.keep-all');
  await bureau.waitForSelector('text=导入完成');
  assert.match(await bureau.textContent('main'), /保留库中值 2 处/);
  // Both edits are intact.
  await bureau.goto(`${base}/enterprises/${uscc}/edit`);
  assert.equal(await bureau.inputValue('input[name=revenue]'), '4242.42');
  assert.equal(await bureau.inputValue('input[name=rd_expense]'), '1234.56');
});

await step('import a file with errors and see every one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lz-upload-'));
  // A one-sheet workbook is easiest to make as a zip of CSVs: build it by hand (stored, no compression).
  const csv = 'uscc,name,chain\n91140525MA0000001X,甲,steel\n91140525MA0000003I,乙,nowhere\n';
  const file = join(dir, 'bad.zip');
  writeFileSync(file, storedZip('enterprises.csv', Buffer.from(csv)));
  await bureau.goto(`${base}/import`);
  await bureau.setInputFiles('input[type=file]', file);
  await bureau.click('form[action="/import"] button[type=submit]');
  await bureau.waitForSelector('table.errors');
  const rows = await bureau.locator('table.errors tbody tr').count();
  assert.ok(rows >= 2, `${rows} error rows`);
  assert.match(await bureau.textContent('table.errors'), /nowhere/);
  await bureau.screenshot({ path: join(shots, 'import-errors.png'), fullPage: true });
});

await step('a task force cannot open another chain\'s enterprise', async () => {
  const steel = await login('steel');
  const resp = await steel.goto(`${base}/enterprises/${uscc}`);
  assert.equal(resp.status(), 403);
  // On the chains page it sees its own chain masters by name, the others' only counted.
  await steel.goto(`${base}/chains`);
  const rows = steel.locator('table.grid tbody tr');
  assert.ok((await rows.nth(0).locator('td:last-child a').count()) > 0, 'own chain masters named');
  for (let i = 1; i < 7; i++) assert.equal(await rows.nth(i).locator('td:last-child a').count(), 0, `chain ${i}`);
  await steel.close();
});

await step('the administrator sees every account with its role, scope and actions', async () => {
  const admin = await login('admin');
  await admin.goto(`${base}/admin/users`);
  const rows = admin.locator('table.users tbody tr');
  assert.ok((await rows.count()) >= 5, 'demo accounts');
  assert.equal(await admin.locator('table.users form.scope').count(), await rows.count());
  await admin.screenshot({ path: join(shots, 'users.png'), fullPage: true });
  await admin.close();
});

// The award rounds (兑现批次) of the demo county.
const { walkRounds } = await import('./rounds.mjs');
await walkRounds({ login, base, step, shots, work });

// One year from the round's creation to its payment, on a small registry of its own.
const { walkYear } = await import('./year.mjs');
await walkYear({ bin, browser, step, shots, work });

await finish();
console.log(`browser tests passed; screenshots in ${shots}`);

// A zip with one stored (uncompressed) file.
function storedZip(name, data) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const b of data) crc = crcTable[(crc ^ b) & 0xff] ^ (crc >>> 8);
  crc = (crc ^ 0xffffffff) >>> 0;
  const nameBuf = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(nameBuf.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16); central.writeUInt32LE(data.length, 20); central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  const offset = 0;
  central.writeUInt32LE(offset, 42);
  const localPart = Buffer.concat([local, nameBuf, data]);
  const centralPart = Buffer.concat([central, nameBuf]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralPart.length, 12); end.writeUInt32LE(localPart.length, 16);
  return Buffer.concat([localPart, centralPart, end]);
}
