// Editor commands and the toolbar's view of the selection, kept out of the
// component so they can be tested on an EditorState alone.
import { AllSelection, type Command, type EditorState, Plugin, type Selection, TextSelection } from 'prosemirror-state';
import { type MarkType, type Node as PMNode, type NodeType } from 'prosemirror-model';
import { lift, setBlockType, toggleMark, wrapIn } from 'prosemirror-commands';
import { liftListItem, sinkListItem, splitListItem, wrapInList } from 'prosemirror-schema-list';
import { schema } from './schema';
import { normalizeHref } from './html';

const { paragraph, heading, blockquote, bullet_list, ordered_list, list_item, hard_break } = schema.nodes;

// toggle: when all of the selection has the mark it goes, otherwise the
// whole selection gets it (as in word processors; the button shows pressed
// only when all of it has the mark).
export const toggleBold = toggleMark(schema.marks.strong, null, { removeWhenPresent: false });
export const toggleItalic = toggleMark(schema.marks.em, null, { removeWhenPresent: false });

export function markActive(state: EditorState, type: MarkType): boolean {
  const { empty, $from, ranges } = state.selection;
  if (empty) return !!type.isInSet(state.storedMarks ?? $from.marks());
  let seen = false;
  const all = ranges.every((r) => {
    let missing = false;
    state.doc.nodesBetween(r.$from.pos, r.$to.pos, (node, pos, parent) => {
      if (missing || !node.isInline || !parent?.type.allowsMarkType(type)) return !missing;
      if (node.isText && /^\s*$/.test(node.textBetween(Math.max(0, r.$from.pos - pos), Math.min(node.nodeSize, r.$to.pos - pos)))) return true;
      seen = true;
      missing = !type.isInSet(node.marks);
      return true;
    });
    return !missing;
  });
  return seen && all;
}

export type BlockType = 'p' | 'h2' | 'h3' | 'h4' | 'mixed';

// blockType of the text blocks the selection touches.
export function blockType(state: EditorState): BlockType {
  const { from, to } = state.selection;
  let found: BlockType | null = null;
  state.doc.nodesBetween(from, to, (node) => {
    if (!node.isTextblock) return true;
    const t: BlockType = node.type === heading ? (`h${node.attrs.level}` as BlockType) : 'p';
    found = found === null || found === t ? t : 'mixed';
    return false;
  });
  return found ?? 'p';
}

export function setBlock(type: Exclude<BlockType, 'mixed'>): Command {
  return viaText(type === 'p' ? setBlockType(paragraph) : setBlockType(heading, { level: Number(type.slice(1)) }));
}

// textSelection: "select all" (Ctrl+A) gives an AllSelection, which sits
// outside every block; block commands and the toolbar read it as the text
// selection from the first to the last character.
function textSelection(state: EditorState): Selection {
  const sel = state.selection;
  if (!(sel instanceof AllSelection)) return sel;
  return TextSelection.between(state.doc.resolve(0), state.doc.resolve(state.doc.content.size));
}

// viaText runs a block command with an AllSelection first turned into that
// text selection.
export function viaText(command: Command): Command {
  return (state, dispatch, view) => {
    if (!(state.selection instanceof AllSelection)) return command(state, dispatch, view);
    const tr = state.tr.setSelection(textSelection(state));
    if (!dispatch || !view) return command(state.apply(tr), undefined, view);
    view.dispatch(tr);
    return command(view.state, view.dispatch, view);
  };
}

function ancestor(state: EditorState, match: (n: PMNode) => boolean): { node: PMNode; pos: number } | null {
  const { $from } = textSelection(state);
  for (let d = $from.depth; d > 0; d--) {
    const node = $from.node(d);
    if (match(node)) return { node, pos: $from.before(d) };
  }
  return null;
}

const isList = (n: PMNode) => n.type === bullet_list || n.type === ordered_list;

// listType: the innermost list around the selection, if any.
export function listType(state: EditorState): NodeType | null {
  return ancestor(state, isList)?.node.type ?? null;
}

// toggleList: out of the list when already in one of this kind, switch the
// kind of the list when in the other, otherwise make the blocks a list.
export function toggleList(type: NodeType): Command {
  return viaText((state, dispatch) => {
    const list = ancestor(state, isList);
    if (list && list.node.type === type) return liftListItem(list_item)(state, dispatch);
    if (list) {
      if (dispatch) dispatch(state.tr.setNodeMarkup(list.pos, type).scrollIntoView());
      return true;
    }
    return wrapInList(type)(state, dispatch);
  });
}

export function inQuote(state: EditorState): boolean {
  return ancestor(state, (n) => n.type === blockquote) !== null;
}

// toggleQuote wraps the selected blocks in a quote, or takes them out of the
// quote they are in.
export const toggleQuote: Command = viaText((state, dispatch) => {
  if (!inQuote(state)) return wrapIn(blockquote)(state, dispatch);
  const { $from, $to } = state.selection;
  const range = $from.blockRange($to, (n) => n.type === blockquote);
  if (!range) return lift(state, dispatch);
  try {
    const tr = state.tr.lift(range, range.depth - 1);
    if (dispatch) dispatch(tr.scrollIntoView());
    return true;
  } catch {
    return lift(state, dispatch);
  }
});

