// First run: the setup link that `bureau serve` prints on a new database
// creates the first administrator, once; then sign-out, a wrong password,
// and signing in again.
import assert from 'node:assert/strict';
import { alertText, eachDatabase, heading, signIn, signOut, visible, waitForScreen } from './harness.mjs';

const admin = { email: 'ada@example.org', name: 'Ada Lovelace', password: 'Analytical engines weave 1843' };

async function fillSetup(page, { email, name = '', password, confirm = password }) {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Your name (optional)').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Password again').fill(confirm);
  await page.getByRole('button', { name: 'Create administrator' }).click();
}

eachDatabase('first run: the setup link creates the first admin, once', async ({ start, browser }) => {
  const bureau = await start();
  const link = bureau.setupLink;
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/admin\/setup#[A-Za-z0-9_-]{20,}$/);
  const { page } = await browser();

  // Opened without the token first, then the link pasted into the same tab:
  // only the part after "#" changes, which loads nothing, and the page must
  // still take the token.
  await page.goto(bureau.admin('/setup'));
  await waitForScreen(page, { heading: 'Set up Bureau' });
  await visible(page.getByText('This page needs the setup link'));
  await page.goto(link);
  await visible(page.getByLabel('Email address'));
  // The token leaves the address bar at once (and so the history).
  assert.equal(await page.evaluate(() => location.hash), '');
  assert.ok(page.url().endsWith('/admin/setup'), page.url());

  // Checked in the browser first: the fields say what is wrong.
  await fillSetup(page, { email: '', password: 'short', confirm: 'other' });
  assert.equal(await alertText(page), 'Please correct the fields marked below.');
  await visible(page.getByText('Enter an email address.'));
  await visible(page.getByText('Use at least 12 characters.'));
  await visible(page.getByText('The two passwords are not the same.'));
  assert.equal(await page.getByLabel('Email address').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Password again').getAttribute('aria-describedby'), 'setup-confirm-error');

  // Refused by the server: its message lands on the field, the link still works.
  await fillSetup(page, { email: admin.email, password: 'aaaaaaaaaaaaaaaa' });
  assert.equal(await alertText(page), 'Please correct the fields marked below.');
  await visible(page.locator('#setup-password-error'));
  assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');

  await fillSetup(page, admin);
  assert.equal(await waitForScreen(page, { heading: 'Directory' }), 'Directory');
  assert.equal(new URL(page.url()).pathname, '/admin/');
  assert.ok(!page.url().includes('#'), `the token is back in the address bar: ${page.url()}`);
  assert.equal(await page.title(), 'Directory · Bureau admin');
  await visible(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }));

  // The account is a real admin of the API.
  const token = await bureau.login(admin.email, admin.password);
  const me = await bureau.api('/api/v1/auth/me', { token });
  assert.equal(me.json.data.user.email, admin.email);
  assert.equal(me.json.data.user.display_name, admin.name);
  assert.deepEqual(me.json.data.grants.map((g) => [g.role, g.scope]), [['admin', '*']]);

  // A reload keeps the session (the refresh cookie).
  await page.reload();
  await waitForScreen(page, { heading: 'Directory' });
  await visible(page.getByRole('button', { name: 'Sign out' }));

  await signOut(page);
  // Signed out means signed out: the directory sends back to sign-in.
  await page.goto(bureau.admin('/'));
  await waitForScreen(page, { heading: 'Sign in to Bureau' });

  await page.getByLabel('Email address').fill(admin.email);
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  assert.equal(await alertText(page), 'The email address or password is not correct.');
  assert.ok(new URL(page.url()).pathname.endsWith('/admin/signin'));

  assert.equal(await signIn(page, admin.email, admin.password), 'Directory');

  // The link works once: in another browser it is refused, and so is the API call.
  const other = await browser();
  await other.page.goto(link);
  await waitForScreen(other.page, { heading: 'Set up Bureau' });
  await fillSetup(other.page, { email: 'mallory@example.org', password: 'another long password 99' });
  assert.equal(
    await alertText(other.page),
    'This setup link is not valid any more: it was already used, or an administrator exists. Sign in instead.',
  );
  const again = await bureau.api('/api/v1/auth/setup', {
    method: 'POST',
    body: { token: decodeURIComponent(new URL(link).hash.slice(1)), email: 'eve@example.org', password: 'yet another long password' },
  });
  assert.ok(again.status === 403 || again.status === 409, `setup answered ${again.status} the second time`);
  // Without a token the screen explains where the link comes from.
  await other.page.goto(bureau.admin('/signin'));
  await waitForScreen(other.page, { heading: 'Sign in to Bureau' });
  await other.page.goto(bureau.admin('/setup'));
  await waitForScreen(other.page, { heading: 'Set up Bureau' });
  await visible(other.page.getByText('This page needs the setup link'));
  assert.equal(await other.page.getByRole('button', { name: 'Create administrator' }).count(), 0);

  // Still only one account, and the first admin's session is untouched.
  await page.reload();
  await waitForScreen(page, { heading: 'Directory' });
  assert.equal(await heading(page).innerText(), 'Directory');
});

eachDatabase('first run: after a restart with an account, no setup link; sessions survive', async ({ start, browser }) => {
  const bureau = await start();
  const spent = decodeURIComponent(new URL(bureau.setupLink).hash.slice(1));
  const first = await bureau.createUser({ email: 'first@example.org', role: 'admin' });
  const { page } = await browser();
  await signIn(page, first.email, first.password, { base: bureau.url });

  await bureau.restart();
  assert.doesNotMatch(bureau.stdout, /No user exists yet|\/admin\/setup#/);
  assert.throws(() => bureau.setupLink, /printed no setup link/);
  const r = await bureau.api('/api/v1/auth/setup', {
    method: 'POST',
    body: { token: spent, email: 'x@example.org', password: 'a long enough password' },
  });
  assert.ok(r.status === 403 || r.status === 409, `setup answered ${r.status} after the restart`);

  // The refresh cookie belongs to 127.0.0.1 whatever the port: the session
  // outlives the restart.
  await page.goto(bureau.admin('/'));
  assert.equal(await waitForScreen(page), 'Directory');
});
