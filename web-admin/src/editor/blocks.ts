// readBlocks turns any DOM tree into the editor's vocabulary as HTML:
// paragraphs, h2-h4, blockquotes, lists, and inline text with bold, italic,
// links and line breaks. Unknown wrappers are unwrapped, block containers
// (div, table cells, ...) become paragraph boundaries, and everything that is
// not text (images, scripts, styles, comments, form controls) is dropped.
//
// It backs both canonicalHTML (a comparison form of stored descriptions) and
// the paste cleaner, which also reads bold and italic from style attributes.
// It imports no ProseMirror.
import { boldTagIsBold, fontStyle, fontWeight, isGoogleDocsWrapper, italicTagIsItalic, noMarks, normalizeHref, renderInline, styleAttr, styleDeclarations, type Marks, type Piece } from './html';

export interface ReadOptions {
  // Pasted content: read font-weight/font-style from style attributes, turn
  // non-breaking spaces into spaces, drop empty and break-only paragraphs,
  // and drop bold inside headings (headings are bold already).
  pasted: boolean;
}

interface Block {
  tag: string;
  html: string;
}

const SKIP = new Set([
  'script', 'style', 'template', 'head', 'title', 'meta', 'link', 'base', 'noscript', 'object',
  'embed', 'iframe', 'frame', 'frameset', 'img', 'picture', 'svg', 'math', 'video', 'audio',
  'canvas', 'map', 'input', 'button', 'select', 'textarea', 'option', 'datalist', 'xml', 'o:p',
  'v:shape', 'v:imagedata', 'hr', 'wbr',
]);

const CONTAINERS = new Set([
  'html', 'body', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'nav',
  'figure', 'figcaption', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'caption',
  'dl', 'dt', 'dd', 'form', 'fieldset', 'legend', 'address', 'center', 'hgroup', 'details',
  'summary', 'li', 'pre', 'dir', 'menu',
]);

const HEADINGS: Record<string, string> = { h1: 'h2', h2: 'h2', h3: 'h3', h4: 'h4', h5: 'h4', h6: 'h4' };

class Builder {
  blocks: Block[] = [];
  private run: Piece[] = [];
  private kind = 'p';
  constructor(private options: ReadOptions) {}

  text(text: string, marks: Marks): void {
    this.run.push({ text, marks });
  }
  br(marks: Marks): void {
    this.run.push({ br: true, marks });
  }
  // startTextBlock ends any loose text and makes what follows a tag block.
  startTextBlock(tag: string): void {
    this.flush();
    this.kind = tag;
  }
  push(block: Block): void {
    this.flush();
    this.blocks.push(block);
  }

  // flush writes the pending inline run as a block of the current kind.
  flush(): void {
    const pieces = this.normalize(this.run);
    const tag = this.kind;
    this.run = [];
    this.kind = 'p';
    const hasText = pieces.some((p) => 'text' in p);
    if (pieces.length === 0 || (this.options.pasted && !hasText)) return;
    if (this.options.pasted && tag !== 'p') {
      for (const p of pieces) p.marks = { ...p.marks, strong: false };
    }
    this.blocks.push({ tag, html: `<${tag}>${renderInline(pieces)}</${tag}>` });
  }

  // normalize collapses white space the way HTML renders it (and the way
  // ProseMirror parses it): runs become one space, none at the start of a
  // block or after a line break, none at the end.
  private normalize(run: Piece[]): Piece[] {
    const out: Piece[] = [];
    let atStart = true;
    for (const piece of run) {
      if ('br' in piece) {
        out.push(piece);
        atStart = true;
        continue;
      }
      let text = piece.text;
      if (this.options.pasted) text = text.replace(/\u00a0/g, ' ');
      text = text.replace(/[ \t\n\r\f]+/g, ' ');
      if (atStart) text = text.replace(/^ /, '');
      if (text === '') continue;
      atStart = text.endsWith(' ');
      out.push({ text, marks: piece.marks });
    }
    // Trailing spaces go, before the end of the block and before each break.
    for (let i = out.length - 1; i >= 0; i--) {
      const p = out[i];
      const next = out[i + 1];
      if ('text' in p && (next === undefined || 'br' in next)) {
        p.text = p.text.replace(/ $/, '');
        if (p.text === '') out.splice(i, 1);
      }
    }
    if (this.options.pasted) {
      // Word and Google Docs end paragraphs with stray breaks.
      while (out.length > 0 && 'br' in out[out.length - 1]) out.pop();
      while (out.length > 0 && 'br' in out[0]) out.shift();
    }
    return out;
  }
}

class Reader {
  constructor(private options: ReadOptions) {}

  read(root: Node): string {
    const b = new Builder(this.options);
    this.children(root, noMarks, b);
    b.flush();
    return b.blocks.map((x) => x.html).join('');
  }