export const indent = viaText(sinkListItem(list_item));
export const outdent = viaText(liftListItem(list_item));
export const splitItem = splitListItem(list_item);

// liftAtItemStart: Backspace at the very start of a list item takes the item
// out of the list (one level), rather than joining it with the item above.
export const liftAtItemStart: Command = (state, dispatch) => {
  const { $cursor } = state.selection as TextSelection;
  if (!$cursor || $cursor.parentOffset > 0 || $cursor.depth < 2) return false;
  const item = $cursor.node(-1);
  if (item.type !== list_item || $cursor.index(-1) !== 0) return false;
  return liftListItem(list_item)(state, dispatch);
};

export const insertHardBreak: Command = (state, dispatch) => {
  if (dispatch) dispatch(state.tr.replaceSelectionWith(hard_break.create()).scrollIntoView());
  return true;
};

// keepSelectionInText: a click in the empty space below the last paragraph
// can leave the browser's caret between blocks, where typing or pasting
// would start a new block after the text instead of going into it. Such a
// selection is moved to the nearest text.
export const keepSelectionInText = new Plugin({
  appendTransaction(_trs, _old, state) {
    const sel = state.selection;
    if (!(sel instanceof TextSelection)) return null;
    if (sel.$anchor.parent.inlineContent && sel.$head.parent.inlineContent) return null;
    return state.tr.setSelection(TextSelection.between(sel.$anchor, sel.$head));
  },
});

// Links

export interface LinkRange {
  from: number;
  to: number;
  href: string;
}

// linkAt finds the link the selection is inside, with its whole extent.
export function linkAt(state: EditorState): LinkRange | null {
  const type = schema.marks.link;
  const { $from, from, to, empty } = state.selection;
  const probe = $from.nodeAfter && type.isInSet($from.nodeAfter.marks) ? $from.nodeAfter : empty ? $from.nodeBefore : null;
  const mark = probe ? type.isInSet(probe.marks) : null;
  if (!mark) return null;
  const start = $from.start();
  let run: LinkRange | null = null;
  let found: LinkRange | null = null;
  $from.parent.forEach((child, offset) => {
    const childFrom = start + offset;
    const childTo = childFrom + child.nodeSize;
    if (mark.isInSet(child.marks)) {
      run = run ? { ...run, to: childTo } : { from: childFrom, to: childTo, href: mark.attrs.href as string };
    } else {
      run = null;
    }
    if (run && run.from <= from && run.to >= to) found = run;
  });
  return found;
}

// linkHref reads what a person typed as a link target: a full address, or
// "cps.edu" / "name@cps.edu" without the scheme. It returns the address to
// store, or a plain-language reason it cannot be used.
export function linkHref(input: string): { href: string } | { error: string } {
  let text = input.trim();
  if (text === '') return { error: 'Enter a web address or an email address.' };
  if (/\s/.test(text)) return { error: 'A web address cannot contain spaces. Check it for typing mistakes.' };
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) {
    if (/^[^@/]+@[^@/]+\.[^@/]+$/.test(text)) text = 'mailto:' + text;
    else if (/^\/\//.test(text)) text = 'https:' + text;
    else if (/^[^/?#:]+\.[^/?#:]+([/?#:]|$)/.test(text)) text = 'https://' + text;
    else return { error: 'Enter a full web address, starting with https://, or an email address.' };
  }
  const scheme = text.slice(0, text.indexOf(':')).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'mailto') {
    return { error: 'Links can only go to web pages (http:// or https://) or to an email address (mailto:).' };
  }
  if (scheme === 'mailto') {
    if (!/^mailto:[^@]+@[^@]+$/i.test(text.split('?')[0])) return { error: 'This email address looks incomplete. It should look like name@example.org.' };
  } else {
    let host = '';
    try {
      host = new URL(text).hostname;
    } catch {
      host = '';
    }
    if (!/^\/\//.test(text.slice(scheme.length + 1)) || host === '') {
      return { error: 'This web address looks incomplete. It should look like https://www.example.org/page.' };
    }
  }
  const href = normalizeHref(text);
  if (href === null) return { error: 'This web address is not valid. Check it for typing mistakes.' };
  return { href };
}

// setLink gives the range the link (replacing any link there), or, for an
// empty range, inserts `text` as a linked text.
export function setLink(range: { from: number; to: number }, href: string, text: string): Command {
  return (state, dispatch) => {
    const mark = schema.marks.link.create({ href });
    let tr = state.tr;
    if (range.from === range.to) {
      const marks = schema.marks.link.removeFromSet(state.storedMarks ?? state.doc.resolve(range.from).marks());
      const label = text.trim() || href.replace(/^mailto:/, '');
      tr = tr.insert(range.from, schema.text(label, mark.addToSet(marks)));
      tr = tr.setSelection(TextSelection.create(tr.doc, range.from + label.length));
    } else {
      tr = tr.removeMark(range.from, range.to, schema.marks.link).addMark(range.from, range.to, mark);
    }
    if (dispatch) dispatch(tr.scrollIntoView());
    return true;
  };
}

export function removeLink(range: { from: number; to: number }): Command {
  return (state, dispatch) => {
    if (dispatch) dispatch(state.tr.removeMark(range.from, range.to, schema.marks.link).scrollIntoView());
    return true;
  };
}
