// Read-only renderings of description HTML (while the editor loads, and in
// the conflict view) that keep only what Bureau's rich text allows. The
// server sanitizes what it stores; what this browser holds (a restored
// local draft, the editor's output) goes through the same allowlist here
// before it is shown, and never carries a style attribute (strict CSP).
const allowed = new Set(['p', 'h2', 'h3', 'h4', 'strong', 'b', 'em', 'i', 'a', 'ul', 'ol', 'li', 'blockquote', 'br']);

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function safeHref(href: string | null): string | null {
  if (!href) return null;
  const h = href.trim();
  return /^(https?:|mailto:)/i.test(h) ? h : null;
}

function render(node: Node): string {
  let out = '';
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) {
      out += escape(child.textContent ?? '');
      continue;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) continue;
    const el = child as Element;
    const tag = el.tagName.toLowerCase();
    if (tag === 'script' || tag === 'style' || tag === 'template') continue;
    if (!allowed.has(tag)) {
      out += render(el); // keep the text, drop the tag
      continue;
    }
    if (tag === 'br') {
      out += '<br>';
      continue;
    }
    let attrs = '';
    if (tag === 'a') {
      const href = safeHref(el.getAttribute('href'));
      if (href) attrs = ` href="${escape(href)}" rel="noopener"`;
    }
    out += `<${tag}${attrs}>${render(el)}</${tag}>`;
  }
  return out;
}

/** safeHTML keeps only the rich-text markup Bureau allows, with http(s) and mailto links. */
export function safeHTML(html: string): string {
  if (!html) return '';
  const doc = new DOMParser().parseFromString(html, 'text/html');
  return render(doc.body);
}
