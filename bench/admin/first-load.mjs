#!/usr/bin/env node
// The web admin's first load: how much JavaScript and CSS each screen costs
// a browser with an empty cache, and how long the directory takes to become
// usable, with the demo content and with bench/seed's large data set (1,000
// offices, 20,000 departments). Headless Chromium (Debian's) through the
// end-to-end harness; every server runs on 127.0.0.1 and is stopped at the end.
//
//   node bench/admin/first-load.mjs            # or: make bench-admin
//   BENCH_RUNS=9 node bench/admin/first-load.mjs
//   BENCH_LARGE=0 node bench/admin/first-load.mjs   # the demo content only
//
// Sizes: "gz" is the gzip -9 size of each file that the page requested,
// read from web-admin/dist (the .gz beside it, or gzip of the file when it
// is too small to have one); "sent" is what Chromium received for them
// (resource timing encodedBodySize: Bureau serves the .br when the browser
// accepts brotli, as Chromium does). "added" is what a screen loads beyond
// the directory's files. Times are the median of BENCH_RUNS page loads
// (performance.now() in the page, from navigation start): cold = HTTP cache
// cleared before each load, warm = assets from the cache. "usable" is when
// the first office row (a link to /admin/offices/…) is in the document.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bureauBin, openBrowser, REPO_DIR, signIn, startBureau, waitForScreen, WEB_ADMIN_DIR } from '../../web-admin/e2e/harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS || 5);
const LARGE = process.env.BENCH_LARGE !== '0';
const DIST = join(WEB_ADMIN_DIR, 'dist');
const started = Date.now();
const tmp = mkdtempSync(join(tmpdir(), 'bureau-bench-admin-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const log = (...a) => console.error(new Date().toISOString().slice(11, 19), ...a);

// ---- sizes from dist ------------------------------------------------------------

const missing = new Set();
function distSize(pathname) {
  const file = join(DIST, pathname.replace(/^\/admin\//, ''));
  if (!existsSync(file)) {
    missing.add(pathname);
    return { raw: 0, gz: 0 };
  }
  const raw = statSync(file).size;
  const gz = existsSync(file + '.gz') ? statSync(file + '.gz').size : gzipSync(readFileSync(file), { level: 9 }).length;
  return { raw, gz };
}

/** The JS and CSS among resource timing entries, with their sizes. */
function assets(entries) {
  const out = new Map();
  for (const e of entries) {
    const u = new URL(e.name);
    const kind = u.pathname.endsWith('.js') ? 'js' : u.pathname.endsWith('.css') ? 'css' : null;
    if (!kind || !u.pathname.startsWith('/admin/')) continue;
    out.set(u.pathname, { kind, sent: e.encodedBodySize, transfer: e.transferSize, ...distSize(u.pathname) });
  }
  return out;
}

function sum(files, kind) {
  let gz = 0;
  let sent = 0;
  let n = 0;
  for (const f of files.values()) {
    if (kind && f.kind !== kind) continue;
    gz += f.gz;
    sent += f.sent;
    n++;
  }
  return { gz, sent, n };
}

const kb = (b) => (b / 1024).toFixed(1);

// ---- the page -----------------------------------------------------------------------

// Marks, in each document, when the directory's heading got focus and when
// the first office row appeared.
function markers() {
  const seen = () => {
    if (window.__row === undefined && document.querySelector('main a[href*="/admin/offices/"]')) window.__row = performance.now();
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
  document.addEventListener('focusin', (e) => {
    if (window.__h1 === undefined && e.target instanceof Element && e.target.matches('main h1')) window.__h1 = performance.now();
  });
}

const entries = (page) =>
  page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => ({
      name: e.name,
      startTime: e.startTime,
      encodedBodySize: e.encodedBodySize,
      transferSize: e.transferSize,
    })),
  );

async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {});
}

let noRows = false;
async function loadTimes(page, cdp, url, cold) {
  const rows = [];
  const heads = [];
  let api = [];
  for (let i = 0; i < RUNS; i++) {
    if (cold) await cdp.send('Network.clearBrowserCache');
    await page.goto(url);
    const shown = await waitForScreen(page, { heading: 'Directory', timeout: 60_000 }).then(
      () => true,
      () => false,
    );
    if (!shown) {
      log(`the directory did not show within 60 s (${cold ? 'cold' : 'warm'} load ${i + 1})`);
      rows.push(null);
      heads.push(null);
      continue;
    }
    // A directory without office rows is given 15 s once, not on every load.
    const row = noRows
      ? null
      : await page
          .waitForFunction(() => window.__row, null, { timeout: 15_000 })
          .then((h) => h.jsonValue())
          .catch(() => ((noRows = true), null));
    heads.push(await page.evaluate(() => window.__h1));
    rows.push(row);
    if (i === 0) {
      api = (await entries(page))
        .filter((e) => new URL(e.name).pathname.startsWith('/api/') && (row === null || e.startTime < row))
        .map((e) => new URL(e.name).pathname + new URL(e.name).search);
    }
    await settle(page);
  }
  return { row: median(rows), heading: median(heads), api };
}

function median(xs) {
  if (xs.some((x) => x === null || x === undefined)) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// The JS and CSS of the sign-in screen, of the directory reached from it,
// and of each screen opened directly (signed in, empty cache).
async function measureSizes(bureau, page, cdp, admin, office, department) {
  log('measuring sizes');
  const sizes = [];
  await page.goto(bureau.admin('/signin'));
  await waitForScreen(page, { heading: 'Sign in to Bureau' });
  await settle(page);
  const signin = assets(await entries(page));
  sizes.push(['sign-in screen', signin, null]);
  const before = await page.evaluate(() => performance.now());
  await signIn(page, admin.email, admin.password);
  await settle(page);
  const afterSignIn = assets((await entries(page)).filter((e) => e.startTime >= before));
  sizes.push(['directory, after sign-in', new Map([...signin, ...afterSignIn]), afterSignIn]);

  const screens = [
    ['directory', '/'],
    ['edit (office)', `/offices/${office}`],
    ['edit (department)', `/departments/${department}`],
    ['new office', '/offices/new'],
    ['review', `/offices/${office}/review`],
    ['history', `/offices/${office}/history`],
    ['trash', '/trash'],
    ['users', '/users'],
    ['roles', '/roles'],
    ['audit log', '/audit'],
    ['my account', '/account'],
  ];
  let directory;
  for (const [label, path] of screens) {
    await cdp.send('Network.clearBrowserCache');
    await page.goto(bureau.admin(path));
    try {
      await waitForScreen(page, { timeout: 30_000 });
    } catch {
      log(`${label} (${path}): no heading took focus within 30 s; counted what had loaded`);
    }
    await settle(page);
    const files = assets(await entries(page));
    if (path === '/') directory = files;
    const added = new Map([...files].filter(([p]) => !directory.has(p)));
    sizes.push([`${label}, opened directly`, files, path === '/' ? null : added]);
  }
  return sizes;
}

// ---- one data set ---------------------------------------------------------------------

async function measure(name, prepare, { sizes: withSizes = true } = {}) {
  log(`\n${name}: starting bureau`);
  noRows = false;
  const bureau = await startBureau({ db: 'sqlite', prepare });
  const browser = await openBrowser();
  try {
    const admin = await bureau.createUser({ role: 'admin', email: 'bench@example.org' });
    const token = await bureau.login(admin.email, admin.password);
    const first = async (type) => (await bureau.api(`/api/v1/admin/${type}?limit=1`, { token })).json.data[0].id;
    const office = await first('offices');
    const department = await first('departments');
    const { context, page } = browser;
    await context.addInitScript(markers);
    const cdp = await context.newCDPSession(page);

    const sizes = withSizes ? await measureSizes(bureau, page, cdp, admin, office, department) : [];
    if (!withSizes) await signIn(page, admin.email, admin.password, { base: bureau.url });

    log(`timing ${RUNS} cold and ${RUNS} warm loads of the directory`);
    const times = {
      cold: await loadTimes(page, cdp, bureau.admin('/'), true),
      warm: await loadTimes(page, cdp, bureau.admin('/'), false),
    };
    return { name, sizes, times };
  } finally {
    await browser.close();
    await bureau.stop();
  }
}

// ---- run -------------------------------------------------------------------------------

const bin = bureauBin();
const results = [await measure('demo content (1 office, 7 departments)')];
if (LARGE) {
  const seedBin = join(tmp, 'seed');
  const b = spawnSync('go', ['build', '-o', seedBin, './bench/seed'], { cwd: REPO_DIR, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
  results.push(
    await measure('large data set (1,000 offices, 20,000 departments)', ({ env }) => {
      log('seeding 1,000 offices and 20,000 departments (about 25 s)');
      const t0 = Date.now();
      const r = spawnSync(seedBin, [], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`bench/seed failed:\n${r.stderr}`);
      log(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }, { sizes: false }),
  );
}

const out = [];
const say = (s = '') => out.push(s);
say(`# Web admin first load (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`);
const chromium = spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout.trim();
say(`binary: ${process.env.BUREAU_BIN ? bin : 'built from this tree'}; ${chromium}; ${RUNS} loads per time`);
say();
say('## JavaScript and CSS per screen, empty cache (KB; gz = gzip -9 from dist, sent = bytes received)');
say();
const head = ['screen', 'JS gz', 'CSS gz', 'total gz', 'sent', 'files', 'added gz'];
const w = [34, 7, 7, 9, 7, 6, 9];
const line = (cells) => '| ' + cells.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join(' | ') + ' |';
say(line(head));
say('|' + w.map((n, i) => (i === 0 ? '-'.repeat(n + 2) : '-'.repeat(n + 1) + ':')).join('|') + '|');
// Sizes do not depend on the data: measured with the demo content only.
for (const [label, files, added] of results[0].sizes) {
  const js = sum(files, 'js');
  const css = sum(files, 'css');
  const all = sum(files);
  say(line([label, kb(js.gz), kb(css.gz), kb(all.gz), kb(all.sent), all.n, added ? '+' + kb(sum(added).gz) : '']));
}
say();
say('## Time to a usable directory (ms from navigation start, median; signed in, session restored from the refresh cookie)');
say();
say('| data set | cold: heading | cold: first office row | warm: heading | warm: first office row |');
say('|---|---:|---:|---:|---:|');
const ms = (v) => (v === null || v === undefined ? 'n/a' : Math.round(v));
for (const r of results) {
  say(`| ${r.name} | ${ms(r.times.cold.heading)} | ${ms(r.times.cold.row)} | ${ms(r.times.warm.heading)} | ${ms(r.times.warm.row)} |`);
}
say();
say(`API requests before the first row (cold, ${results[0].name}): ${results[0].times.cold.api.join(', ') || 'none'}`);
if (results.some((r) => r.times.cold.row === null)) {
  say('n/a: the directory showed no link to an office (/admin/offices/…) within 15 s.');
}
if (missing.size) {
  say(`warning: requested files not in web-admin/dist (the binary embeds another build): ${[...missing].join(', ')}`);
}
say(`total time ${Math.round((Date.now() - started) / 1000)} s`);
console.log(out.join('\n'));
