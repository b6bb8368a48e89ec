// What typing and the list keys do, tested on EditorState: jsdom cannot type
// into a contenteditable, so these run the same commands the keymap runs.
import { describe, expect, it, vi } from 'vitest';
import { EditorState, Selection, TextSelection, type Command } from 'prosemirror-state';
import { baseKeymap, chainCommands } from 'prosemirror-commands';
import { schema } from './schema';
import { parseHTML, serialize } from './serialize';
import {
  blockType, indent, insertHardBreak, keepSelectionInText, liftAtItemStart, linkAt, linkHref, listType, markActive, outdent,
  setLink, splitItem, toggleBold, toggleList, toggleQuote,
} from './commands';

// state builds a state from HTML with the cursor (or selection) at the text
// offsets marked by | in it.
function state(html: string): EditorState {
  const marks: number[] = [];
  const doc = parseHTML(html.replace(/\|/g, '\u2063'));
  doc.descendants((node, pos) => {
    if (node.isText) {
      for (let i = 0; i < node.text!.length; i++) if (node.text![i] === '\u2063') marks.push(pos + i - marks.length);
    }
  });
  const clean = parseHTML(html.replace(/\|/g, ''));
  const s = EditorState.create({ doc: clean });
  if (marks.length === 0) return s;
  return s.apply(s.tr.setSelection(TextSelection.create(clean, marks[0], marks[1] ?? marks[0])));
}

function apply(s: EditorState, command: Command): EditorState {
  let next = s;
  const ok = command(s, (tr) => (next = s.apply(tr)));
  expect(ok).toBe(true);
  return next;
}

const html = (s: EditorState) => serialize(s.doc);

describe('list keys', () => {
  it('Enter splits a list item, and leaves the list from an empty one', () => {
    let s = apply(state('<ul><li>one|two</li></ul>'), splitItem);
    expect(html(s)).toBe('<ul><li>one</li><li>two</li></ul>');
    const empty = state('<ul><li>one</li><li></li></ul>');
    // As in the editor's keymap: the list key first, then the base Enter.
    s = apply(empty.apply(empty.tr.setSelection(Selection.atEnd(empty.doc))), chainCommands(splitItem, baseKeymap.Enter));
    expect(html(s)).toBe('<ul><li>one</li></ul><p></p>');
  });

  it('Ctrl+] nests an item under the one before, Ctrl+[ takes it back out', () => {
    let s = apply(state('<ul><li>one</li><li>t|wo</li></ul>'), indent);
    expect(html(s)).toBe('<ul><li>one<ul><li>two</li></ul></li></ul>');
    s = apply(s, outdent);
    expect(html(s)).toBe('<ul><li>one</li><li>two</li></ul>');
    expect(indent(state('<ul><li>o|ne</li></ul>'))).toBe(false);
    expect(indent(state('<p>n|ot a list</p>'))).toBe(false);
  });

  it('Backspace at the start of an item lifts it out of the list', () => {
    const s = apply(state('<ul><li>one</li><li>|two</li></ul>'), liftAtItemStart);
    expect(html(s)).toBe('<ul><li>one</li></ul><p>two</p>');
    expect(liftAtItemStart(state('<ul><li>o|ne</li></ul>'))).toBe(false);
  });

  it('Shift+Enter inserts a line break', () => {
    expect(html(apply(state('<p>a|b</p>'), insertHardBreak))).toBe('<p>a<br/>b</p>');
  });
});

describe('selection', () => {
  it('moves a caret left between blocks into the nearest text', () => {
    const doc = parseHTML('<p>one</p>');
    const s = EditorState.create({ doc, plugins: [keepSelectionInText] });
    // The browser can put the caret after the last paragraph (position 5);
    // ProseMirror warns about such a selection, as it does in the browser.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const next = s.apply(s.tr.setSelection(new TextSelection(doc.resolve(5))));
    warn.mockRestore();
    expect(next.selection.$head.parent.type).toBe(schema.nodes.paragraph);
    expect(next.selection.head).toBe(4);
  });
});

