// The document model of a description: exactly what the server keeps
// (models/richtext.go) and nothing else, so whatever the editor shows is what
// gets published. Parsing drops everything the schema has no rule for.
import { Schema, type DOMOutputSpec, type TagParseRule } from 'prosemirror-model';
import { boldTagIsBold, italicTagIsItalic, normalizeHref } from './html';

const headingRules: TagParseRule[] = [
  { tag: 'h1', attrs: { level: 2 } },
  { tag: 'h2', attrs: { level: 2 } },
  { tag: 'h3', attrs: { level: 3 } },
  { tag: 'h4', attrs: { level: 4 } },
  { tag: 'h5', attrs: { level: 4 } },
  { tag: 'h6', attrs: { level: 4 } },
];

export const schema = new Schema({
  nodes: {
    doc: { content: 'block+' },
    paragraph: {
      group: 'block',
      content: 'inline*',
      parseDOM: [{ tag: 'p' }],
      toDOM: (): DOMOutputSpec => ['p', 0],
    },
    heading: {
      group: 'block',
      content: 'inline*',
      attrs: { level: { default: 2, validate: 'number' } },
      defining: true,
      parseDOM: headingRules,
      toDOM: (node): DOMOutputSpec => ['h' + node.attrs.level, 0],
    },
    blockquote: {
      group: 'block',
      content: 'block+',
      defining: true,
      parseDOM: [{ tag: 'blockquote' }],
      toDOM: (): DOMOutputSpec => ['blockquote', 0],
    },
    bullet_list: {
      group: 'block',
      content: 'list_item+',
      parseDOM: [{ tag: 'ul' }],
      toDOM: (): DOMOutputSpec => ['ul', 0],
    },
    ordered_list: {
      group: 'block',
      content: 'list_item+',
      parseDOM: [{ tag: 'ol' }],
      toDOM: (): DOMOutputSpec => ['ol', 0],
    },
    list_item: {
      content: 'paragraph block*',
      defining: true,
      parseDOM: [{ tag: 'li' }],
      toDOM: (): DOMOutputSpec => ['li', 0],
    },
    text: { group: 'inline' },
    hard_break: {
      group: 'inline',
      inline: true,
      selectable: false,
      parseDOM: [{ tag: 'br' }],
      toDOM: (): DOMOutputSpec => ['br'],
    },
  },
  // The order here is the nesting order in the HTML: links outermost.
  marks: {
    link: {
      attrs: { href: { validate: 'string' } },
      inclusive: false,
      parseDOM: [
        {
          tag: 'a[href]',
          getAttrs: (el) => {
            const href = normalizeHref((el as HTMLElement).getAttribute('href'));
            return href ? { href } : false;
          },
        },
      ],
      toDOM: (mark): DOMOutputSpec => ['a', { href: mark.attrs.href, rel: 'noopener' }, 0],
    },
    strong: {
      parseDOM: [
        { tag: 'strong', getAttrs: (el) => (boldTagIsBold(el as HTMLElement) ? null : false) },
        { tag: 'b', getAttrs: (el) => (boldTagIsBold(el as HTMLElement) ? null : false) },
      ],
      toDOM: (): DOMOutputSpec => ['strong', 0],
    },
    em: {
      parseDOM: [
        { tag: 'em', getAttrs: (el) => (italicTagIsItalic(el as HTMLElement) ? null : false) },
        { tag: 'i', getAttrs: (el) => (italicTagIsItalic(el as HTMLElement) ? null : false) },
      ],
      toDOM: (): DOMOutputSpec => ['em', 0],
    },
  },
});

export const nodes = schema.nodes;
export const marks = schema.marks;
