// The API docs page (/api/docs, handlers/docs.html) meets the admin's bar:
// axe-core finds nothing at desktop and phone width, with every example
// open too; nothing scrolls sideways at 390 px; its hash-based CSP blocks
// nothing the page itself needs.
//
// Self-contained on purpose: it builds (or takes $BUREAU_BIN) and starts its
// own `bureau serve` on a free port with a temporary SQLite database.
//
//   node --test e2e/docs-page.test.mjs
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const AXE = readFileSync(resolve(HERE, '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const CHROMIUM = process.env.BUREAU_CHROMIUM || process.env.CHROMIUM || '/usr/bin/chromium';
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

let dir, server, base, browser;
let serverOutput = '';

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function binary() {
  if (process.env.BUREAU_BIN) return resolve(process.env.BUREAU_BIN);
  const out = join(dir, 'bureau');
  const r = spawnSync('go', ['build', '-o', out, './cmd/bureau'], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`go build failed:\n${r.stderr || r.error}`);
  return out;
}

async function waitReady(url, child) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`bureau exited (${child.exitCode}):\n${serverOutput}`);
    try {
      const res = await fetch(url + '/readyz');
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`bureau never became ready:\n${serverOutput}`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bureau-docs-page-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BUREAU_')) env[k] = v;
  Object.assign(env, {
    BUREAU_ADDR: `127.0.0.1:${port}`,
    BUREAU_DATABASE_URL: 'sqlite:' + join(dir, 'bureau.db'),
    BUREAU_DATA_DIR: dir,
    BUREAU_LOG_LEVEL: 'warn',
  });
  server = spawn(binary(), ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (b) => (serverOutput += b));
  server.stderr.on('data', (b) => (serverOutput += b));
  await waitReady(base, server);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// open loads the docs page at a viewport and waits until it has rendered the
// document; it collects CSP violations and page errors as they happen.
async function open(viewport) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push('console error: ' + m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  const res = await page.goto(base + '/api/docs');
  assert.equal(res.status(), 200);
  await page.waitForSelector('#schemas .schema');
  return { context, page, problems };
}

// axe runs axe-core in the page (evaluated through the DevTools protocol, so
// the page's CSP needs no loosening) and returns its violations.
async function axe(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, example: v.nodes[0]?.html }));
  });
}

for (const [name, viewport] of Object.entries(VIEWPORTS)) {
  test(`the API docs page at ${name} width (${viewport.width} px): no axe violations, no sideways scrolling`, async () => {
    const { context, page, problems } = await open(viewport);
    try {
      assert.deepEqual(await axe(page), [], 'axe violations as the page loads');

      // Every example open: every <pre> is on screen, and still passes.
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
      assert.deepEqual(await axe(page), [], 'axe violations with every example open');

      const widths = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      assert.ok(widths.scroll <= viewport.width, `the page is ${widths.scroll} px wide in a ${viewport.width} px window`);

      // Scrollable examples are reachable by keyboard, each with its own name.
      const pres = await page.evaluate(() =>
        [...document.querySelectorAll('pre')].map((p) => ({ tab: p.tabIndex, label: p.getAttribute('aria-label') })),
      );
      assert.ok(pres.length > 20, `only ${pres.length} examples rendered`);
      for (const p of pres) assert.ok(p.tab === 0 && p.label, `an example without tabindex=0 and a label: ${JSON.stringify(p)}`);
      assert.equal(new Set(pres.map((p) => p.label)).size, pres.length, 'two examples share a label');

      // The filter narrows the operations.
      await page.getByLabel('Filter operations').fill('setup');
      const shown = await page.evaluate(() => [...document.querySelectorAll('section.op:not(.hidden)')].map((s) => s.id));
      assert.deepEqual(shown, ['op-setup']);

      assert.deepEqual(problems, [], 'CSP violations or errors in the page');
    } finally {
      await context.close();
    }
  });
}

test('the docs page CSP allows only its own inline script and style, by hash', async () => {
  const res = await fetch(base + '/api/docs');
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
  assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/=]+'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /frame-ancestors 'none'/);
});
