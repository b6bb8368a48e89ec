// The shell around every screen: navigation by role, the skip link,
// titles and focus, deep links through sign-in, and unknown addresses.
import assert from 'node:assert/strict';
import { eachDatabase, signIn, signOut, visible, waitForScreen } from './harness.mjs';

const navLinks = (page) =>
  page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link')
    .allInnerTexts()
    .then((l) => l.map((s) => s.trim()));

eachDatabase('shell: what the header offers depends on the role', async ({ start, browser }) => {
  const bureau = await start();
  const admin = await bureau.createUser({ role: 'admin' });
  const viewer = await bureau.createUser({ role: 'viewer', scope: 'office:occs' });

  const a = await browser();
  await signIn(a.page, admin.email, admin.password, { base: bureau.url });
  assert.deepEqual(await navLinks(a.page), ['Directory', 'Trash', 'Users', 'Roles', 'Audit log', 'My account']);
  const current = a.page.getByRole('navigation', { name: 'Main' }).locator('[aria-current="page"]');
  assert.equal((await current.innerText()).trim(), 'Directory');
  assert.equal(await a.page.title(), 'Directory · Bureau admin');

  // A second person, signed in at the same time in another browser.
  const v = await browser();
  await signIn(v.page, viewer.email, viewer.password, { base: bureau.url });
  assert.deepEqual(await navLinks(v.page), ['Directory', 'My account']);
  await visible(v.page.getByRole('button', { name: 'Sign out' }));

  // Signing one out leaves the other signed in.
  await signOut(v.page);
  await a.page.reload();
  assert.equal(await waitForScreen(a.page), 'Directory');
});

eachDatabase('shell: skip link, focus on each screen\'s heading, unknown addresses', async ({ start, browser }) => {
  const bureau = await start();
  const admin = await bureau.createUser({ role: 'admin' });
  const { page } = await browser();
  await signIn(page, admin.email, admin.password, { base: bureau.url });

  // The skip link is the first thing Tab reaches, and it moves focus to <main>.
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await page.goto(bureau.admin('/'));
  await waitForScreen(page, { heading: 'Directory' });
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  const first = await page.evaluate(() => {
    const focusable = document.querySelectorAll('a[href], button:not([disabled]), input, select, textarea, [tabindex]:not([tabindex="-1"])');
    return focusable[0]?.textContent?.trim();
  });
  assert.equal(first, 'Skip to main content');
  await skip.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  assert.ok(!page.url().includes('#'), `the skip link changed the address: ${page.url()}`);

  // Moving between screens puts focus on the new screen's h1 and names the tab after it.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  const users = await waitForScreen(page, { heading: /./ });
  assert.ok(new URL(page.url()).pathname === '/admin/users', page.url());
  assert.equal(await page.title(), `${users} · Bureau admin`);
  assert.equal(await page.locator('main h1').count(), 1);
  // Back returns to the directory, heading focused again.
  await page.goBack();
  assert.equal(await waitForScreen(page, { heading: 'Directory' }), 'Directory');

  await page.goto(bureau.admin('/no/such/screen'));
  assert.equal(await waitForScreen(page), 'Page not found');
  assert.equal(await page.title(), 'Page not found · Bureau admin');
  await page.getByRole('main').getByRole('link', { name: 'directory' }).click();
  assert.equal(await waitForScreen(page, { heading: 'Directory' }), 'Directory');
});

eachDatabase('shell: a deep link survives signing in, but never leads off the admin', async ({ start, browser }) => {
  const bureau = await start();
  const admin = await bureau.createUser({ role: 'admin' });
  const { page } = await browser();

  await page.goto(bureau.admin('/users?q=ada'));
  await waitForScreen(page, { heading: 'Sign in to Bureau' });
  const at = new URL(page.url());
  assert.equal(at.pathname, '/admin/signin');
  assert.equal(at.searchParams.get('next'), '/users?q=ada');
  await signIn(page, admin.email, admin.password);
  const there = new URL(page.url());
  assert.equal(there.pathname + there.search, '/admin/users?q=ada');

  await signOut(page);
  for (const next of ['//example.org/', 'https://example.org/']) {
    await page.goto(bureau.admin('/signin?next=' + encodeURIComponent(next)));
    await signIn(page, admin.email, admin.password);
    assert.equal(new URL(page.url()).origin, bureau.url);
    assert.equal(new URL(page.url()).pathname, '/admin/');
    await signOut(page);
  }
});
