// axe-core (WCAG 2.1 A/AA and best practices, harness checkA11y) finds
// nothing on every screen of the admin, in every state worth a look: errors
// shown, dialogs open, lists expanded, comparisons shown. The same tour runs
// on a wide screen and at 390x844, where nothing may scroll sideways.
//
// SQLite only (the PostgreSQL runs are skipped): the tour checks markup,
// which does not depend on the database, while the flows that do touch it
// run on both in the other files; the tour takes about 40 s per screen size,
// so both databases would double the file to nearly three minutes.
//
// /api/docs is covered by docs-page.test.mjs (at both sizes, examples open).
import assert from 'node:assert/strict';
import {
  DESKTOP,
  MOBILE,
  alertText,
  checkA11y,
  eachDatabase,
  noSidewaysScroll,
  visible,
  waitFor,
  waitForScreen,
} from './harness.mjs';

const admin = { email: 'ada@example.org', name: 'Ada Lovelace', password: 'Analytical engines weave 1843' };

/** The demo content: the one office and two of its departments, by slug. */
async function ids(bureau) {
  const occs = (await bureau.publicAPI('/offices/occs')).data.id;
  const jrotc = (await bureau.publicAPI('/departments/jrotc')).data.id;
  const osel = (await bureau.publicAPI('/departments/osel')).data.id;
  const scs = (await bureau.publicAPI('/departments/scs')).data.id;
  return { occs, jrotc, osel, scs };
}

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

