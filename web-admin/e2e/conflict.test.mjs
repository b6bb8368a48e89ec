// Two people edit the same department at once. The second to save gets the
// conflict view (the server answered 412): both versions side by side,
// field by field, their own text kept and copyable; they choose per field
// and save the merged version, which is then exactly the draft.
import assert from 'node:assert/strict';
import { checkA11y, eachDatabase, screenshot, signIn, visible, waitForScreen } from './harness.mjs';

const DEPARTMENT = 'School Counseling and Postsecondary Advising';
const SLUG = 'oscpa';

async function draftOf(bureau, token, id) {
  const r = await bureau.api(`/api/v1/admin/departments/${id}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

/** No page reported a CSP violation (the harness also fails the test on any). */
async function noCspReports(...pages) {
  for (const page of pages) assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], `CSP reports on ${page.url()}`);
}

async function open(page, bureau, id) {
  await page.goto(bureau.admin(`/departments/${id}`));
  await waitForScreen(page, { heading: DEPARTMENT });
  await visible(page.getByRole('textbox', { name: 'Description' }));
}

eachDatabase('conflict: the second save shows both versions and saves the merged one', async ({ start, browser }) => {
  const bureau = await start();
  const ana = await bureau.createUser({ role: 'editor', scope: 'office:occs', name: 'Ana' });
  const ben = await bureau.createUser({ role: 'editor', scope: `department:${SLUG}`, name: 'Ben' });
  const token = await bureau.login(ana.email);
  const list = await bureau.api(`/api/v1/admin/departments?q=${SLUG}`, { token });
  const { id } = list.json.data.find((d) => d.slug === SLUG);
  const before = await draftOf(bureau, token, id);

  const a = await browser();
  const b = await browser();
  await signIn(a.page, ana.email, ana.password, { base: bureau.url });
  await signIn(b.page, ben.email, ben.password, { base: bureau.url });
  await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: bureau.url });
  // Both open version 1.
  await open(a.page, bureau, id);
  await open(b.page, bureau, id);

  // Ben starts typing: summary, acronym and a paragraph of description.
  const mine = { summary: 'Ben: counselors in every high school.', acronym: 'SCPA' };
  await b.page.getByLabel('Summary (optional)').fill(mine.summary);
  await b.page.getByLabel('Acronym (optional)').fill(mine.acronym);
  await b.page.getByRole('textbox', { name: 'Description' }).click();
  await b.page.keyboard.press('Control+End');
  await b.page.keyboard.press('Enter');
  await b.page.keyboard.type('Ben added this paragraph.');

  // Meanwhile Ana changes the summary and the acronym, and saves first.
  const theirs = { summary: 'Ana: advising for college and careers.', acronym: 'OSCPA-A' };
  await a.page.getByLabel('Summary (optional)').fill(theirs.summary);
  await a.page.getByLabel('Acronym (optional)').fill(theirs.acronym);
  await a.page.getByRole('button', { name: 'Save draft' }).click();
  await visible(a.page.getByText(/^Saved at /));
  assert.equal((await draftOf(bureau, token, id)).version, before.version + 1);

  // Ben saves later: the server refuses (412) and the conflict view opens.
  const refused = b.page.waitForResponse((r) => r.url().includes(`/departments/${id}`) && r.request().method() !== 'GET');
  await b.page.getByRole('button', { name: 'Save draft' }).click();
  assert.equal((await refused).status(), 412);
  const view = b.page.getByRole('region', { name: 'Someone else saved this department while you were editing' });
  await visible(view);
  assert.equal(await b.page.evaluate(() => document.activeElement?.id), 'conflict-heading');
  await visible(view.getByText('2 things were changed by both of you'));

  // Field by field: Ben's version beside Ana's.
  const item = (label) => view.getByRole('region', { name: new RegExp(`^${label}\\b`) });
  const side = (label, which) =>
    item(label).getByRole('heading', { level: 4, name: which }).locator('xpath=..');
  for (const [label, m, t] of [
    ['Summary', mine.summary, theirs.summary],
    ['Acronym', mine.acronym, theirs.acronym],
  ]) {
    await visible(item(label).getByText('Changed by both of you'));
    assert.match(await side(label, 'Your version').innerText(), new RegExp(m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.match(await side(label, 'Their version').innerText(), new RegExp(t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    // Mine is chosen where both changed it.
    assert.ok(await item(label).getByRole('radio', { name: 'Mine' }).isChecked());
  }
  await visible(item('Description').getByText('Changed by you'));
  assert.match(await side('Description', 'Your version').innerText(), /Ben added this paragraph\./);
  assert.doesNotMatch(await side('Description', 'Their version').innerText(), /Ben added this paragraph\./);
  await screenshot(b.page, 'conflict-view', { fullPage: true });
  await checkA11y(b.page, 'the conflict view');

  // Ben's own text can be copied out before choosing.
  await item('Summary').getByRole('button', { name: 'Copy my text of Summary' }).click();
  const copied = item('Summary').getByRole('status').filter({ hasText: 'Copied.' });
  const box = item('Summary').getByRole('textbox');
  await Promise.race([copied.waitFor(), box.waitFor()]);
  if (await copied.count()) {
    assert.equal(await b.page.evaluate(() => navigator.clipboard.readText()), mine.summary);
  } else {
    assert.equal(await box.inputValue(), mine.summary);
  }

  // Per field: his summary, her acronym, his description.
  await item('Acronym').getByRole('radio', { name: 'Theirs' }).check();
  assert.ok(await item('Summary').getByRole('radio', { name: 'Mine' }).isChecked());
  assert.ok(await item('Description').getByRole('radio', { name: 'Mine' }).isChecked());
  await view.getByRole('button', { name: 'Save merged version' }).click();
  await visible(b.page.getByText(/^Saved at /));
  assert.equal(await view.count(), 0);
  // The form shows the merged version, with nothing left to save.
  assert.equal(await b.page.getByLabel('Summary (optional)').inputValue(), mine.summary);
  assert.equal(await b.page.getByLabel('Acronym (optional)').inputValue(), theirs.acronym);

  const merged = await draftOf(bureau, token, id);
  assert.equal(merged.version, before.version + 2);
  assert.equal(merged.summary, mine.summary);
  assert.equal(merged.acronym, theirs.acronym);
  assert.equal(merged.description_html, before.description_html + '<p>Ben added this paragraph.</p>');
  assert.equal(merged.name, before.name);
  assert.equal(merged.slug, before.slug);
  assert.deepEqual(merged.contacts, before.contacts);
  await noCspReports(a.page, b.page);
});
