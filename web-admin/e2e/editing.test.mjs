// Editing a department in the browser: an editor's rich text, contacts,
// save and publish, seen through the public API; what an author may not
// change; the copy kept in the browser across a reload; and the whole edit
// flow with the keyboard alone.
import assert from 'node:assert/strict';
import { eachDatabase, signIn, visible, waitFor, waitForScreen } from './harness.mjs';

const OFFICE = 'College and Career Success';
// The demo department with a fax number (773-553-3470) on its first contact.
const DEPARTMENT = 'School Counseling and Postsecondary Advising';
const SLUG = 'oscpa';

/** The department's id and its working draft, read from Node with a token. */
async function draftOf(bureau, token, slug = SLUG) {
  const list = await bureau.api(`/api/v1/admin/departments?q=${slug}&limit=100`, { token });
  assert.equal(list.status, 200, list.text);
  const item = list.json.data.find((d) => d.slug === slug);
  assert.ok(item, `no department ${slug} in ${list.text}`);
  const r = await bureau.api(`/api/v1/admin/departments/${item.id}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

/** No page reported a CSP violation (the harness also fails the test on any). */
async function noCspReports(...pages) {
  for (const page of pages) assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], `CSP reports on ${page.url()}`);
}

/** The rich-text editor of the description (ProseMirror, role=textbox). */
const descriptionEditor = (page) => page.getByRole('textbox', { name: 'Description' });

/** Waits until the edit screen of a department is there, with its editor loaded. */
async function editScreen(page, name = DEPARTMENT, { editor = true } = {}) {
  await waitForScreen(page, { heading: name });
  if (editor) await visible(descriptionEditor(page));
}

/** The save status beside the buttons says it is saved. */
async function savedStatus(page) {
  await visible(page.getByText(/^Saved at /));
}

eachDatabase('editing: an editor changes the description and a fax, saves, publishes', async ({ start, browser }) => {
  const bureau = await start();
  const ed = await bureau.createUser({ role: 'editor', scope: 'office:occs' });
  const { page } = await browser();
  await signIn(page, ed.email, ed.password, { base: bureau.url });

  // From the directory: open the office's departments, then the department.
  await page.getByRole('button', { name: `Departments of ${OFFICE}` }).click();
  await page.getByRole('link', { name: DEPARTMENT, exact: true }).click();
  await editScreen(page);

  // The description: a new paragraph with a bold word, then a bullet list.
  const editor = descriptionEditor(page);
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Advisers meet families in the ');
  await page.keyboard.press('Control+B');
  await page.keyboard.type('evening');
  await page.keyboard.press('Control+B');
  await page.keyboard.type(' too.');
  await page.keyboard.press('Enter');
  await page.getByRole('toolbar', { name: 'Text formatting' }).getByRole('button', { name: 'Bullet list' }).click();
  await page.keyboard.type('College visits');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Scholarship help');
  assert.equal(await editor.locator('strong').innerText(), 'evening');
  assert.equal(await editor.locator('ul > li').count(), 2);

  // The fax number of the first contact.
  const phone = page.getByRole('group', { name: 'Phone 1' }).first();
  assert.equal(await phone.getByLabel('Kind').inputValue(), 'fax');
  const number = phone.getByLabel('Number');
  assert.equal(await number.inputValue(), '773-553-3470');
  await number.fill('773-553-3999');

  await visible(page.getByText('Unsaved changes'));
  await page.getByRole('button', { name: 'Save draft' }).click();
  await savedStatus(page);

  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await visible(page.getByText(/^Published\. The public site now shows/));

  const pub = (await bureau.publicAPI(`/departments/${SLUG}`)).data;
  assert.match(pub.description_html, /<strong>evening<\/strong>/);
  assert.match(pub.description_html, /<ul><li>(<p>)?College visits/);
  assert.match(pub.description_html, /<li>(<p>)?Scholarship help/);
  const fax = pub.contacts[0].phones[0];
  assert.equal(fax.kind, 'fax');
  assert.equal(fax.number, '773-553-3999');
  assert.equal(fax.e164, '+17735533999');
  await noCspReports(page);
});

eachDatabase('editing: an author changes the description but not the name, slug or status', async ({ start, browser }) => {
  const bureau = await start();
  const author = await bureau.createUser({ role: 'author', scope: `department:${SLUG}` });
  const token = await bureau.login(author.email);
  const before = await draftOf(bureau, token);
  const { page } = await browser();
  await signIn(page, author.email, author.password, { base: bureau.url });
  await page.goto(bureau.admin(`/departments/${before.id}`));
  await editScreen(page);

  // Name and slug are shown read-only, each with the reason tied to it.
  for (const [label, reason] of [
    ['Name', 'Only editors can rename. You are an author here.'],
    ['Slug', 'Only editors can change the slug. You are an author here.'],
  ]) {
    const input = page.getByLabel(label, { exact: true });
    assert.equal(await input.getAttribute('readonly'), '', `${label} is not read-only`);
    const described = (await input.getAttribute('aria-describedby')) ?? '';
    const reasonText = await page.evaluate(
      (ids) => ids.split(' ').map((id) => document.getElementById(id)?.textContent?.trim() ?? '').join(' | '),
      described,
    );
    assert.ok(reasonText.includes(reason), `${label}: the reason "${reason}" is not in its description: ${reasonText}`);
    await visible(page.getByText(reason));
  }
  // Editing the name is refused by the browser (read-only input).
  const name = page.getByLabel('Name', { exact: true });
  await name.focus();
  await page.keyboard.type('XYZ');
  assert.equal(await name.inputValue(), DEPARTMENT);

  // No Publish, Unpublish or Move to trash.
  assert.equal(await page.getByRole('button', { name: 'Publish', exact: true }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Unpublish' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Move to trash' }).count(), 0);

  const editor = descriptionEditor(page);
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Written by the department author.');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await savedStatus(page);

  const after = await draftOf(bureau, token);
  assert.match(after.description_html, /<p>Written by the department author\.<\/p>/);
  assert.equal(after.name, before.name);
  assert.equal(after.slug, before.slug);
  assert.equal(after.version, before.version + 1);
  assert.equal(after.status, 'changed', 'the published department now has unpublished changes');
  await noCspReports(page);
});

eachDatabase('editing: a reload brings back what was typed, or discards it', async ({ start, browser }) => {
  const bureau = await start();
  const ed = await bureau.createUser({ role: 'editor', scope: 'office:occs' });
  const token = await bureau.login(ed.email);
  const { id } = await draftOf(bureau, token);
  const { page } = await browser();
  // Leaving with unsaved work asks first (beforeunload): the person says leave.
  page.on('dialog', (d) => d.accept());
  await signIn(page, ed.email, ed.password, { base: bureau.url });
  await page.goto(bureau.admin(`/departments/${id}`));
  await editScreen(page);

  const typeInDescription = async (text) => {
    await descriptionEditor(page).click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type(text);
    await visible(page.getByText('Unsaved changes'));
  };
  const offer = () => page.getByRole('region', { name: /^You have unsaved changes from / });

  // Typed, not saved, reloaded: the offer comes back, and restoring puts the text in the editor.
  await typeInDescription('Kept across a reload.');
  await page.reload();
  // While the offer is open the form is locked: the description is shown read-only, as saved.
  await editScreen(page, DEPARTMENT, { editor: false });
  await visible(offer());
  assert.equal(await descriptionEditor(page).count(), 0, 'the editor is open while the offer waits');
  assert.ok(!(await page.getByRole('group', { name: 'Description' }).innerText()).includes('Kept across a reload.'), 'restored before being asked');
  await offer().getByRole('button', { name: 'Restore them' }).click();
  assert.equal(await offer().count(), 0);
  await visible(descriptionEditor(page).getByText('Kept across a reload.'));
  await visible(page.getByText('Unsaved changes'));
  const draft = await draftOf(bureau, token);
  assert.ok(!draft.description_html.includes('Kept across a reload.'), 'restoring saved the draft');

  // Discarding: the text is gone, and stays gone after another reload.
  await page.reload();
  await editScreen(page, DEPARTMENT, { editor: false });
  await offer().getByRole('button', { name: 'Discard' }).click();
  assert.equal(await offer().count(), 0);
  await visible(descriptionEditor(page));
  assert.ok(!(await descriptionEditor(page).innerText()).includes('Kept across a reload.'));
  await page.reload();
  await editScreen(page);
  await page.waitForTimeout(300);
  assert.equal(await offer().count(), 0, 'the discarded copy was offered again');
  assert.ok(!(await descriptionEditor(page).innerText()).includes('Kept across a reload.'));
  // Nothing unsaved, so the page leaves without asking.
  await visible(page.getByRole('button', { name: 'Save draft' }));
  assert.equal(await page.getByText('Unsaved changes').count(), 0);
  await noCspReports(page);
});

/**
 * Presses Tab (or Shift+Tab) until the focused element matches, as a
 * keyboard user would; fails after max presses.
 */
async function tabTo(page, describe, matches, { back = false, max = 200 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const hit = await page.evaluate(matches);
    if (hit) return;
  }
  const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200));
  assert.fail(`${max} presses of ${back ? 'Shift+Tab' : 'Tab'} did not reach ${describe}; focus is on ${at}`);
}

const focusedText = (page) => page.evaluate(() => document.activeElement?.textContent?.replace(/\s+/g, ' ').trim() ?? '');

eachDatabase('editing: the whole edit flow with the keyboard alone', async ({ start, browser }) => {
  const bureau = await start();
  const ed = await bureau.createUser({ role: 'editor', scope: 'office:occs' });
  const token = await bureau.login(ed.email);
  const before = await draftOf(bureau, token);
  const { page } = await browser();
  await signIn(page, ed.email, ed.password, { base: bureau.url });
  await waitForScreen(page, { heading: 'Directory' });

  // Directory: open the office's departments (a button), then the department (a link).
  await tabTo(page, 'the office toggle', () => document.activeElement?.getAttribute('aria-expanded') !== null &&
    document.activeElement?.textContent?.includes('Departments of College and Career Success'));
  await page.keyboard.press('Enter');
  await tabTo(page, 'the department link', () =>
    document.activeElement?.tagName === 'A' && document.activeElement.textContent.trim() === 'School Counseling and Postsecondary Advising');
  await page.keyboard.press('Enter');
  await editScreen(page);
  // After the navigation, focus is on the screen's h1.
  const focused = await page.evaluate(() => ({ tag: document.activeElement?.tagName, text: document.activeElement?.textContent?.trim() }));
  assert.deepEqual(focused, { tag: 'H1', text: DEPARTMENT });

  // The summary: select what is there and type over it.
  await tabTo(page, 'the summary', () => document.activeElement?.id === 'field-summary');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Counselors and advisers for every high school student.');

  // Tab passes through the rich-text editor: into its toolbar, into the text, and out again.
  await tabTo(page, 'the description', () => document.activeElement?.getAttribute('role') === 'textbox');
  await page.keyboard.press('Tab');
  assert.notEqual(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'textbox', 'Tab did not leave the editor');

  // A phone number on the first contact: the button moves focus to the new number.
  await tabTo(page, 'Add a phone number to contact 1', () => document.activeElement?.id === 'contact-0-add-phone');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'contact-0-phone-1-number');
  await page.keyboard.type('773-553-2000');
  // Its kind: back to the select before it, then the arrows: Phone, Fax, TTY.
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'contact-0-phone-1-kind');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.value), 'tty');

  // A second contact, then move it above the first with its Move up button.
  await tabTo(page, 'Add a contact', () => document.activeElement?.id === 'contacts-add');
  await page.keyboard.press('Space');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'contact-1-label');
  await page.keyboard.type('Evening help desk');
  await tabTo(page, 'Move up contact 2', () => document.activeElement?.id === 'contact-1-up');
  assert.equal(await focusedText(page), 'Move up contact 2');
  await page.keyboard.press('Enter');
  // Focus follows the moved contact: now the first, its Move up button (disabled there).
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'contact-0-up');
  await visible(page.getByRole('heading', { level: 3, name: 'Contact 1: Evening help desk' }));
  await visible(page.getByRole('heading', { level: 3, name: `Contact 2: ${before.contacts[0].label}` }));

  // Save with the keyboard; the live region says it is saved.
  await tabTo(page, 'Save draft', () => document.activeElement?.textContent?.trim() === 'Save draft');
  await page.keyboard.press('Enter');
  const live = page.locator('[role="status"][aria-live="polite"]').last();
  await waitFor(async () => /^Saved at /.test((await live.innerText()).trim()), 'the live region to say "Saved at …"');
  await savedStatus(page);

  const after = await draftOf(bureau, token);
  assert.equal(after.summary, 'Counselors and advisers for every high school student.');
  assert.deepEqual(after.contacts.map((c) => c.label), ['Evening help desk', before.contacts[0].label]);
  assert.equal(after.contacts[1].id, before.contacts[0].id, 'the first contact kept its id when moved');
  assert.deepEqual(
    after.contacts[1].phones.map((p) => [p.kind, p.number, p.e164]),
    [...before.contacts[0].phones.map((p) => [p.kind, p.number, p.e164]), ['tty', '773-553-2000', '+17735532000']],
  );
  await noCspReports(page);
});
