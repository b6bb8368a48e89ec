// Administration: the first admin (through the setup link) creates an
// account in the Users screen, gives it a role in one department with the
// role and scope pickers, and the new person signs in (another browser) and
// sees only that department; deactivating the account ends their session.
// Then the Roles and Audit screens, and My account (name and password).
import assert from 'node:assert/strict';
import { alertText, eachDatabase, signIn, signOut, visible, waitFor, waitForScreen } from './harness.mjs';

const admin = { email: 'ada@example.org', name: 'Ada Lovelace', password: 'Analytical engines weave 1843' };
const newcomer = { email: 'jo.cadet@example.org', name: 'Jo Cadet', password: 'drill-field-sunrise-2027' };

eachDatabase('administration: a new user with a scoped role, then deactivated', async ({ start, browser }) => {
  const bureau = await start();
  const a = await browser();
  const page = a.page;

  // The first administrator, through the setup link.
  await page.goto(bureau.setupLink);
  await waitForScreen(page, { heading: 'Set up Bureau' });
  await page.getByLabel('Email address').fill(admin.email);
  await page.getByLabel('Your name (optional)').fill(admin.name);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByLabel('Password again').fill(admin.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await waitForScreen(page, { heading: 'Directory' });

  // Users: create an account, with no role yet.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await waitForScreen(page, { heading: 'Users' });
  await page.getByRole('button', { name: 'Create user' }).click();
  const form = page.getByRole('form', { name: 'Create a user' });
  await visible(form);
  await form.getByLabel('Email address').fill(newcomer.email);
  await form.getByLabel('Display name').fill(newcomer.name);
  await form.getByLabel('First password').fill(newcomer.password);
  await form.getByRole('radio', { name: /^No role for now/ }).check();
  await form.getByRole('button', { name: 'Create user' }).click();

  await waitForScreen(page, { heading: newcomer.name });
  assert.match(new URL(page.url()).pathname, /^\/admin\/users\/[0-9a-f-]{36}$/);
  const userId = new URL(page.url()).pathname.split('/').pop();
  await visible(page.getByText(`The account for ${newcomer.email} was created. It has no role yet`));
  await visible(page.getByText('This person has no role'));

  // Give a role: Editor, in one department found by searching.
  const grant = page.getByRole('form', { name: 'Give a role' });
  await grant.getByRole('radio', { name: /^Editor\b/ }).check();
  await grant.getByRole('radio', { name: 'One department' }).check();
  const find = grant.getByRole('searchbox', { name: 'Find the department' });
  // Only real departments are offered.
  await find.fill('no such department anywhere');
  await visible(grant.getByRole('status').filter({ hasText: 'No departments match “no such department anywhere”.' }));
  assert.equal(await grant.getByRole('group', { name: 'Find the department: results' }).count(), 0);
  await find.fill('jrotc');
  await visible(grant.getByRole('status').filter({ hasText: '1 department found.' }));
  const results = grant.getByRole('group', { name: 'Find the department: results' });
  await visible(results.getByRole('radio', { name: /Junior Reserve Officers' Training Corps \(jrotc\)/ }));
  assert.equal(await results.getByRole('radio').count(), 1);
  await results.getByRole('radio', { name: /Junior Reserve Officers' Training Corps/ }).check();
  await grant.getByRole('button', { name: 'Give role' }).click();
  const roles = page.getByRole('region', { name: 'Roles of this person' });
  const row = roles.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Editor' }) });
  await visible(row.getByText("Junior Reserve Officers' Training Corps"));

  const token = await bureau.login(admin.email, admin.password);
  const u = await bureau.api(`/api/v1/admin/users/${userId}`, { token });
  assert.deepEqual(u.json.data.grants.map((g) => [g.role, g.scope]), [['editor', 'department:jrotc']]);

  // The new person signs in elsewhere and sees only their department.
  const b = await browser();
  await signIn(b.page, newcomer.email, newcomer.password, { base: bureau.url });
  await waitForScreen(b.page, { heading: 'Directory' });
  const own = b.page.getByRole('list', { name: 'Your departments' });
  await visible(own.getByRole('link', { name: "Junior Reserve Officers' Training Corps" }));
  assert.deepEqual(
    (await b.page.getByRole('main').getByRole('link').allInnerTexts()).map((s) => s.trim()),
    ["Junior Reserve Officers' Training Corps"],
  );
  assert.equal(await b.page.getByRole('link', { name: 'Sports Administration' }).count(), 0);
  assert.equal(await b.page.getByRole('link', { name: 'Users' }).count(), 0);

  // Deactivate: the person is signed out everywhere.
  await page.getByRole('button', { name: 'Deactivate account…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Deactivate this account?' });
  await visible(dialog.getByText(newcomer.email));
  await dialog.getByRole('button', { name: 'Deactivate' }).click();
  await visible(page.getByRole('button', { name: 'Reactivate account' }));
  const off = await bureau.api(`/api/v1/admin/users/${userId}`, { token });
  assert.equal(off.json.data.active, false);

  // Their next load of the admin finds no session; signing in is refused.
  await b.page.reload();
  await waitForScreen(b.page, { heading: 'Sign in to Bureau' });
  await b.page.getByLabel('Email address').fill(newcomer.email);
  await b.page.getByLabel('Password').fill(newcomer.password);
  await b.page.getByRole('button', { name: 'Sign in' }).click();
  assert.match(await alertText(b.page), /./);
  assert.ok(new URL(b.page.url()).pathname.endsWith('/admin/signin'));
  const refused = await bureau.api('/api/v1/auth/login', { method: 'POST', body: { email: newcomer.email, password: newcomer.password } });
  assert.notEqual(refused.status, 200);
});

eachDatabase('administration: roles, the audit log filter, and my account', async ({ start, browser }) => {
  const bureau = await start();
  const me = await bureau.createUser({ role: 'admin', name: 'Grace Hopper' });
  const { page } = await browser();
  await signIn(page, me.email, me.password, { base: bureau.url });
  const nav = page.getByRole('navigation', { name: 'Main' });

  // Roles: the four roles, each with what it allows.
  await nav.getByRole('link', { name: 'Roles' }).click();
  await waitForScreen(page, { heading: 'Roles' });
  assert.deepEqual(
    (await page.getByRole('main').getByRole('heading', { level: 2 }).allInnerTexts()).map((s) => s.trim()),
    ['Administrator (admin)', 'Editor (editor)', 'Author (author)', 'Viewer (viewer)'],
  );
  await visible(page.getByRole('list', { name: 'What the Author role allows' }).getByText('summary, description, contacts, learn more link'));

  // Audit: every event, then only one action; the filter survives a reload.
  await nav.getByRole('link', { name: 'Audit log' }).click();
  await waitForScreen(page, { heading: 'Audit log' });
  const table = page.getByRole('region', { name: 'Audit events table' });
  await visible(table.getByRole('cell', { name: /^Signed in/ }));
  await visible(table.getByRole('cell', { name: /^Created department/ }));
  await page.getByLabel('What happened').selectOption({ label: 'Created user' });
  await page.getByRole('button', { name: 'Show events' }).click();
  await page.waitForURL((u) => u.searchParams.get('action') === 'user.create');
  const actions = async () =>
    (await table.getByRole('row').locator('td:nth-child(3)').allInnerTexts()).map((s) => s.trim().split('\n')[0].trim());
  await waitFor(async () => {
    const list = await actions();
    return list.length > 0 && list.every((s) => s.startsWith('Created user'));
  }, 'only "Created user" events');
  await visible(table.getByRole('link', { name: me.email }));
  await page.reload();
  await waitForScreen(page, { heading: 'Audit log' });
  assert.equal(await page.getByLabel('What happened').inputValue(), 'user.create');
  await waitFor(async () => {
    const list = await actions();
    return list.length > 0 && list.every((s) => s.startsWith('Created user'));
  }, 'only "Created user" events after the reload');

  // My account: a new display name, then a new password.
  await nav.getByRole('link', { name: 'My account' }).click();
  await waitForScreen(page, { heading: 'My account' });
  await page.getByLabel('Display name').fill('Rear Admiral Grace Hopper');
  await page.getByRole('button', { name: 'Save name' }).click();
  await visible(page.getByRole('status').filter({ hasText: /saved|changed/i }));
  const token = await bureau.login(me.email, me.password);
  const who = await bureau.api('/api/v1/auth/me', { token });
  assert.equal(who.json.data.user.display_name, 'Rear Admiral Grace Hopper');

  const fresh = 'compiler-moth-logbook-1947';
  await page.getByLabel('Current password').fill(me.password);
  await page.getByLabel('New password', { exact: true }).fill(fresh);
  await page.getByLabel('New password again').fill(fresh);
  await page.getByRole('button', { name: 'Change password' }).click();
  await visible(page.getByText('Your password is changed.'));

  await signOut(page);
  await page.getByLabel('Email address').fill(me.email);
  await page.getByLabel('Password').fill(me.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  assert.equal(await alertText(page), 'The email address or password is not correct.');
  assert.equal(await signIn(page, me.email, fresh), 'Directory');
});
