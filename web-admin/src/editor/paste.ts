// cleanPastedHTML turns what Word, Google Docs or a web page put on the
// clipboard into the editor's small vocabulary before ProseMirror parses it.
//
// Why before: under the strict CSP (style-src 'self') Chromium leaves
// el.style empty even in DOMParser documents, so a parser that asks el.style
// loses Google Docs' bold and italic (which live in style attributes) and
// takes Google Docs' <b style="font-weight:normal"> wrapper for bold. Here
// styles are read from getAttribute('style') text. Word's list paragraphs
// (<p style="mso-list:l0 level1 lfo1"> with a typed bullet or number in
// front) become real nested <ul>/<ol> lists.
//
// Everything else goes: fonts, colours, sizes, classes, comments, Word's
// <o:p>, conditional comments, images; tables keep their text as paragraphs.
import { parseFragment, readBlocks } from './blocks';
import { escapeHTML, STYLE_ATTR, styleAttr, styleDeclarations } from './html';

// hideStyles renames style attributes to STYLE_ATTR and drops <style>
// elements before the HTML is parsed. Parsing them is harmless (the CSP
// blocks them) but Chromium reports every one as a CSP violation, dozens per
// paste from Google Docs, which would bury real reports. A tag this does not
// recognise keeps its style attribute and is still read correctly.
const TAG = /<[a-zA-Z][^\s/>]*(?:\s*(?:[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]*))?|\/))*\s*>/g;
const ATTR = /([^\s"'>/=]+)(\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]*))?/g;

function hideStyles(html: string): string {
  return html
    .replace(/<style[\s>][\s\S]*?<\/style\s*>/gi, '')
    .replace(TAG, (tag) => {
      const open = /^<[a-zA-Z][^\s/>]*/.exec(tag)![0];
      return open + tag.slice(open.length).replace(ATTR, (attr, name: string, value: string | undefined) =>
        name.toLowerCase() === 'style' ? STYLE_ATTR + (value ?? '') : attr,
      );
    });
}

export function cleanPastedHTML(html: string): string {
  const body = parseFragment(hideStyles(html));
  convertWordLists(body);
  const clean = readBlocks(body, { pasted: true });
  return keepSliceInfo(html, clean);
}

interface WordItem {
  para: Element;
  level: number;
  list: string;
  ordered: boolean;
}

// Word list paragraphs carry style="mso-list:l1 level2 lfo3": list l1,
// nesting level 2.
function wordListInfo(el: Element): { list: string; level: number } | null {
  const value = styleDeclarations(styleAttr(el)).get('mso-list');
  if (!value) return null;
  const m = /^(l\d+)\s+level(\d+)/.exec(value);
  if (!m) return null;
  return { list: m[1], level: Math.max(1, Number(m[2])) };
}

// takeMarker removes the bullet or number Word typed in front of a list
// paragraph (between <![if !supportLists]> and <![endif]>, or in a
// mso-list:Ignore span) and returns its text.
function takeMarker(para: Element): string {
  let marker = '';
  const comments: Comment[] = [];
  const walker = para.ownerDocument.createTreeWalker(para, NodeFilter.SHOW_COMMENT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) comments.push(n as Comment);
  for (const start of comments) {
    if (!/^\[if !supportLists\]$/i.test(start.data.trim())) continue;
    let node = start.nextSibling;
    while (node && !(node.nodeType === 8 && /^\[endif\]$/i.test((node as Comment).data.trim()))) {
      const next: ChildNode | null = node.nextSibling;
      marker += node.textContent ?? '';
      node.remove();
      node = next;
    }
  }
  for (const span of Array.from(para.querySelectorAll(`[${STYLE_ATTR}], [style]`))) {
    if (!para.contains(span)) continue;
    if (styleDeclarations(styleAttr(span)).get('mso-list') === 'ignore') {
      marker += span.textContent ?? '';
      span.remove();
    }
  }
  return marker.replace(/[\s\u00a0]+/g, '');
}

// A number, letter or roman numeral with its punctuation: 1. 2) a. iv. (b)
const ORDERED_MARKER = /^\(?([0-9]+|[a-z]{1,4})[.)]$/i;

function isListParagraph(el: Element): boolean {
  return el.nodeName === 'P' && wordListInfo(el) !== null;
}

function convertWordLists(root: Element): void {
  // Numbered headings carry mso-list too; they stay headings, minus the number.
  for (const h of Array.from(root.querySelectorAll('h1,h2,h3,h4,h5,h6'))) {
    if (wordListInfo(h)) takeMarker(h);
  }
  const done = new Set<Element>();
  for (const para of Array.from(root.querySelectorAll('p'))) {
    if (done.has(para) || !isListParagraph(para)) continue;
    // The run of list paragraphs that follow each other as siblings.
    const run: WordItem[] = [];
    for (let node: ChildNode | null = para; node; node = node.nextSibling) {
      if (node.nodeType === 3 && !/\S/.test(node.nodeValue ?? '')) continue;
      if (node.nodeType === 8) continue;
      if (node.nodeType !== 1 || !isListParagraph(node as Element)) break;
      const el = node as Element;
      const info = wordListInfo(el)!;
      done.add(el);
      run.push({ para: el, level: info.level, list: info.list, ordered: ORDERED_MARKER.test(takeMarker(el)) });
    }
    const lists = buildLists(root.ownerDocument, run);
    run[0].para.before(lists);
    for (const item of run) item.para.remove();
  }
}

// buildLists nests a flat run of Word list paragraphs by level. A change of
// list, or of bullets to numbers, at the same level starts a new list.
function buildLists(doc: Document, items: WordItem[]): DocumentFragment {
  const out = doc.createDocumentFragment();
  const stack: { el: Element; level: number; ordered: boolean; list: string }[] = [];
  for (const item of items) {
    while (stack.length > 0 && stack[stack.length - 1].level > item.level) stack.pop();
    let top = stack[stack.length - 1];
    if (top && top.level === item.level && (top.ordered !== item.ordered || (stack.length === 1 && top.list !== item.list))) {
      stack.pop();
      top = stack[stack.length - 1];
    }
    if (!top || top.level < item.level) {
      const el = doc.createElement(item.ordered ? 'ol' : 'ul');
      if (top) {
        let host = top.el.lastElementChild;
        if (!host) {
          host = doc.createElement('li');
          top.el.append(host);
        }
        host.append(el);
      } else {
        out.append(el);
      }
      top = { el, level: item.level, ordered: item.ordered, list: item.list };
      stack.push(top);
    }
    const li = doc.createElement('li');
    const p = doc.createElement('p');
    p.append(...Array.from(item.para.childNodes));
    li.append(p);
    top.el.append(li);
  }
  return out;
}

// keepSliceInfo: copying inside a ProseMirror editor marks the first element
// with data-pm-slice (how deep the copied range starts and ends). Keeping it
// lets a copy and paste within the description join paragraphs as expected.
function keepSliceInfo(source: string, clean: string): string {
  const m = /<([a-z][a-z0-9]*)\b[^>]*\sdata-pm-slice="([^"]*)"/i.exec(source);
  if (!m) return clean;
  const tag = m[1].toLowerCase();
  if (!clean.startsWith(`<${tag}>`)) return clean;
  const value = m[2].replace(/&quot;/g, '"').replace(/&#34;/g, '"').replace(/&amp;/g, '&');
  return `<${tag} data-pm-slice="${escapeHTML(value)}">` + clean.slice(tag.length + 2);
}