for (const [size, viewport] of [
  ['wide screen', DESKTOP],
  ['390 px', MOBILE],
]) {
  const mobile = viewport === MOBILE;

  eachDatabase(
    `every screen passes axe-core (${size})`,
    async ({ t, db, start, browser }) => {
      if (db !== 'sqlite') return t.skip('the tour checks markup, the same on every database: SQLite only');
      const bureau = await start();
      const { page } = await browser({ viewport });
      // Leaving an edit screen with unsaved changes asks first: say yes.
      page.on('dialog', (d) => d.accept());
      const check = async (label) => {
        await checkA11y(page, `${label} at ${size}`);
        if (mobile) await noSidewaysScroll(page, `${label} at ${size}`);
      };
      const go = async (path, heading) => {
        await page.goto(bureau.admin(path));
        return waitForScreen(page, { heading });
      };

      // Setup, as it first shows and with its errors.
      await page.goto(bureau.setupLink);
      await waitForScreen(page, { heading: 'Set up Bureau' });
      await check('the setup screen');
      await page.getByRole('button', { name: 'Create administrator' }).click();
      assert.equal(await alertText(page), 'Please correct the fields marked below.');
      await check('the setup screen with errors');
      await page.getByLabel('Email address').fill(admin.email);
      await page.getByLabel('Your name (optional)').fill(admin.name);
      await page.getByLabel('Password', { exact: true }).fill(admin.password);
      await page.getByLabel('Password again').fill(admin.password);
      await page.getByRole('button', { name: 'Create administrator' }).click();
      await waitForScreen(page, { heading: 'Directory' });

      // Content in every state the screens show: a draft with unpublished
      // changes (two revisions to compare), and a department in the trash.
      const token = await bureau.login(admin.email, admin.password);
      const id = await ids(bureau);
      await patch(bureau, token, 'departments', id.osel, { summary: 'Partners with every school on caring relationships.', message: 'Shorter summary' });
      const del = await bureau.api(`/api/v1/admin/departments/${id.scs}`, {
        method: 'DELETE',
        token,
        headers: { 'If-Match': `"v${(await bureau.api(`/api/v1/admin/departments/${id.scs}`, { token })).json.data.version}"` },
      });
      assert.ok(del.status === 200 || del.status === 204, del.text);
      const other = await bureau.createUser({ role: 'author', scope: 'office:occs', name: 'Omar Author' });
      const otherId = (await bureau.api(`/api/v1/admin/users?q=${encodeURIComponent(other.email)}`, { token })).json.data[0].id;

      // Sign-in, with its error.
      const signOutButton = async () => {
        const menu = page.getByRole('button', { name: 'Menu' });
        if (await menu.isVisible()) await menu.click();
        await page.getByRole('button', { name: 'Sign out' }).click();
        await waitForScreen(page, { heading: 'Sign in to Bureau' });
      };
      await go('/', 'Directory');
      await signOutButton();
      await check('the sign-in screen');
      await page.getByLabel('Email address').fill(admin.email);
      await page.getByLabel('Password').fill('not the password at all');
      await page.getByRole('button', { name: 'Sign in' }).click();
      assert.equal(await alertText(page), 'The email address or password is not correct.');
      await check('the sign-in screen with the error');
      await page.getByLabel('Password').fill(admin.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await waitForScreen(page, { heading: 'Directory' });

      // Directory: as it opens, an office expanded, search results, the trash included.
      await check('the directory');
      await page.getByRole('button', { name: 'Departments of College and Career Success' }).click();
      await visible(page.getByRole('list', { name: 'Departments of College and Career Success' }).getByRole('link').first());
      await check('the directory with an office expanded');
      await page.getByLabel('Search offices and departments').fill('school');
      await page.getByRole('button', { name: 'Search' }).click();
      await visible(page.getByRole('list', { name: 'Departments found' }).getByRole('link').first());
      await check('the directory with search results');
      await go('/?trash=1', 'Directory');
      await visible(page.getByRole('heading', { level: 2, name: 'In the trash' }));
      await page.getByRole('button', { name: 'Departments of College and Career Success' }).click();
      await visible(page.getByRole('button', { name: 'Restore Sustainable Community Schools' }));
      await check('the directory with the trash included');

      // Edit: an office; a department with the link dialog, the trash
      // dialog, then the error summary after a bad phone number.
      await go(`/offices/${id.occs}`, 'College and Career Success');
      await visible(page.getByRole('textbox', { name: 'Description' }));
      await check('the edit screen of an office');
      await go(`/departments/${id.jrotc}`, "Junior Reserve Officers' Training Corps");
      const editor = page.getByRole('textbox', { name: 'Description' });
      await visible(editor);
      await check('the edit screen of a department');
      await editor.click();
      await page.getByRole('toolbar', { name: 'Text formatting' }).getByRole('button', { name: 'Link' }).click();
      const linkDialog = page.getByRole('dialog', { name: 'Add a link' });
      await visible(linkDialog);
      await check('the edit screen with the link dialog open');
      await linkDialog.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Move to trash' }).click();
      const trashDialog = page.getByRole('dialog', { name: 'Move this department to the trash?' });
      await visible(trashDialog);
      await check('the edit screen with the trash dialog open');
      await trashDialog.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('textbox', { name: 'Number' }).first().fill('12');
      await page.getByRole('button', { name: 'Save draft' }).click();
      await visible(page.getByRole('alert').first());
      await waitFor(async () => (await page.getByRole('textbox', { name: 'Number' }).first().getAttribute('aria-invalid')) === 'true', 'the phone number marked invalid');
      await check('the edit screen with the error summary');

      // Review: what publishing would change, and the preview.
      await go(`/departments/${id.osel}/review`, 'Review “Social and Emotional Learning”');
      await visible(page.getByRole('heading', { level: 2, name: 'What publishing would change' }));
      await visible(page.getByRole('heading', { level: 2, name: 'Preview' }));
      await check('the review screen');

      // History: the comparison, then the restore dialog.
      await go(`/departments/${id.osel}/history`, 'History of “Social and Emotional Learning”');
      await visible(page.getByRole('table', { name: /^Fields that differ/ }));
      await check('the history screen with a comparison');
      await page.getByRole('button', { name: 'Restore as new draft (revision 1)' }).click();
      await visible(page.getByRole('dialog', { name: 'Restore revision 1 as a new draft?' }));
      await check('the history screen with the restore dialog open');
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

      // Trash.
      await go('/trash', 'Trash');
      await visible(page.getByRole('region', { name: 'Items in the trash' }));
      await check('the trash screen');

      // Users, with the create form and its errors.
      await go('/users', 'Users');
      await visible(page.getByRole('region', { name: 'Accounts table' }));
      await check('the users screen');
      await page.getByRole('button', { name: 'Create user' }).click();
      const form = page.getByRole('form', { name: 'Create a user' });
      await form.getByRole('button', { name: 'Create user' }).click();
      await visible(form.getByText('Please correct the fields listed below.'));
      await check('the users screen with the create form and its errors');

      // A user: the grant form with search results, the deactivate dialog.
      await go(`/users/${otherId}`, 'Omar Author');
      await visible(page.getByRole('region', { name: 'Roles of this person' }));
      await check('the user screen');
      const grant = page.getByRole('form', { name: 'Give a role' });
      await grant.getByRole('button', { name: 'Give role' }).click();
      await visible(grant.getByText('Please correct the fields listed below.'));
      await grant.getByRole('radio', { name: /^Viewer\b/ }).check();
      await grant.getByRole('radio', { name: 'One department' }).check();
      await grant.getByRole('searchbox', { name: 'Find the department' }).fill('jrotc');
      await visible(grant.getByRole('status').filter({ hasText: '1 department found.' }));
      await visible(grant.getByRole('radio', { name: /Junior Reserve Officers' Training Corps/ }));
      await check('the user screen with the grant form filled in');
      await page.getByRole('button', { name: 'Deactivate account…' }).click();
      await visible(page.getByRole('dialog', { name: 'Deactivate this account?' }));
      await check('the user screen with the deactivate dialog open');
      await page.getByRole('dialog', { name: 'Deactivate this account?' }).getByRole('button', { name: 'Cancel' }).click();

      // Roles, the audit log (also filtered), my account (with errors).
      await go('/roles', 'Roles');
      await check('the roles screen');
      await go('/audit', 'Audit log');
      await visible(page.getByRole('region', { name: 'Audit events table' }));
      await check('the audit log');
      await page.getByRole('radio', { name: 'One person' }).check();
      await page.getByRole('searchbox', { name: 'Find the person by email or name' }).fill('ada');
      await visible(page.getByRole('radio', { name: new RegExp(admin.email) }));
      await check('the audit log with the person filter open');
      await go('/audit?action=user.create', 'Audit log');
      await visible(page.getByRole('region', { name: 'Audit events table' }));
      await check('the audit log filtered by action');
      await go('/account', 'My account');
      await check('my account');
      await page.getByRole('button', { name: 'Change password' }).click();
      await visible(page.getByText('Please correct the fields marked below.'));
      await check('my account with password errors');

      // Page not found.
      await go('/no/such/screen', 'Page not found');
      await check('the page-not-found screen');
    },
    { timeout: 240_000 },
  );
}
