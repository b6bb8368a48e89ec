// The end-to-end harness: a real `bureau serve` on a fresh database (SQLite
// or PostgreSQL), driven by Debian's Chromium through playwright-core, with
// every page watched for Content-Security-Policy reports and uncaught errors.
//
// Write a flow test as a file e2e/<something>.test.mjs:
//
//   import { eachDatabase, signIn, checkA11y } from './harness.mjs';
//
//   eachDatabase('an editor saves a summary', async ({ start, browser }) => {
//     const bureau = await start();                      // fresh database, demo content
//     const ed = await bureau.createUser({ role: 'editor', scope: 'office:occs' });
//     const { page } = await browser();                  // its own Chromium profile
//     await signIn(page, ed.email, ed.password, { base: bureau.url });
//     await checkA11y(page, 'directory');
//   });
//
// eachDatabase makes one node:test test per database ("name [sqlite]",
// "name [postgres]"; PostgreSQL is left out when BUREAU_E2E_SQLITE_ONLY=1).
// Everything started through its context is stopped after the test, the
// PostgreSQL schema dropped; the test fails if any page reported a CSP
// violation or an uncaught error; on failure the server's output and a
// screenshot of every open page are saved and their paths printed.
//
// Environment: BUREAU_BIN (the binary to test; built once per process from
// the repository when unset), BUREAU_TEST_POSTGRES_URL, BUREAU_E2E_SQLITE_ONLY,
// BUREAU_SCREENSHOTS=1 (screenshot() writes into docs/screenshots/),
// BUREAU_E2E_KEEP=1 (keep temp dirs and PostgreSQL schemas), BUREAU_E2E_HEADED=1.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const WEB_ADMIN_DIR = resolve(E2E_DIR, '..');
export const REPO_DIR = resolve(WEB_ADMIN_DIR, '..');

/** The databases every flow runs on. */
export const DATABASES = process.env.BUREAU_E2E_SQLITE_ONLY === '1' ? ['sqlite'] : ['sqlite', 'postgres'];
export const POSTGRES_URL =
  process.env.BUREAU_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable';
/** A password the server accepts (12+ characters, not a common one). */
export const PASSWORD = 'quiet-harbour-lantern-42';
/** The phone-sized viewport every screen must work at. */
export const MOBILE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };
const KEEP = process.env.BUREAU_E2E_KEEP === '1';

// ---- the binary ---------------------------------------------------------------