  private children(parent: Node, marks: Marks, b: Builder): void {
    for (let child = parent.firstChild; child; child = child.nextSibling) this.node(child, marks, b);
  }

  private node(node: Node, marks: Marks, b: Builder): void {
    if (node.nodeType === 3) {
      b.text(node.nodeValue ?? '', marks);
      return;
    }
    if (node.nodeType !== 1) return; // comments, processing instructions
    const el = node as Element;
    const tag = el.nodeName.toLowerCase();
    if (SKIP.has(tag)) return;
    if (tag === 'br') {
      if (!el.classList.contains('Apple-interchange-newline')) b.br(marks);
      return;
    }
    if (tag === 'p' || tag in HEADINGS) {
      b.startTextBlock(tag === 'p' ? 'p' : HEADINGS[tag]);
      this.children(el, this.marksOf(el, marks), b);
      b.flush();
      return;
    }
    if (tag === 'blockquote') {
      const inner = new Builder(this.options);
      this.children(el, this.marksOf(el, marks), inner);
      inner.flush();
      if (inner.blocks.length > 0) b.push({ tag, html: `<blockquote>${inner.blocks.map((x) => x.html).join('')}</blockquote>` });
      else b.flush();
      return;
    }
    if (tag === 'ul' || tag === 'ol') {
      const items = this.listItems(el, this.marksOf(el, marks));
      if (items.length > 0) b.push({ tag, html: `<${tag}>${items.join('')}</${tag}>` });
      else b.flush();
      return;
    }
    if (CONTAINERS.has(tag)) {
      b.flush();
      this.children(el, this.marksOf(el, marks), b);
      b.flush();
      return;
    }
    this.children(el, this.marksOf(el, marks), b);
  }

  // listItems reads a list's items. A list placed straight inside a list
  // (Google Docs writes nested lists that way) belongs to the item before it.
  private listItems(list: Element, marks: Marks): string[] {
    const items: Builder[] = [];
    let loose: Builder | null = null;
    for (let child = list.firstChild; child; child = child.nextSibling) {
      const name = child.nodeName.toLowerCase();
      if (name === 'li') {
        loose = null;
        const item = new Builder(this.options);
        this.children(child, this.marksOf(child as Element, marks), item);
        item.flush();
        items.push(item);
      } else if (name === 'ul' || name === 'ol') {
        loose = null;
        const host = items[items.length - 1] ?? new Builder(this.options);
        if (items.length === 0) items.push(host);
        this.node(child, marks, host);
        host.flush();
      } else if (child.nodeType === 3 && !/\S/.test(child.nodeValue ?? '')) {
        continue;
      } else {
        // Text or inline markup straight inside a list: an item of its own.
        if (!loose) {
          loose = new Builder(this.options);
          items.push(loose);
        }
        this.node(child, marks, loose);
      }
    }
    return items.map((item) => {
      item.flush();
      return `<li>${itemHTML(item.blocks)}</li>`;
    });
  }

  private marksOf(el: Element, outer: Marks): Marks {
    const tag = el.nodeName.toLowerCase();
    let { href, strong, em } = outer;
    // As in the schema's parse rules, a tag can only add its mark; a <b>
    // whose own style says normal (Google Docs' wrapper) adds nothing.
    if ((tag === 'b' || tag === 'strong') && boldTagIsBold(el)) strong = true;
    if ((tag === 'i' || tag === 'em') && italicTagIsItalic(el)) em = true;
    if (tag === 'a') href = normalizeHref(el.getAttribute('href')) ?? href;
    const styleText = this.options.pasted ? styleAttr(el) : null;
    if (styleText) {
      const style = styleDeclarations(styleText);
      const w = fontWeight(style.get('font-weight'));
      if (w !== null && !isGoogleDocsWrapper(el)) strong = w;
      const s = fontStyle(style.get('font-style'));
      if (s !== null) em = s;
    }
    if (href === outer.href && strong === outer.strong && em === outer.em) return outer;
    return { href, strong, em };
  }
}

// itemHTML writes a list item's blocks tight (no <p>) when it holds one
// paragraph followed only by nested lists, as the serializer does.
function itemHTML(blocks: Block[]): string {
  if (blocks.length === 0) return '';
  const tight = blocks[0].tag === 'p' && blocks.slice(1).every((x) => x.tag === 'ul' || x.tag === 'ol');
  if (!tight) return blocks.map((x) => x.html).join('');
  return blocks[0].html.slice(3, -4) + blocks.slice(1).map((x) => x.html).join('');
}

export function readBlocks(root: Node, options: ReadOptions): string {
  return new Reader(options).read(root);
}

// parseFragment parses HTML into an inert document (no scripts run, nothing
// loads) and returns its body.
export function parseFragment(html: string): HTMLElement {
  return new DOMParser().parseFromString(html, 'text/html').body;
}
