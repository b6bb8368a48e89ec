// HTML in and out of the editor, in the exact form the server stores
// (models/richtext.go): the server's sanitizer leaves this output
// byte-for-byte as it is, so what the editor last emitted is what a reload
// brings back.
//
//   - list items holding one paragraph (and maybe nested lists) are written
//     tight: <li>text</li>, as the demo content stores them; others keep
//     their <p>s;
//   - links carry rel="noopener", as the server adds it;
//   - text is escaped like Go's html.EscapeString (' -> &#39;, " -> &#34;);
//   - a line break is <br/>, the form the server writes back;
//   - an empty document is the empty string.
import { DOMParser as PMDOMParser, type Node as PMNode } from 'prosemirror-model';
import { schema } from './schema';
import { renderInline, type Piece, type Marks } from './html';

const parser = PMDOMParser.fromSchema(schema);

// parseHTML reads stored (or any) HTML into a document of the schema.
export function parseHTML(html: string): PMNode {
  const body = new DOMParser().parseFromString(`<!doctype html><body>${html}`, 'text/html').body;
  return parser.parse(body);
}

export function serialize(doc: PMNode): string {
  if (doc.childCount === 1 && doc.firstChild!.type === schema.nodes.paragraph && doc.firstChild!.content.size === 0) {
    return '';
  }
  return blocks(doc);
}

function blocks(parent: PMNode): string {
  let out = '';
  parent.forEach((child) => {
    out += block(child);
  });
  return out;
}

function block(node: PMNode): string {
  switch (node.type.name) {
    case 'paragraph':
      return `<p>${inline(node)}</p>`;
    case 'heading': {
      const tag = 'h' + node.attrs.level;
      return `<${tag}>${inline(node)}</${tag}>`;
    }
    case 'blockquote':
      return `<blockquote>${blocks(node)}</blockquote>`;
    case 'bullet_list':
      return `<ul>${blocks(node)}</ul>`;
    case 'ordered_list':
      return `<ol>${blocks(node)}</ol>`;
    case 'list_item':
      return `<li>${listItem(node)}</li>`;
    default:
      return '';
  }
}

function isList(node: PMNode): boolean {
  return node.type === schema.nodes.bullet_list || node.type === schema.nodes.ordered_list;
}

// isTight: one paragraph, then nothing but nested lists.
export function isTight(item: PMNode): boolean {
  let tight = item.firstChild?.type === schema.nodes.paragraph;
  item.forEach((child, _offset, index) => {
    if (index > 0 && !isList(child)) tight = false;
  });
  return tight;
}

function listItem(item: PMNode): string {
  if (!isTight(item)) return blocks(item);
  let out = inline(item.firstChild!);
  item.forEach((child, _offset, index) => {
    if (index > 0) out += block(child);
  });
  return out;
}

function inline(node: PMNode): string {
  const pieces: Piece[] = [];
  node.forEach((child) => {
    const marks: Marks = { href: null, strong: false, em: false };
    for (const m of child.marks) {
      if (m.type === schema.marks.link) marks.href = m.attrs.href as string;
      else if (m.type === schema.marks.strong) marks.strong = true;
      else if (m.type === schema.marks.em) marks.em = true;
    }
    if (child.isText) pieces.push({ text: child.text!, marks });
    else if (child.type === schema.nodes.hard_break) pieces.push({ br: true, marks });
  });
  return renderInline(pieces);
}
