// The session ends while someone is editing (the access token expired and
// the refresh cookie is gone): Save opens the sign-in dialog over the form,
// and once signed in there the save goes through with nothing lost.
import assert from 'node:assert/strict';
import { checkA11y, eachDatabase, signIn, sleep, visible, waitForScreen } from './harness.mjs';

/** No page reported a CSP violation (the harness also fails the test on any). */
async function noCspReports(...pages) {
  for (const page of pages) assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], `CSP reports on ${page.url()}`);
}

const DEPARTMENT = 'School Counseling and Postsecondary Advising';
const SLUG = 'oscpa';
const TTL_SECONDS = 3;
// The server accepts a token up to 5 s past its expiry (clock leeway between API nodes: auth/tokens.go).
const LEEWAY_SECONDS = 5;

eachDatabase('session expiry: sign in again in the dialog and the save goes through', async ({ start, browser }) => {
  const bureau = await start({ env: { BUREAU_ACCESS_TOKEN_TTL: `${TTL_SECONDS}s` } });
  const ed = await bureau.createUser({ role: 'editor', scope: 'office:occs' });
  const token = await bureau.login(ed.email);
  const list = await bureau.api(`/api/v1/admin/departments?q=${SLUG}`, { token });
  const { id } = list.json.data.find((d) => d.slug === SLUG);

  const { page, context } = await browser();
  await signIn(page, ed.email, ed.password, { base: bureau.url });
  await page.goto(bureau.admin(`/departments/${id}`));
  await waitForScreen(page, { heading: DEPARTMENT });
  const editor = page.getByRole('textbox', { name: 'Description' });
  await visible(editor);

  const summary = 'Typed before the session ended, and not lost.';
  await page.getByLabel('Summary (optional)').fill(summary);
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('A paragraph typed before the session ended.');
  await visible(page.getByText('Unsaved changes'));

  // The refresh cookie goes (as after signing out elsewhere), then the access token expires.
  assert.ok((await context.cookies()).some((c) => c.name === 'bureau_refresh'), 'no bureau_refresh cookie after sign-in');
  await context.clearCookies({ name: 'bureau_refresh' });
  await sleep((TTL_SECONDS + LEEWAY_SECONDS) * 1000 + 1500);

  await page.getByRole('button', { name: 'Save draft' }).click();
  const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
  await visible(dialog);
  await visible(dialog.getByText('Your changes are still here'));
  // The form is still behind the dialog, with what was typed.
  assert.equal(await page.getByLabel('Summary (optional)').inputValue(), summary);
  await checkA11y(page, 'the edit screen with the session dialog open');

  assert.equal(await dialog.getByLabel('Email address').inputValue(), ed.email);
  await dialog.getByLabel('Password').fill(ed.password);
  await dialog.getByRole('button', { name: 'Sign in' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await visible(page.getByText(/^Saved at /));
  assert.equal(await page.getByText('Unsaved changes').count(), 0);
  assert.equal(await page.getByLabel('Summary (optional)').inputValue(), summary);
  await visible(editor.getByText('A paragraph typed before the session ended.'));

  const fresh = await bureau.login(ed.email);
  const r = await bureau.api(`/api/v1/admin/departments/${id}`, { token: fresh });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.summary, summary);
  assert.match(r.json.data.description_html, /<p>A paragraph typed before the session ended\.<\/p>$/);
  assert.equal(r.json.data.version, 2);
  await noCspReports(page);
});
