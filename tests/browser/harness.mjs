// What every browser walk needs: `lianzhang serve --demo` (with extra arguments, such as another
// policy) in a temporary folder, Debian's chromium, a login, and numbered steps that report and
// count failures instead of stopping at the first.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const bin = resolve(process.env.LIANZHANG_BIN ?? 'target/debug/lianzhang');
export const shots = resolve(process.env.SCREENSHOTS ?? 'target/screenshots');
const browserPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/// Starts a demo server (`args` added to `serve --demo`) and a browser; returns what a walk uses
/// and `finish()`, which stops both and exits 1 when a step failed.
export async function demo(args = [], portBase = 18000) {
  mkdirSync(shots, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'lz-browser-'));
  const port = portBase + Math.floor(Math.random() * 2000);
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(bin, ['serve', '--demo', ...args, '--bind', `127.0.0.1:${port}`], { cwd: work });
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
  async function login(user) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${base}/login`);
    await page.fill('input[name=username]', user);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForURL('**/home');
    return page;
  }
  async function finish() {
    await browser.close();
    server.kill();
    if (failed) { console.log(`${failed} browser step(s) failed`); process.exit(1); }
  }
  return { work, base, browser, step, login, finish };
}
