// The README's pictures, at 1280x900: sign-in, the directory with an office
// expanded, the edit screen with the rich-text editor (a department with a
// bulleted description), a history comparison, the users list and a user's
// roles. It always runs (so the screens it shows keep working); only with
// BUREAU_SCREENSHOTS=1 does it write into docs/screenshots/, otherwise into
// a temporary directory. SQLite only: the pictures must not depend on which
// database ran last, and the screens are the same on both.
// (conflict-view.png comes from conflict.test.mjs.)
import assert from 'node:assert/strict';
import { DESKTOP, eachDatabase, screenshot, signIn, visible, waitForScreen } from './harness.mjs';

const people = [
  { email: 'maria.lopez@example.org', name: 'María López', role: 'editor', scope: 'office:occs' },
  { email: 'sam.okafor@example.org', name: 'Sam Okafor', role: 'author', scope: 'department:jrotc' },
  { email: 'lee.chen@example.org', name: 'Lee Chen', role: 'viewer', scope: '*' },
];

async function patch(bureau, token, type, id, body) {
  const cur = await bureau.api(`/api/v1/admin/${type}/${id}`, { token });
  const r = await bureau.api(`/api/v1/admin/${type}/${id}`, {
    method: 'PATCH',
    token,
    body,
    headers: { 'If-Match': `"v${cur.json.data.version}"` },
  });
  assert.equal(r.status, 200, r.text);
}

/** Scrolls so that the element is at the top of the window, with a little room. */
async function scrollTo(locator) {
  await locator.evaluate((el) => {
    el.scrollIntoView({ block: 'start' });
    window.scrollBy(0, -16);
  });
}

eachDatabase('screenshots for the README', async ({ t, db, start, browser }) => {
  if (db !== 'sqlite') return t.skip('the pictures come from the SQLite run');
  const bureau = await start();
  const admin = await bureau.createUser({ email: 'grace.hopper@example.org', role: 'admin', name: 'Grace Hopper' });
  for (const p of people) await bureau.createUser(p);
  const token = await bureau.login(admin.email);
  const jrotc = (await bureau.publicAPI('/departments/jrotc')).data.id;
  await patch(bureau, token, 'departments', jrotc, {
    description_html:
      '<p>JROTC helps high school cadets build <strong>leadership</strong>, citizenship and discipline for college, career or the military.</p>' +
      '<ul><li>Scholarships and service-academy nominations</li><li>Summer leadership academies</li><li>Drill, color guard and community service</li></ul>' +
      '<p>Find the program at your school on <a href="https://www.cps.edu/academics/jrotc/">the JROTC page</a>.</p>',
    message: 'A description cadets and families can scan',
  });
  await patch(bureau, token, 'departments', jrotc, {
    summary:
      'Helps JROTC cadets develop the skills and knowledge for their path after high school: college, career, or the military, with scholarships and hands-on leadership.',
    message: 'Plainer summary',
  });

  const { page } = await browser({ viewport: DESKTOP });

  await page.goto(bureau.admin('/signin'));
  await waitForScreen(page, { heading: 'Sign in to Bureau' });
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await screenshot(page, 'sign-in');

  await signIn(page, admin.email, admin.password);
  await page.getByRole('button', { name: 'Departments of College and Career Success' }).click();
  await visible(page.getByRole('list', { name: 'Departments of College and Career Success' }).getByRole('link', { name: "Junior Reserve Officers' Training Corps" }));
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await screenshot(page, 'directory');

  await page.goto(bureau.admin(`/departments/${jrotc}`));
  await waitForScreen(page, { heading: "Junior Reserve Officers' Training Corps" });
  const editor = page.getByRole('textbox', { name: 'Description' });
  await visible(editor.getByRole('list'));
  await scrollTo(page.getByLabel('Summary (optional)'));
  await editor.getByText('Summer leadership academies').click();
  await screenshot(page, 'edit');

  await page.goto(bureau.admin(`/departments/${jrotc}/history`));
  await waitForScreen(page, { heading: /^History of/ });
  // By default the published revision (1) is compared with the draft (3).
  assert.ok(await page.getByRole('radio', { name: 'Revision 1 as A' }).isChecked());
  assert.ok(await page.getByRole('radio', { name: 'Revision 3 as B' }).isChecked());
  const compared = page.getByRole('heading', { level: 2, name: 'Revision 1 compared with revision 3' });
  await visible(page.getByRole('table', { name: /^Fields that differ/ }));
  await scrollTo(compared);
  await screenshot(page, 'history-diff');

  await page.goto(bureau.admin('/users'));
  await waitForScreen(page, { heading: 'Users' });
  await visible(page.getByRole('link', { name: 'sam.okafor@example.org' }));
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await screenshot(page, 'users');

  await page.getByRole('link', { name: 'maria.lopez@example.org' }).click();
  await waitForScreen(page, { heading: 'María López' });
  const grant = page.getByRole('form', { name: 'Give a role' });
  await grant.getByRole('radio', { name: /^Author\b/ }).check();
  await grant.getByRole('radio', { name: 'One department' }).check();
  await grant.getByRole('searchbox', { name: 'Find the department' }).fill('jrotc');
  await visible(grant.getByRole('status').filter({ hasText: '1 department found.' }));
  await visible(grant.getByRole('radio', { name: /Junior Reserve Officers' Training Corps/ }));
  await scrollTo(page.getByRole('heading', { level: 2, name: 'Roles' }));
  await screenshot(page, 'grants');
});
