// Pasting from Google Docs and from Word into the description editor, in
// real Chromium under the admin's strict CSP (style-src 'self'). There
// Chromium blocks style attributes even in DOMParser documents, so an
// editor that reads el.style loses Google Docs' bold and italic, and Google
// Docs' <b style="font-weight:normal" id="docs-internal-guid-…"> wrapper
// turns the whole paste bold (see /work/shared/ADMIN-NOTES.md, "Paste under
// a strict CSP"). The clipboard HTML is the fixtures the unit tests use
// (src/editor/fixtures/), dispatched as a real paste event.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_ADMIN_DIR, eachDatabase, signIn, visible, waitForScreen } from './harness.mjs';

const DEPARTMENT = 'School Counseling and Postsecondary Advising';
const SLUG = 'oscpa';

const fixture = (name) => readFileSync(join(WEB_ADMIN_DIR, 'src', 'editor', 'fixtures', name), 'utf8');

/** The text a clipboard would carry beside the HTML (text/plain). */
function plainText(html) {
  return html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<\/(p|h\d|li|div)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*/g, '\n')
    .trim();
}

/**
 * Pastes into the focused editor at the caret: a ClipboardEvent carrying a
 * DataTransfer with text/html and text/plain, as a paste from another
 * program would. Resolves to whether the editor handled it (preventDefault).
 */
function paste(page, html) {
  return page.evaluate(
    ({ html, text }) => {
      const target = document.activeElement;
      if (!(target instanceof HTMLElement) || !target.isContentEditable) throw new Error(`focus is on ${target?.tagName}, not the editor`);
      const clipboardData = new DataTransfer();
      clipboardData.setData('text/html', html);
      clipboardData.setData('text/plain', text);
      const event = new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true });
      target.dispatchEvent(event);
      return event.defaultPrevented;
    },
    { html, text: plainText(html) },
  );
}

/**
 * What the editor holds from top-level block number `from` on: the blocks'
 * tag names, which words are bold and which italic (every text node, by
 * its ancestors), the lists' items, and any markup that should not be
 * there (style, class, id, dir, span, font, b, i, Word's leftovers).
 */
function region(page, from) {
  return page.evaluate((from) => {
    const editor = document.querySelector('[role="textbox"][contenteditable]');
    const blocks = [...editor.children].slice(from);
    const bold = [];
    const italic = [];
    const texts = [];
    for (const block of blocks) {
      const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        texts.push(n.data);
        if (n.parentElement.closest('strong, b')) bold.push(n.data);
        if (n.parentElement.closest('em, i')) italic.push(n.data);
      }
    }
    const all = blocks.flatMap((b) => [b, ...b.querySelectorAll('*')]);
    const items = (list) => [...list.children].map((li) => li.firstElementChild?.textContent.trim());
    return {
      tags: blocks.map((b) => b.tagName.toLowerCase()),
      bold,
      italic,
      text: texts.join(''),
      lists: blocks.filter((b) => b.matches('ul, ol')).map((l) => ({ tag: l.tagName.toLowerCase(), items: items(l) })),
      nested: blocks
        .filter((b) => b.matches('ul, ol'))
        .flatMap((l) => [...l.querySelectorAll(':scope > li > ul, :scope > li > ol')])
        .map((l) => ({ tag: l.tagName.toLowerCase(), items: items(l) })),
      unwanted: all
        .filter((el) => el.matches('[style], [class], [id], [dir], [lang], span, font, b, i, img, table, div, o\\:p'))
        .map((el) => el.outerHTML.slice(0, 120)),
      styled: document.querySelectorAll('main [style]').length,
      editorHTML: editor.innerHTML,
    };
  }, from);
}