describe('toolbar state and commands', () => {
  it('shows bold pressed only when all of the selection is bold, and bolds all of a mixed one', () => {
    const s = state('<p>|<strong>bold</strong> plain|</p>');
    expect(markActive(s, schema.marks.strong)).toBe(false);
    const bolded = apply(s, toggleBold);
    expect(html(bolded)).toBe('<p><strong>bold plain</strong></p>');
    expect(markActive(bolded, schema.marks.strong)).toBe(true);
  });

  it('switches a list between bullets and numbers, and out of a list', () => {
    let s = state('<ul><li>o|ne</li><li>two</li></ul>');
    expect(listType(s)).toBe(schema.nodes.bullet_list);
    s = apply(s, toggleList(schema.nodes.ordered_list));
    expect(html(s)).toBe('<ol><li>one</li><li>two</li></ol>');
    s = apply(s, toggleList(schema.nodes.ordered_list));
    expect(html(s)).toBe('<p>one</p><ol><li>two</li></ol>');
  });

  it('reads the block type and quotes', () => {
    expect(blockType(state('<h3>a|b</h3>'))).toBe('h3');
    expect(blockType(state('<h3>a|b</h3><p>c|d</p>'))).toBe('mixed');
    const s = apply(state('<p>a|b</p>'), toggleQuote);
    expect(html(s)).toBe('<blockquote><p>ab</p></blockquote>');
    expect(html(apply(s, toggleQuote))).toBe('<p>ab</p>');
  });
});

describe('links', () => {
  it('finds the whole link around the cursor', () => {
    const s = state('<p>See <a href="https://cps.edu/">the <strong>C|PS</strong> site</a> now</p>');
    expect(linkAt(s)).toEqual({ from: 5, to: 17, href: 'https://cps.edu/' });
    expect(linkAt(state('<p>|See</p>'))).toBeNull();
  });

  it('links a selection or inserts linked text at the cursor', () => {
    const s = state('<p>See |CPS| now</p>');
    const { from, to } = s.selection;
    expect(html(apply(s, setLink({ from, to }, 'https://cps.edu/', '')))).toBe('<p>See <a href="https://cps.edu/" rel="noopener">CPS</a> now</p>');
    const c = state('<p>Mail:|</p>');
    expect(html(apply(c, setLink({ from: c.selection.from, to: c.selection.from }, 'mailto:a@cps.edu', '')))).toBe(
      '<p>Mail:<a href="mailto:a@cps.edu" rel="noopener">a@cps.edu</a></p>',
    );
  });

  it('accepts web and email addresses and explains what it refuses', () => {
    expect(linkHref('https://www.cps.edu/academics/')).toEqual({ href: 'https://www.cps.edu/academics/' });
    expect(linkHref('  cps.edu ')).toEqual({ href: 'https://cps.edu' });
    expect(linkHref('www.cps.edu/a?b=1')).toEqual({ href: 'https://www.cps.edu/a?b=1' });
    expect(linkHref('occs@cps.edu')).toEqual({ href: 'mailto:occs@cps.edu' });
    expect(linkHref('MAILTO:occs@cps.edu')).toEqual({ href: 'mailto:occs@cps.edu' });
    expect(linkHref('HTTP://cps.edu')).toEqual({ href: 'http://cps.edu' });
    expect(linkHref('https://bücher.de/café')).toEqual({ href: 'https://xn--bcher-kva.de/caf%C3%A9' });
    for (const bad of ['', 'javascript:alert(1)', 'ftp://x.org', 'data:text/html,x', 'https://', 'hello', '/academics', 'https://x.org/a b', 'mailto:nobody']) {
      expect(linkHref(bad)).toHaveProperty('error');
    }
    expect(linkHref('javascript:alert(1)')).toEqual({ error: expect.stringMatching(/^Links can only go to web pages/) });
  });
});
