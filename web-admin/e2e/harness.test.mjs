// The harness itself: its guards must catch what they are there to catch,
// or every green run means nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkA11y, noSidewaysScroll, openBrowser, startBureau, waitFor, waitForScreen } from './harness.mjs';

test('harness: the CSP guard, axe-core and the sideways-scroll check catch real problems', async () => {
  const bureau = await startBureau({ db: 'sqlite' });
  const browser = await openBrowser({ viewport: { width: 390, height: 844 } });
  try {
    const { page } = browser;
    await page.goto(bureau.admin('/signin'));
    await waitForScreen(page, { heading: 'Sign in to Bureau' });
    browser.assertClean();

    // An inline style attribute, as a careless library would add.
    await page.evaluate(() => {
      const d = document.createElement('div');
      d.setAttribute('style', 'color: red');
      document.body.append(d);
    });
    await assert.rejects(
      async () => {
        await waitFor(() => browser.problems.some((p) => p.kind === 'CSP violation'), 'the CSP report', 2_000).catch(() => {});
        browser.assertClean();
      },
      /CSP violation on .*style-src/,
    );
    browser.assertClean(); // reported once, then cleared

    // A report made just before a full navigation still reaches Node.
    await page.evaluate(() => {
      const d = document.createElement('div');
      d.setAttribute('style', 'color: blue');
      document.body.append(d);
      location.reload();
    });
    await waitForScreen(page, { heading: 'Sign in to Bureau' });
    await waitFor(() => browser.problems.some((p) => p.kind === 'CSP violation'), 'the CSP report', 2_000);
    assert.throws(() => browser.assertClean(), /CSP violation/);

    // An uncaught error in the page.
    await page.evaluate(() => setTimeout(() => { throw new Error('boom from the page'); }));
    await new Promise((r) => setTimeout(r, 200));
    assert.throws(() => browser.assertClean(), /uncaught error.*boom from the page/s);

    await checkA11y(page, 'the sign-in screen');
    await page.evaluate(() => document.querySelector('main').append(document.createElement('input')));
    await assert.rejects(checkA11y(page, 'a screen with an unlabelled input'), /label/);

    await noSidewaysScroll(page);
    await page.evaluate(() => {
      const wide = document.createElement('pre');
      wide.textContent = 'x'.repeat(400);
      wide.className = 'far-too-wide';
      document.querySelector('main').append(wide);
    });
    await assert.rejects(noSidewaysScroll(page, 'a wide screen'), /scrolls sideways.*far-too-wide/);
    browser.assertClean();
  } finally {
    await browser.close();
    await bureau.stop();
  }
});

test('harness: the API helpers and the CLI reach the same database as the server', async () => {
  const bureau = await startBureau({ db: 'sqlite' });
  try {
    const occs = await bureau.publicAPI('/offices/occs');
    assert.equal(occs.data?.slug ?? occs.slug, 'occs');
    const ed = await bureau.createUser({ role: 'editor', scope: 'office:occs', name: 'Ed Itor' });
    const token = await bureau.login(ed.email, ed.password);
    const me = await bureau.api('/api/v1/auth/me', { token });
    assert.deepEqual(me.json.data.grants.map((g) => [g.role, g.scope]), [['editor', 'office:occs']]);
    assert.equal((await bureau.api('/api/v1/auth/me')).status, 401);
  } finally {
    await bureau.stop();
  }
});