eachDatabase('paste: Google Docs and Word keep their formatting under the strict CSP', async ({ t, db, start, browser }) => {
  // Pasting is the browser's work alone (the editor cleans the clipboard
  // HTML before ProseMirror parses it; the server only stores the result,
  // which the editing flows already check on both databases), so one
  // database is enough.
  if (db !== 'sqlite') {
    t.skip('paste is pure browser behaviour; SQLite covers it');
    return;
  }
  const bureau = await start();
  const ed = await bureau.createUser({ role: 'editor', scope: 'office:occs' });
  const token = await bureau.login(ed.email);
  const list = await bureau.api(`/api/v1/admin/departments?q=${SLUG}&limit=100`, { token });
  assert.equal(list.status, 200, list.text);
  const id = list.json.data.find((d) => d.slug === SLUG)?.id;
  assert.ok(id, `no department ${SLUG} in ${list.text}`);

  const b = await browser();
  const { page } = b;
  await signIn(page, ed.email, ed.password, { base: bureau.url });
  await page.goto(bureau.admin(`/departments/${id}`));
  await waitForScreen(page, { heading: DEPARTMENT });
  const editor = page.getByRole('textbox', { name: 'Description' });
  await visible(editor);
  const before = await editor.evaluate((el) => ({ blocks: el.children.length, text: el.textContent }));
  assert.ok(before.text.trim(), 'the demo department has a description to paste after');

  // ---- Google Docs, at the end of the description (in a new paragraph).
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  const googleFrom = (await editor.evaluate((el) => el.children.length)) - 1;
  assert.equal(await paste(page, fixture('google-docs.html')), true, 'the editor did not handle the Google Docs paste');
  const g = await region(page, googleFrom);
  assert.ok(g.editorHTML.includes('Summer programs'), `the paste left no trace in the editor:\n${g.editorHTML}`);
  assert.deepEqual(g.tags, ['h2', 'p', 'ul', 'ol', 'p', 'p', 'p'], `Google Docs blocks:\n${g.editorHTML}`);
  // Bold and italic words survive, and only they are bold: the
  // docs-internal-guid wrapper did not make the whole paste bold.
  assert.deepEqual(g.bold, ['paid internships', 'Spring'], 'bold words from Google Docs');
  assert.deepEqual(g.italic, ['summer classes', 'Spring'], 'italic words from Google Docs');
  assert.ok(g.text.includes('Students can apply for paid internships and summer classes.'), g.text);
  assert.deepEqual(g.lists, [
    { tag: 'ul', items: ['Career fairs', 'College visits'] },
    { tag: 'ol', items: ['Pick a program', 'Apply by May 1'] },
  ]);
  assert.deepEqual(g.nested, [{ tag: 'ul', items: ['Spring fair in March'] }]);
  assert.deepEqual(g.unwanted, [], 'style, class or font markup from Google Docs');
  assert.equal(g.styled, 0, 'style attributes in the screen');

  // ---- Word, after that.
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  const wordFrom = (await editor.evaluate((el) => el.children.length)) - 1;
  assert.equal(await paste(page, fixture('word.html')), true, 'the editor did not handle the Word paste');
  const w = await region(page, wordFrom);
  assert.deepEqual(w.tags, ['h2', 'p', 'ul', 'p', 'ol', 'p', 'p'], `Word blocks:\n${w.editorHTML}`);
  assert.deepEqual(w.bold, ['every student', 'Counselors', 'March'], 'bold words from Word');
  assert.deepEqual(w.italic, ['twice a year', 'program guide'], 'italic words from Word');
  // Word's mso-list paragraphs became real lists, nested by level, with
  // bullets as <ul> and numbers as <ol>, and their markers gone.
  assert.deepEqual(w.lists, [
    { tag: 'ul', items: ['Career fairs', 'College visits'] },
    { tag: 'ol', items: ['Pick a program', 'Apply by May 1'] },
  ]);
  assert.deepEqual(w.nested, [
    { tag: 'ul', items: ['Spring fair in March'] },
    { tag: 'ol', items: ['Read the program guide'] },
  ]);
  assert.doesNotMatch(w.text, /·|§|mso|Calibri|Symbol|Times|StartFragment|\u00a0/, 'Word leftovers in the text');
  assert.deepEqual(w.unwanted, [], 'style, class or font markup from Word');
  assert.equal(w.styled, 0, 'style attributes in the screen');

  // What was there before is still there, before the pasted content.
  const now = await editor.evaluate((el) => el.textContent);
  assert.ok(now.startsWith(before.text), 'the description before the paste changed');

  // ---- Saved, the server holds the same clean HTML.
  await visible(page.getByText('Unsaved changes'));
  await page.getByRole('button', { name: 'Save draft' }).click();
  await visible(page.getByText(/^Saved at /));
  const r = await bureau.api(`/api/v1/admin/departments/${id}`, { token });
  assert.equal(r.status, 200, r.text);
  const html = r.json.data.description_html;
  const link = (href) => new RegExp(`<a href="${href.replace(/[.?/]/g, '\\$&')}"[^>]*>`);
  const expected = [
    '<h2>Summer programs</h2>',
    /<p>Students can apply for <strong>paid internships<\/strong> and <em>summer classes<\/em>\. See <a href="https:\/\/www\.cps\.edu\/academics\/"[^>]*>the academics page<\/a>\.<\/p>/,
    /<ul><li>(<p>)?Career fairs(<\/p>)?<ul><li>(<p>)?<strong><em>Spring<\/em><\/strong> fair in March(<\/p>)?<\/li><\/ul><\/li><li>(<p>)?College visits(<\/p>)?<\/li><\/ul>/,
    /<ol><li>(<p>)?Pick a program(<\/p>)?<\/li><li>(<p>)?Apply by May 1(<\/p>)?<\/li><\/ol>/,
    '<h2>What we offer</h2>',
    '<p>Our office helps <strong>every student</strong> plan for life after high school. ' +
      '<strong>Counselors</strong> meet with students <em>twice a year</em>, and the Career Center is open daily.</p>',
    /<ul><li>(<p>)?Career fairs(<\/p>)?<ul><li>(<p>)?Spring fair in <strong>March<\/strong>(<\/p>)?<\/li><\/ul><\/li><li>(<p>)?College visits(<\/p>)?<\/li><\/ul>/,
    /<ol><li>(<p>)?Pick a program(<\/p>)?<ol><li>(<p>)?Read the <em>program guide<\/em>(<\/p>)?<\/li><\/ol><\/li><li>(<p>)?Apply by <a href="https:\/\/www\.cps\.edu\/apply\/"[^>]*>May 1<\/a>(<\/p>)?<\/li><\/ol>/,
  ];
  for (const want of expected) {
    if (typeof want === 'string') assert.ok(html.includes(want), `description_html lacks ${want}:\n${html}`);
    else assert.match(html, want, `description_html:\n${html}`);
  }
  assert.match(html, link('mailto:occs@cps.edu'));
  assert.doesNotMatch(html, /<strong>(Students|Summer|Our office)/, 'the paste was made bold');
  assert.doesNotMatch(html, /style=|class=|<span|<font|<b[ >]|<i[ >]|docs-internal-guid|mso|o:p|Calibri|Arial|&nbsp;|\u00a0/, `description_html:\n${html}`);

  // The CSP guard saw nothing: no style attribute reached the page (the
  // harness also fails the test on any report or uncaught error).
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP reports on the edit screen');
  assert.deepEqual(b.problems, [], 'the browser reported problems');
});
