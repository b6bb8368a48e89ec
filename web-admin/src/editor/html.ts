// Small HTML helpers shared by the editor's schema, serializer, paste cleaner
// and canonical form. Nothing here imports ProseMirror: canonical.ts runs on
// the edit screen before the editor is loaded.

// escapeHTML escapes text and attribute values exactly like Go's
// html.EscapeString, which is what the server (bluemonday, then
// golang.org/x/net/html when it adds rel="noopener") writes. Escaping the
// same characters keeps the editor's output byte-identical once stored.
export function escapeHTML(s: string): string {
  return s.replace(/[&'<>"\r]/g, (c) => ESCAPES[c]);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  '\r': '&#13;',
};

// STYLE_ATTR is where the paste cleaner moves style attributes before
// parsing (see paste.ts); styleAttr reads either.
export const STYLE_ATTR = 'data-pasted-style';

export function styleAttr(el: Element): string | null {
  return el.getAttribute(STYLE_ATTR) ?? el.getAttribute('style');
}

// styleDeclarations reads a style attribute's text into property -> value.
// Pasted HTML is read this way, never through el.style: under the strict CSP
// Chromium leaves el.style empty even in DOMParser documents.
export function styleDeclarations(style: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!style) return out;
  for (const part of style.split(';')) {
    const colon = part.indexOf(':');
    if (colon < 0) continue;
    const name = part.slice(0, colon).trim().toLowerCase();
    const value = part
      .slice(colon + 1)
      .replace(/!important/i, '')
      .trim()
      .toLowerCase();
    if (name) out.set(name, value);
  }
  return out;
}

// fontWeight says whether a font-weight value means bold (true), not bold
// (false) or nothing we understand (null).
export function fontWeight(value: string | undefined): boolean | null {
  if (value === undefined || value === '') return null;
  if (value === 'bold' || value === 'bolder') return true;
  if (value === 'normal' || value === 'lighter') return false;
  const n = Number(value);
  if (Number.isFinite(n)) return n >= 600;
  return null;
}

// fontStyle says whether a font-style value means italic.
export function fontStyle(value: string | undefined): boolean | null {
  if (value === undefined || value === '') return null;
  if (value.startsWith('italic') || value.startsWith('oblique')) return true;
  if (value === 'normal') return false;
  return null;
}

// isGoogleDocsWrapper recognises the <b id="docs-internal-guid-…"> that
// Google Docs wraps around everything it puts on the clipboard. It is not
// bold and must not make the paste bold.
export function isGoogleDocsWrapper(el: Element): boolean {
  return (el.getAttribute('id') ?? '').startsWith('docs-internal-guid');
}

// boldTagIsBold: a <b> or <strong> is bold unless its own style says
// otherwise (Google Docs' wrapper, Word's rare font-weight:normal).
export function boldTagIsBold(el: Element): boolean {
  if (isGoogleDocsWrapper(el)) return false;
  return fontWeight(styleDeclarations(styleAttr(el)).get('font-weight')) !== false;
}

export function italicTagIsItalic(el: Element): boolean {
  return fontStyle(styleDeclarations(styleAttr(el)).get('font-style')) !== false;
}

const PATH_ESCAPE = /[^\x21-\x7e]|["<>\\^`{|}]/gu;
const FRAGMENT_ESCAPE = /[^\x21-\x7e]|["<>\\^`{|}#]/gu;

function percentEncode(s: string, re: RegExp): string {
  return s.replace(re, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return ''; // a lone surrogate: not text anyone meant to link to
    }
  });
}

// normalizeHref returns the form of a link target the server keeps, or null
// when the server would drop the link. The server allows http, https and
// mailto, lower-cases the scheme, refuses addresses with spaces or broken
// %-escapes, and %-encodes what Go's net/url encodes in the path and the
// fragment. Non-ASCII text, which the server refuses, is encoded here (the
// host name in its punycode form) so such links survive.
export function normalizeHref(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const href = raw.trim();
  if (href === '' || /[\s\u0000-\u001f\u007f]/u.test(href)) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href);
  if (!scheme) return null;
  const name = scheme[1].toLowerCase();
  let rest = href.slice(scheme[0].length);
  if (name === 'mailto') {
    rest = percentEncode(rest, /[^\x21-\x7e]/gu);
  } else if (name === 'http' || name === 'https') {
    if (rest.startsWith('//')) {
      const end = rest.slice(2).search(/[/?#]/);
      let authority = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
      const tail = end < 0 ? '' : rest.slice(2 + end);
      if (/[^\x00-\x7f]/.test(authority)) {
        try {
          authority = new URL(`${name}://${authority}`).host;
        } catch {
          return null;
        }
      }
      rest = '//' + authority + encodeTail(tail);
    } else {
      rest = encodeTail(rest);
    }
  } else {
    return null;
  }
  if (/%(?![0-9a-f]{2})/i.test(rest)) return null;
  return name + ':' + rest;
}

function encodeTail(tail: string): string {
  const hash = tail.indexOf('#');
  const beforeHash = hash < 0 ? tail : tail.slice(0, hash);
  const fragment = hash < 0 ? null : tail.slice(hash + 1);
  const q = beforeHash.indexOf('?');
  const path = q < 0 ? beforeHash : beforeHash.slice(0, q);
  const query = q < 0 ? null : beforeHash.slice(q + 1);
  let out = percentEncode(path, PATH_ESCAPE);
  if (query !== null) out += '?' + percentEncode(query, /[^\x21-\x7e]/gu);
  if (fragment !== null) out += '#' + percentEncode(fragment, FRAGMENT_ESCAPE);
  return out;
}

// Inline content as a flat run of pieces, each with its marks. Both the
// serializer (from a ProseMirror paragraph) and the canonical form (from a
// DOM tree) turn their input into this and render it the same way, so they
// nest and merge marks identically.
export interface Marks {
  href: string | null;
  strong: boolean;
  em: boolean;
}

export type Piece = { text: string; marks: Marks } | { br: true; marks: Marks };

export const noMarks: Marks = { href: null, strong: false, em: false };

function sameMarks(a: Marks, b: Marks): boolean {
  return a.href === b.href && a.strong === b.strong && a.em === b.em;
}

type OpenMark = { kind: 'a'; href: string } | { kind: 'strong' } | { kind: 'em' };

// Marks nest in one fixed order, outermost first: link, strong, em.
function markList(m: Marks): OpenMark[] {
  const list: OpenMark[] = [];
  if (m.href !== null) list.push({ kind: 'a', href: m.href });
  if (m.strong) list.push({ kind: 'strong' });
  if (m.em) list.push({ kind: 'em' });
  return list;
}

function sameOpen(a: OpenMark, b: OpenMark): boolean {
  return a.kind === b.kind && (a.kind !== 'a' || a.href === (b as { href: string }).href);
}

function openTag(m: OpenMark): string {
  return m.kind === 'a' ? `<a href="${escapeHTML(m.href)}" rel="noopener">` : `<${m.kind}>`;
}

function closeTag(m: OpenMark): string {
  return `</${m.kind}>`;
}

// renderInline writes pieces as HTML, merging neighbours with equal marks and
// keeping a mark open across pieces that share it.
export function renderInline(pieces: Piece[]): string {
  const merged: Piece[] = [];
  for (const p of pieces) {
    const last = merged[merged.length - 1];
    if ('text' in p) {
      if (p.text === '') continue;
      if (last && 'text' in last && sameMarks(last.marks, p.marks)) {
        merged[merged.length - 1] = { text: last.text + p.text, marks: p.marks };
        continue;
      }
    }
    merged.push(p);
  }
  let out = '';
  let open: OpenMark[] = [];
  for (const p of merged) {
    const want = markList(p.marks);
    let keep = 0;
    while (keep < open.length && keep < want.length && sameOpen(open[keep], want[keep])) keep++;
    for (let i = open.length - 1; i >= keep; i--) out += closeTag(open[i]);
    for (let i = keep; i < want.length; i++) out += openTag(want[i]);
    open = want;
    out += 'text' in p ? escapeHTML(p.text) : '<br/>';
  }
  for (let i = open.length - 1; i >= 0; i--) out += closeTag(open[i]);
  return out;
}