let builtBin;
/** bureauBin is the binary under test: $BUREAU_BIN, or one built once per process. */
export function bureauBin() {
  if (process.env.BUREAU_BIN) return resolve(process.env.BUREAU_BIN);
  if (!builtBin) {
    const dir = mkdtempSync(join(tmpdir(), 'bureau-e2e-bin-'));
    const out = join(dir, 'bureau');
    const r = spawnSync('go', ['build', '-o', out, './cmd/bureau'], { cwd: REPO_DIR, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`go build failed:\n${r.stderr || r.error}`);
    builtBin = out;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return builtBin;
}

// The server's environment: the caller's, less any BUREAU_* setting that
// would leak into the test (an outer BUREAU_DATABASE_URL, say).
function baseEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BUREAU_')) env[k] = v;
  return env;
}

function run(cmd, args, { env, input, cwd } = {}) {
  const r = spawnSync(cmd, args, { env, input, cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

function psql(url, sql) {
  return run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { env: process.env });
}

// ---- the server ---------------------------------------------------------------

let lastBureau;

/**
 * startBureau runs `bureau serve` on a free 127.0.0.1 port with a fresh
 * database and resolves once /readyz answers 200.
 *
 * @param {object} [o]
 * @param {'sqlite'|'postgres'} [o.db]
 * @param {Record<string,string>} [o.env] extra BUREAU_* settings for serve and the CLI
 * @param {boolean} [o.demo] load the demo content (default true; SQLite always has it,
 *   as serve loads it into every new embedded database)
 * @param {(d: {databaseURL: string, env: Record<string,string>, cli: Function}) => unknown} [o.prepare]
 *   runs before serve starts, e.g. to load bench/seed's large data set (serve then
 *   loads no demo content into the SQLite database, which is no longer empty)
 */
export async function startBureau({ db = 'sqlite', env = {}, demo = true, prepare } = {}) {
  const dir = mkdtempSync(join(tmpdir(), `bureau-e2e-${db}-`));
  let databaseURL;
  let schema;
  if (db === 'sqlite') {
    databaseURL = `sqlite:${join(dir, 'bureau.db')}`;
  } else if (db === 'postgres') {
    schema = 'e2e_' + randomBytes(6).toString('hex');
    psql(POSTGRES_URL, `CREATE SCHEMA "${schema}"`);
    const u = new URL(POSTGRES_URL);
    u.searchParams.set('search_path', schema);
    databaseURL = u.toString();
  } else {
    throw new Error(`startBureau: db must be 'sqlite' or 'postgres', not ${db}`);
  }
  const cliEnv = { ...baseEnv(), BUREAU_DATABASE_URL: databaseURL, BUREAU_DATA_DIR: dir, BUREAU_LOG_LEVEL: 'warn', ...env };
  const bin = bureauBin();
  const cli = (args, { input } = {}) => run(bin, args, { env: cliEnv, input, cwd: dir });
  const dropSchema = () => {
    if (schema && !KEEP) {
      try {
        psql(POSTGRES_URL, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } catch (e) {
        process.stderr.write(`warning: could not drop schema ${schema}: ${e.message}\n`);
      }
    }
  };
  try {
    if (prepare) await prepare({ databaseURL, env: cliEnv, cli });
    if (db === 'postgres' && demo) cli(['seed', 'demo']);
  } catch (e) {
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
    dropSchema();
    throw e;
  }

  const serveEnv = { ...cliEnv, BUREAU_ADDR: '127.0.0.1:0', BUREAU_LOG_LEVEL: 'info', ...env };
  let child;
  let stdout = '';
  let stderr = '';
  let exit = null;
  let exited;
  let stopped = false;
  let launches = 0;

  // launch starts serve on the database and waits until it is ready. A
  // fresh database has no account, so the first launch prints the setup link.
  async function launch() {
    launches++;
    stdout = '';
    exit = null;
    bureau.url = '';
    child = spawn(bin, ['serve'], { env: serveEnv, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    bureau.process = child;
    child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
    exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
    exited.then((e) => (exit = e));
    const deadline = Date.now() + 60_000;
    while (!bureau.url) {
      if (exit) throw new Error(`bureau serve exited (${exit.code ?? exit.signal}):\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`bureau serve printed no address in 60 s:\n${stdout}\n${stderr}`);
      const m = stdout.match(/^Bureau is serving (http:\/\/\S+)/m);
      if (m) bureau.url = m[1];
      else await sleep(20);
    }
    await waitFor(async () => {
      if (exit) throw new Error(`bureau serve exited (${exit.code ?? exit.signal}):\n${stderr}`);
      const r = await fetch(bureau.url + '/readyz').catch(() => null);
      return r?.status === 200;
    }, 'GET /readyz to answer 200', 60_000);
    if (launches === 1) await waitFor(() => /\/admin\/setup#\S+\n/.test(stdout), 'the setup link on stdout', 5_000);
  }

  async function halt() {
    if (child && !exit) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    }
  }

  const bureau = {
    db,
    dir,
    databaseURL,
    schema,
    /** The running serve process (a ChildProcess). */
    process: null,
    /** The server's address, e.g. http://127.0.0.1:41234 */
    url: '',
    /** What the running serve printed on stdout; all of stderr since the start. */
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    /** The one-time first-run link serve printed (http://…/admin/setup#token). */
    get setupLink() {
      const m = stdout.match(/http:\/\/\S+\/admin\/setup#\S+/);
      if (!m) throw new Error(`bureau serve printed no setup link:\n${stdout}`);
      return m[0];
    },
    /** admin(path) is the URL of an admin screen: admin('/offices/1'). */
    admin(path = '/') {
      return this.url + '/admin' + (path === '/' ? '/' : path);
    },
    /** Runs the bureau CLI on this server's database; returns its stdout. */
    cli,
    /**
     * Creates an account through `bureau users create` and waits until the
     * running server grants it (SQLite carries grant changes to serve within
     * about a second). Returns { email, password, role, scope, name }.
     */
    async createUser({ email, role = 'editor', scope = '*', name = '', password = PASSWORD } = {}) {
      email ??= `${role}-${randomBytes(3).toString('hex')}@example.org`;
      const args = ['users', 'create', '--email', email, '--role', role, '--scope', scope, '--password-stdin'];
      if (name) args.push('--name', name);
      cli(args, { input: password + '\n' });
      const token = await this.login(email, password);
      await waitFor(async () => {
        const me = await this.api('/api/v1/auth/me', { token });
        return me.status === 200 && me.json.data.permissions.length > 0;
      }, `the server to see the grant of ${email}`);
      return { email, password, role, scope, name };
    },
    /** Signs in through the API; resolves to an access token. */
    async login(email, password = PASSWORD) {
      const r = await this.api('/api/v1/auth/login', { method: 'POST', body: { email, password } });
      if (r.status !== 200) throw new Error(`sign-in of ${email} answered ${r.status}: ${r.text}`);
      return r.json.access_token;
    },
    /** A request to this server from Node; see apiRequest. */
    api(path, options) {
      return apiRequest(this.url + path, options);
    },
    /** The public API: bureau.publicAPI('/offices/occs') reads /api/v1/offices/occs. */
    async publicAPI(path) {
      const r = await apiRequest(this.url + '/api/v1' + path);
      if (r.status !== 200) throw new Error(`GET /api/v1${path} answered ${r.status}: ${r.text}`);
      return r.json;
    },
    /** Stops serve (SIGTERM, then SIGKILL after 20 s) and removes its database. */
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      dropSchema();
      if (!KEEP) rmSync(dir, { recursive: true, force: true });
    },
    /**
     * Stops serve (SIGTERM, as systemd would) and starts it again on the
     * same database: a new port, so read bureau.url again.
     */
    async restart() {
      await halt();
      stderr += '\n--- restart ---\n';
      await launch();
    },
    /** The exit of the last serve process, once it ended: { code, signal }. */
    get exit() {
      return exit;
    },
    /** Saves stdout and stderr into dir; returns their paths. */
    saveLogs(into) {
      mkdirSync(into, { recursive: true });
      const out = join(into, `bureau-${db}.stdout.txt`);
      const err = join(into, `bureau-${db}.stderr.txt`);
      writeFileSync(out, stdout);
      writeFileSync(err, stderr);
      return [out, err];
    },
  };

  try {
    await launch();
  } catch (e) {
    await bureau.stop();
    throw e;
  }
  lastBureau = bureau;
  return bureau;
}

/**
 * apiRequest sends one request from Node: JSON in, JSON (or text) out.
 * Resolves to { status, headers, json, text } and never throws on an HTTP status.
 *
 * @param {string} url
 * @param {{method?: string, token?: string, body?: unknown, headers?: Record<string,string>}} [o]
 */
export async function apiRequest(url, { method = 'GET', token, body, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] ??= 'application/json';
  const r = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, json, text };
}

// ---- the browser --------------------------------------------------------------

export const CHROMIUM = process.env.BUREAU_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Runs in every page before its own scripts: CSP reports go to a window
// array (readable with page.evaluate) and, through the binding, to Node,
// so reports made just before a navigation are not lost.
function cspInitScript() {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    const report = {
      directive: e.effectiveDirective || e.violatedDirective,
      blocked: e.blockedURI,
      source: e.sourceFile,
      line: e.lineNumber,
      sample: e.sample,
      url: document.location.href,
    };
    window.__cspViolations.push(report);
    if (typeof window.__bureauCspReport === 'function') window.__bureauCspReport(report);
  });
}

// Runs in every page too: remembers which <main> h1 took focus after the
// latest change of path, for waitForScreen. A screen may move focus on
// (to a list, say) once its data is in; the record stays.
function screenInitScript() {
  window.__bureauNavSeq = 0;
  window.__bureauHeading = null;
  let path = location.pathname;
  const moved = () => {
    if (location.pathname !== path) {
      path = location.pathname;
      window.__bureauNavSeq++;
    }
  };
  for (const m of ['pushState', 'replaceState']) {
    const original = history[m];
    history[m] = function (...args) {
      const r = original.apply(this, args);
      moved();
      return r;
    };
  }
  window.addEventListener('popstate', moved, true);
  document.addEventListener(
    'focusin',
    (e) => {
      if (e.target instanceof Element && e.target.matches('main h1')) {
        window.__bureauHeading = { el: e.target, seq: window.__bureauNavSeq };
      }
    },
    true,
  );
}

/**
 * openBrowser launches Chromium with a profile of its own: each call is an
 * independent user (own cookies, own session).
 *
 * @param {{viewport?: {width:number,height:number}, mobile?: boolean}} [o]
 * @returns {Promise<Browser>}
 */
export async function openBrowser({ viewport, mobile = false } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'bureau-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: process.env.BUREAU_E2E_HEADED !== '1',
    args: CHROMIUM_ARGS,
    viewport: viewport ?? (mobile ? MOBILE : DESKTOP),
    locale: 'en-US',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(20_000);
  /** @type {{kind: string, text: string, url: string}[]} */
  const problems = [];
  let allowPageErrors = false;
  await context.exposeBinding('__bureauCspReport', ({ page }, r) => {
    problems.push({
      kind: 'CSP violation',
      text: `${r.directive} blocked ${r.blocked || '(inline)'}${r.source ? ` at ${r.source}:${r.line}` : ''}${r.sample ? ` sample ${JSON.stringify(r.sample)}` : ''}`,
      url: r.url || page?.url(),
    });
  });
  await context.addInitScript(cspInitScript);
  await context.addInitScript(screenInitScript);
  const watch = (page) => {
    page.on('console', (msg) => {
      if (/Content[- ]Security[- ]Policy/i.test(msg.text())) {
        problems.push({ kind: 'CSP console message', text: msg.text(), url: page.url() });
      }
    });
    page.on('pageerror', (err) => {
      if (!allowPageErrors) problems.push({ kind: 'uncaught error', text: err.stack || String(err), url: page.url() });
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);

  let closed = false;
  const browser = {
    context,
    /** The first tab. */
    page: context.pages()[0] ?? (await context.newPage()),
    /** Another tab of the same user (same cookies). */
    newPage: () => context.newPage(),
    /** CSP reports, CSP console messages and uncaught errors seen so far. */
    problems,
    /** Uncaught page errors are expected for a while (say, a test of an error screen). */
    set allowPageErrors(v) {
      allowPageErrors = v;
    },
    /** Fails if any page reported a CSP violation or an uncaught error. */
    assertClean() {
      if (problems.length) {
        const list = problems.map((p) => `  - ${p.kind} on ${p.url}: ${p.text}`).join('\n');
        problems.length = 0;
        assert.fail(`the browser reported ${list.split('\n  - ').length} problem(s):\n${list}`);
      }
    },
    /** Screenshots of every open page into dir (for failures); returns their paths. */
    async saveScreenshots(dir, prefix) {
      mkdirSync(dir, { recursive: true });
      const paths = [];
      for (const [i, p] of context.pages().entries()) {
        const path = join(dir, `${prefix}-tab${i + 1}.png`);
        try {
          await p.screenshot({ path, fullPage: true, timeout: 5_000 });
          paths.push(`${path} (${p.url()})`);
        } catch {
          // a crashed or closing page has no picture
        }
      }
      return paths;
    },
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      if (!KEEP) rmSync(profile, { recursive: true, force: true });
    },
  };
  return browser;
}

// ---- one test per database ------------------------------------------------------

/**
 * eachDatabase declares `name [sqlite]` and `name [postgres]`. fn gets
 * { t, db, start(options), browser(options) }: start is startBureau on this
 * test's database, browser is openBrowser; both are cleaned up after the
 * test, and every browser must end clean (no CSP report, no uncaught error).
 *
 * @param {string} name
 * @param {(ctx: {t: import('node:test').TestContext, db: string,
 *   start: (o?: object) => ReturnType<typeof startBureau>,
 *   browser: (o?: object) => ReturnType<typeof openBrowser>}) => Promise<void>} fn
 * @param {import('node:test').TestOptions} [options]
 */
export function eachDatabase(name, fn, options = {}) {
  for (const db of DATABASES) {
    test(`${name} [${db}]`, { timeout: 180_000, ...options }, (t) => runScenario(t, db, fn));
  }
}

async function runScenario(t, db, fn) {
  const servers = [];
  const browsers = [];
  const ctx = {
    t,
    db,
    start: async (o = {}) => {
      const b = await startBureau({ db, ...o });
      servers.push(b);
      return b;
    },
    browser: async (o = {}) => {
      const b = await openBrowser(o);
      browsers.push(b);
      return b;
    },
  };
  let failure;
  try {
    await fn(ctx);
    for (const b of browsers) b.assertClean();
  } catch (e) {
    failure = e;
    const dir = join(tmpdir(), 'bureau-e2e-failures', slug(t.name));
    const saved = [];
    for (const [i, b] of browsers.entries()) saved.push(...(await b.saveScreenshots(dir, `browser${i + 1}`)));
    for (const s of servers) saved.push(...s.saveLogs(dir));
    if (saved.length) t.diagnostic('saved for the failure:');
    for (const p of saved) t.diagnostic('  ' + p);
    for (const p of browsers.flatMap((b) => b.problems)) t.diagnostic(`browser problem: ${p.kind} on ${p.url}: ${p.text}`);
  } finally {
    for (const b of browsers.reverse()) await b.close();
    for (const s of servers.reverse()) await s.stop();
  }
  if (failure) throw failure;
}

function slug(s) {
  return s.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
}

// ---- page helpers -----------------------------------------------------------------

/**
 * waitForScreen resolves once an admin navigation has settled: the new
 * screen's h1 took focus (App.svelte moves it there after every change of
 * path; the screen may have moved it on since). With heading (a string or
 * a RegExp), only that screen's h1 counts. Resolves to the heading's text.
 */
export async function waitForScreen(page, { heading, timeout = 10_000 } = {}) {
  const want = heading instanceof RegExp ? { source: heading.source, flags: heading.flags } : heading;
  await page.waitForFunction(
    (want) => {
      const h = document.querySelector('main h1');
      const f = window.__bureauHeading;
      if (!h || !f || f.el !== h || f.seq !== window.__bureauNavSeq) return false;
      const text = h.textContent.trim();
      if (want === undefined) return true;
      return typeof want === 'string' ? text === want : new RegExp(want.source, want.flags).test(text);
    },
    want,
    { timeout },
  );
  return (await page.locator('main h1').innerText()).trim();
}

/**
 * visible waits until the locator shows (10 s at most) and returns it:
 *   await visible(page.getByRole('alert').filter({ hasText: 'not correct' }));
 */
export async function visible(locator, { timeout } = {}) {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator;
}

/** alertText waits for the page's alert (role=alert) and returns its text. */
export async function alertText(page) {
  const alert = page.getByRole('alert');
  await alert.first().waitFor({ state: 'visible' });
  return (await alert.first().innerText()).trim();
}

/** The heading of the current screen (its one h1). */
export function heading(page) {
  return page.locator('main h1');
}

/**
 * signIn signs in through the sign-in screen and waits for the screen it
 * leads to. base is the server's URL; it defaults to the page's origin, or
 * the last server started.
 */
export async function signIn(page, email, password = PASSWORD, { base } = {}) {
  const here = page.url().startsWith('http') ? new URL(page.url()) : null;
  base ??= here?.origin ?? lastBureau?.url;
  if (!base) throw new Error('signIn: no server; pass { base: bureau.url }');
  if (!here || here.origin !== new URL(base).origin || !here.pathname.endsWith('/admin/signin')) {
    await page.goto(base + '/admin/signin');
  }
  await visible(page.getByRole('heading', { level: 1, name: 'Sign in to Bureau' }));
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const signedIn = page.waitForURL((u) => !u.pathname.endsWith('/admin/signin'), { timeout: 10_000 }).then(() => 'ok');
  const refused = page
    .getByRole('alert')
    .waitFor({ timeout: 10_000 })
    .then(() => 'alert');
  const outcome = await Promise.race([signedIn, refused]);
  signedIn.catch(() => {});
  refused.catch(() => {});
  if (outcome === 'alert') {
    throw new Error(`sign-in of ${email} was refused: ${await page.getByRole('alert').innerText()}`);
  }
  return waitForScreen(page);
}

/** signOut uses the header's Sign out button (opening the Menu on small screens) and waits until the server ended the session. */
export async function signOut(page) {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  // Wait for the server to end the session too: a page load that cuts the
  // request short would leave the refresh cookie valid.
  const ended = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/logout');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await ended;
  await page.waitForURL((u) => u.pathname.endsWith('/admin/signin'));
  await waitForScreen(page, { heading: 'Sign in to Bureau' });
}

/** Fails when the page scrolls sideways (wider than the viewport). */
export async function noSidewaysScroll(page, label = page.url()) {
  const { scrollWidth, innerWidth, culprits } = await page.evaluate(() => {
    const w = window.innerWidth;
    // The innermost elements reaching past the right edge (their box or
    // their overflowing content), which is where a fix belongs.
    const past = (el) => el.getBoundingClientRect().left + Math.max(el.getBoundingClientRect().width, el.scrollWidth) > w + 1;
    const name = (el) =>
      el.tagName.toLowerCase() +
      (el.id ? '#' + el.id : '') +
      (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
    const culprits = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (culprits.length >= 5) break;
      if (past(el) && ![...el.children].some(past)) culprits.push(`${name(el)} (${Math.round(el.getBoundingClientRect().left + Math.max(el.getBoundingClientRect().width, el.scrollWidth))}px)`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: w, culprits };
  });
  assert.ok(
    scrollWidth <= innerWidth,
    `${label} scrolls sideways: ${scrollWidth}px wide in a ${innerWidth}px window; widest: ${culprits.join(', ')}`,
  );
}

const AXE_SOURCE = join(WEB_ADMIN_DIR, 'node_modules', 'axe-core', 'axe.min.js');
let axeSource;
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * checkA11y runs axe-core (WCAG 2.1 A and AA, and best practices) on the
 * page as it is now and fails with a readable list of what it found.
 * Injected through page.evaluate, which the page's CSP does not govern.
 *
 * @param {import('playwright-core').Page} page
 * @param {string} label what is being checked, for the message
 * @param {{include?: string[], exclude?: string[], disableRules?: string[]}} [o]
 */
export async function checkA11y(page, label, { include, exclude, disableRules = [] } = {}) {
  axeSource ??= readFileSync(AXE_SOURCE, 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  await page.evaluate(() => document.fonts?.ready);
  const results = await page.evaluate(
    async ({ tags, include, exclude, disableRules }) => {
      const context = include || exclude ? { include: include ?? [document], exclude: exclude ?? [] } : document;
      const rules = Object.fromEntries(disableRules.map((r) => [r, { enabled: false }]));
      const r = await window.axe.run(context, { runOnly: { type: 'tag', values: tags }, rules, resultTypes: ['violations'] });
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
      }));
    },
    { tags: AXE_TAGS, include, exclude, disableRules },
  );
  if (results.length) {
    const text = results
      .map(
        (v) =>
          `  - ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n` +
          v.nodes.map((n) => `      at ${n.target}: ${n.html.slice(0, 160)}\n        ${(n.summary ?? '').replace(/\n/g, '\n        ')}`).join('\n'),
      )
      .join('\n');
    assert.fail(`axe-core found ${results.length} accessibility problem(s) on ${label} (${page.url()}):\n${text}`);
  }
}

const SCREENSHOT_DIR = process.env.BUREAU_SCREENSHOTS === '1'
  ? join(REPO_DIR, 'docs', 'screenshots')
  : join(tmpdir(), 'bureau-e2e-screenshots');

/**
 * screenshot saves the page as <name>.png: into docs/screenshots/ when
 * BUREAU_SCREENSHOTS=1 (the README shows them), otherwise into a temp dir.
 * Returns the path.
 */
export async function screenshot(page, name, { fullPage = false } = {}) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage, animations: 'disabled', caret: 'hide' });
  return path;
}

// ---- small things -------------------------------------------------------------

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** waitFor polls cond (sync or async) until it is truthy; fails after timeout ms. */
export async function waitFor(cond, what = 'a condition', timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** True when Chromium is where the harness looks for it. */
export function haveChromium() {
  return existsSync(CHROMIUM);
}
