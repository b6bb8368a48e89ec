// History and trash: two drafts saved from Node, compared side by side in
// the History screen and the older one restored as a new draft; then a
// department moved to the trash from its edit screen, gone from the public
// API, listed in the Trash screen and in the directory, and restored.
import assert from 'node:assert/strict';
import { eachDatabase, signIn, visible, waitFor, waitForScreen } from './harness.mjs';

/** The admin's working draft of a document, with its version. */
async function draft(bureau, token, type, id) {
  const r = await bureau.api(`/api/v1/admin/${type}/${id}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

/** Saves a draft through the admin API (If-Match on the current version). */
async function save(bureau, token, type, id, body) {
  const { version } = await draft(bureau, token, type, id);
  const r = await bureau.api(`/api/v1/admin/${type}/${id}`, {
    method: 'PATCH',
    token,
    body,
    headers: { 'If-Match': `"v${version}"` },
  });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

eachDatabase('history: compare two revisions and restore the older one as a new draft', async ({ start, browser }) => {
  const bureau = await start();
  const ed = await bureau.createUser({ role: 'editor', scope: 'office:occs', name: 'Edith Editor' });
  const token = await bureau.login(ed.email);
  const { id } = (await bureau.publicAPI('/departments/osel')).data;

  const older = 'Our counselors meet families on Tuesdays at the central office.';
  const newer = 'Our counselors meet families on Thursdays at every school.';
  const first = await save(bureau, token, 'departments', id, { summary: older, message: 'Tuesday meetings' });
  const second = await save(bureau, token, 'departments', id, { summary: newer, message: 'Thursday meetings' });
  assert.equal(second.version, first.version + 1);
  const [a, b] = [first.version, second.version];

  const { page } = await browser();
  await signIn(page, ed.email, ed.password, { base: bureau.url });
  await page.goto(bureau.admin(`/departments/${id}/history`));
  await waitForScreen(page, { heading: 'History of “Social and Emotional Learning”' });

  // Every revision is listed with its message; pick the two saves.
  await visible(page.getByText('“Tuesday meetings”'));
  await visible(page.getByText('“Thursday meetings”'));
  await page.getByRole('radio', { name: `Revision ${a} as A` }).check();
  await page.getByRole('radio', { name: `Revision ${b} as B` }).check();
  await page.waitForURL((u) => u.searchParams.get('a') === String(a) && u.searchParams.get('b') === String(b));
  await visible(page.getByRole('heading', { level: 2, name: `Revision ${a} compared with revision ${b}` }));

  // Side by side: the summary row marks the old word removed on the left
  // and the new word added on the right; the shared words stay plain.
  const table = page.getByRole('table', { name: `Fields that differ between revision ${a} and revision ${b}` });
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Summary' }) });
  await visible(row);
  const [left, right] = [row.getByRole('cell').nth(0), row.getByRole('cell').nth(1)];
  // Each marked word also says "[removed: …]" or "[added: …]" to screen readers.
  const words = async (l) =>
    (await l.allTextContents()).join(' ').replace(/\[(added|removed):|\]/g, ' ').split(/\s+/).filter(Boolean);
  const removed = await words(left.locator('del.diff-del'));
  const added = await words(right.locator('ins.diff-add'));
  for (const w of ['Tuesdays', 'central']) assert.ok(removed.includes(w), `${w} is not marked removed: ${removed}`);
  for (const w of ['Thursdays', 'every', 'school.']) assert.ok(added.some((a) => a.startsWith(w.replace('.', ''))), `${w} is not marked added: ${added}`);
  for (const w of ['families', 'counselors']) assert.ok(!removed.includes(w) && !added.includes(w), `${w} is marked changed`);
  assert.equal(await left.locator('ins').count(), 0);
  assert.equal(await right.locator('del').count(), 0);
  assert.match(await left.innerText(), /meet families on/);
  assert.match(await right.innerText(), /meet families on/);

  // Restore the older revision: a confirmation first.
  await page.getByRole('button', { name: `Restore as new draft (revision ${a})` }).click();
  const dialog = page.getByRole('dialog', { name: `Restore revision ${a} as a new draft?` });
  await visible(dialog);
  // Focus starts on the safe choice.
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Cancel');
  await dialog.getByRole('button', { name: 'Restore as new draft' }).click();

  // The edit screen shows the restored summary and says what happened.
  await waitForScreen(page, { heading: 'Social and Emotional Learning' });
  assert.equal(new URL(page.url()).pathname, `/admin/departments/${id}`);
  await visible(page.getByText(`Revision ${a} was restored as a new draft (revision ${b + 1}).`));
  assert.equal(await page.getByLabel('Summary (optional)').inputValue(), older);

  // The history has the new revision, with the message the server gives it.
  await page.getByRole('link', { name: 'History' }).click();
  await waitForScreen(page, { heading: /^History of/ });
  const newest = page.getByRole('listitem').filter({ hasText: `Revision ${b + 1}` });
  await visible(newest.getByText(`“Restored from revision ${a}”`));
  await visible(newest.getByText('Current draft'));
  const revs = await bureau.api(`/api/v1/admin/departments/${id}/revisions`, { token });
  assert.equal(revs.json.data[0].number, b + 1);
  assert.equal(revs.json.data[0].message, `Restored from revision ${a}`);
  assert.equal((await draft(bureau, token, 'departments', id)).summary, older);
  // Published content is untouched until someone publishes.
  assert.notEqual((await bureau.publicAPI('/departments/osel')).data.summary, older);
});

eachDatabase('trash: an editor moves a department to the trash and restores it', async ({ start, browser }) => {
  const bureau = await start();
  const ed = await bureau.createUser({ role: 'editor', scope: 'office:occs' });
  const token = await bureau.login(ed.email);
  const { id, name } = (await bureau.publicAPI('/departments/osa')).data;
  assert.equal(name, 'Sports Administration');

  const { page } = await browser();
  await signIn(page, ed.email, ed.password, { base: bureau.url });
  await page.goto(bureau.admin(`/departments/${id}`));
  await waitForScreen(page, { heading: name });
  await page.getByRole('button', { name: 'Move to trash' }).click();
  const dialog = page.getByRole('dialog', { name: 'Move this department to the trash?' });
  await visible(dialog);
  await visible(dialog.getByText('It can be brought back from the trash.'));
  await dialog.getByRole('button', { name: 'Move to trash' }).click();
  await waitForScreen(page, { heading: 'Directory' });

  // Gone from the public API and from the directory.
  const gone = await bureau.api('/api/v1/departments/osa');
  assert.equal(gone.status, 404);
  const occs = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'College and Career Success' }) });
  await occs.getByRole('button', { name: 'Departments of College and Career Success' }).click();
  await visible(page.getByRole('list', { name: 'Departments of College and Career Success' }).getByRole('link', { name: 'Early College and Career Education' }));
  assert.equal(await page.getByRole('link', { name }).count(), 0);

  // The directory lists it with "Include items in the trash".
  await page.getByLabel('Include items in the trash').check();
  await page.waitForURL((u) => u.search.includes('trash'));
  await visible(page.getByRole('heading', { level: 2, name: 'In the trash' }));
  // A trashed department shows under its office, marked.
  await visible(page.getByText('The departments in the trash are shown under their offices.'));
  const trashed = page
    .getByRole('list', { name: 'Departments of College and Career Success' })
    .getByRole('listitem')
    .filter({ hasText: name });
  await visible(trashed.getByText('In the trash'));
  await visible(trashed.getByRole('button', { name: `Restore ${name}` }));

  // The Trash screen lists it; restore from there.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trash' }).click();
  await waitForScreen(page, { heading: 'Trash' });
  const region = page.getByRole('region', { name: 'Items in the trash' });
  const row = region.getByRole('row').filter({ has: page.getByRole('rowheader', { name }) });
  await visible(row.getByText('Department', { exact: true }));
  await visible(row.getByText('osa', { exact: true }));
  await row.getByRole('button', { name: `Restore ${name}` }).click();
  await visible(page.getByText(`“${name}” was restored`));
  await visible(page.getByText('The trash is empty.'));

  // The server's rule: it comes back as it was before the trash, so a
  // published department is public again, with no unpublished changes.
  const back = await draft(bureau, token, 'departments', id);
  assert.equal(back.status, 'published');
  const pub = await bureau.api('/api/v1/departments/osa');
  assert.equal(pub.status, 200);
  assert.equal(pub.json.data.id, id);
  const trash = await bureau.api('/api/v1/admin/trash', { token });
  assert.equal(trash.json.meta.total, 0);

  // Back in the directory, with the state the server gives it.
  await page.getByRole('link', { name: 'Open it' }).click();
  await waitForScreen(page, { heading: name });
  await visible(page.getByText('Published', { exact: true }));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Directory' }).click();
  await waitForScreen(page, { heading: 'Directory' });
  await page.getByRole('button', { name: 'Departments of College and Career Success' }).click();
  const listed = page
    .getByRole('list', { name: 'Departments of College and Career Success' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('link', { name }) });
  await visible(listed);
  await waitFor(async () => /Published/.test(await listed.innerText()), 'the restored department to show as published');
});
