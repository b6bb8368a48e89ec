// Field changes in words. The server names a change by its JSON path
// ("contacts[1].phones[0].number"); people read "Contact 2, phone 1,
// number". Values become short readable text: a phone is "Fax 773-553-3470",
// an address is one line. No diff library here, so the directory can use it.
import type { Contact, FieldChange } from '../lib/content';

const topLabels: Record<string, string> = {
  name: 'Name',
  acronym: 'Acronym',
  slug: 'Web address (slug)',
  summary: 'Summary',
  description_html: 'Description',
  learn_more_url: 'Learn more link',
  office_id: 'Office',
  position: 'Position in the office',
  contacts: 'Contacts',
};

// The order fields appear on the edit screen; the server sorts by name.
const topOrder = ['name', 'acronym', 'slug', 'office_id', 'position', 'summary', 'description_html', 'learn_more_url', 'contacts'];

const listItemNames: Record<string, string> = {
  contacts: 'Contact',
  phones: 'phone',
  emails: 'email',
};

const partLabels: Record<string, string> = {
  label: 'label',
  address: 'address',
  street: 'street',
  street2: 'second address line',
  city: 'city',
  state: 'state',
  postal_code: 'ZIP code',
  country: 'country',
  phones: 'phones',
  emails: 'emails',
  hours: 'hours',
  kind: 'type',
  number: 'number',
  ext: 'extension',
  e164: 'number in international form',
};

const phoneKinds: Record<string, string> = { voice: 'Phone', fax: 'Fax', tty: 'TTY' };
const kindWords: Record<string, string> = { voice: 'voice', fax: 'fax', tty: 'TTY' };

type Segment = { key: string; index?: number };

/** parsePath splits "contacts[1].phones[0].number" into its keys and list positions. */
export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  for (const piece of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(piece);
    if (!m) {
      out.push({ key: piece });
      continue;
    }
    const indexes = [...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    if (indexes.length === 0) out.push({ key: m[1] });
    else indexes.forEach((index, i) => out.push({ key: i === 0 ? m[1] : '', index }));
  }
  return out;
}

/** fieldLabel names a changed field in words: "contacts[1].phones[0].number" -> "Contact 2, phone 1, number". */
export function fieldLabel(path: string): string {
  const segments = parsePath(path);
  const words: string[] = [];
  segments.forEach((s, i) => {
    if (s.index !== undefined) {
      const noun = listItemNames[s.key] ?? (s.key ? s.key : 'item');
      words.push(`${i === 0 ? capitalize(noun) : noun} ${s.index + 1}`);
    } else if (i === 0) {
      words.push(topLabels[s.key] ?? capitalize(s.key.replace(/_/g, ' ')));
    } else {
      words.push(partLabels[s.key] ?? s.key.replace(/_/g, ' '));
    }
  });
  return words.join(', ');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** isEmpty: nothing to show (absent, null, "", [] or an object of empty values). */
export function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as object).every(isEmpty);
  return false;
}

// Parts of a contact that are bookkeeping, not content: the id stays the
// same across edits, the position follows the list order, and e164 is
// computed from the number people typed.
function isBookkeeping(path: string): boolean {
  return /^contacts\[\d+\]\.(id|position)$/.test(path) || /\.e164$/.test(path);
}

/** visibleChanges drops bookkeeping and no-op changes and puts the rest in the order of the edit screen. */
export function visibleChanges(changes: FieldChange[]): FieldChange[] {
  const rank = (c: FieldChange) => {
    const top = parsePath(c.field)[0]?.key ?? '';
    const i = topOrder.indexOf(top);
    return i < 0 ? topOrder.length : i;
  };
  return changes
    .filter((c) => !isBookkeeping(c.field) && !(isEmpty(c.from) && isEmpty(c.to)))
    .map((c, i) => ({ c, i }))
    .sort((x, y) => rank(x.c) - rank(y.c) || x.i - y.i)
    .map((x) => x.c);
}

type Obj = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

export function addressLine(a: Obj | null | undefined): string {
  if (!a) return '';
  const cityLine = [str(a.city), [str(a.state), str(a.postal_code)].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return [str(a.street), str(a.street2), cityLine, str(a.country)].filter(Boolean).join(', ');
}

export function phoneLine(p: Obj): string {
  const kind = phoneKinds[str(p.kind)] ?? 'Phone';
  let s = `${kind} ${str(p.number)}`;
  if (str(p.ext)) s += ` ext. ${str(p.ext)}`;
  if (str(p.label)) s += ` (${str(p.label)})`;
  return s;
}

export function emailLine(e: Obj): string {
  return str(e.label) ? `${str(e.address)} (${str(e.label)})` : str(e.address);
}

/** contactLine is a contact point on one line: label, address, phones, emails, hours. */
export function contactLine(c: Partial<Contact> | Obj): string {
  const o = c as Obj;
  const parts = [str(o.label), addressLine(o.address as Obj | null)];
  for (const p of (o.phones as Obj[] | undefined) ?? []) parts.push(phoneLine(p));
  for (const e of (o.emails as Obj[] | undefined) ?? []) parts.push(emailLine(e));
  if (str(o.hours)) parts.push('Hours: ' + str(o.hours));
  return parts.filter(Boolean).join('; ');
}

/**
 * describeValue turns a changed value into short text, knowing what kind
 * of thing the path names (a contact, a phone, an address, ...).
 */
export function describeValue(path: string, v: unknown): string {
  if (v === undefined || v === null) return '(none)';
  if (typeof v === 'string') {
    if (v === '') return '(empty)';
    if (path === 'description_html') return htmlToText(v) || '(empty)';
    if (/(^|\.)kind$/.test(path)) return kindWords[v] ?? v;
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const segments = parsePath(path);
  const last = segments[segments.length - 1];
  if (Array.isArray(v)) {
    if (v.length === 0) return '(none)';
    if (last?.key === 'contacts') return v.map((c, i) => `Contact ${i + 1}: ${contactLine(c as Obj)}`).join(' | ');
    if (last?.key === 'phones') return v.map((p) => phoneLine(p as Obj)).join('; ');
    if (last?.key === 'emails') return v.map((e) => emailLine(e as Obj)).join('; ');
    return v.map((x) => describeValue('', x)).join('; ');
  }
  const o = v as Obj;
  if (last?.index !== undefined) {
    if (last.key === 'contacts') return contactLine(o) || '(empty contact)';
    if (last.key === 'phones') return phoneLine(o);
    if (last.key === 'emails') return emailLine(o);
  }
  if (last?.key === 'address') return addressLine(o) || '(none)';
  return Object.entries(o)
    .filter(([, x]) => !isEmpty(x))
    .map(([k, x]) => `${partLabels[k] ?? k}: ${describeValue(k, x)}`)
    .join('; ');
}

/** changeLine is one change as a sentence: "Contact 2, phone 1, number: 773-553-3470 → 773-553-3471". */
export function changeLine(c: FieldChange): string {
  const label = fieldLabel(c.field);
  if (c.from === undefined || isEmpty(c.from)) return `${label} added: ${describeValue(c.field, c.to)}`;
  if (c.to === undefined || isEmpty(c.to)) return `${label} removed (was: ${describeValue(c.field, c.from)})`;
  return `${label}: ${describeValue(c.field, c.from)} → ${describeValue(c.field, c.to)}`;
}

/** isText tells a change whose two sides are prose, worth a word-by-word comparison. */
export function isText(c: FieldChange): boolean {
  const prose = ['summary', 'description_html', 'name', 'hours'];
  const key = parsePath(c.field).pop()?.key ?? '';
  return typeof (c.from ?? '') === 'string' && typeof (c.to ?? '') === 'string' && prose.includes(key);
}

const blocks = new Set(['P', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'LI', 'BLOCKQUOTE', 'UL', 'OL', 'DIV', 'BR']);

/**
 * htmlToText reads sanitized description HTML as plain text, one line per
 * paragraph, heading or list item. DOMParser documents run no scripts and
 * load nothing.
 */
export function htmlToText(html: string): string {
  if (!html) return '';
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const lines: string[] = [];
  let line = '';
  const flush = () => {
    const t = line.replace(/[ \t\r\n]+/g, ' ').trim();
    if (t) lines.push(t);
    line = '';
  };
  const walk = (node: Node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      line += node.textContent ?? '';
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const el = node as Element;
    const block = blocks.has(el.tagName);
    if (block) flush();
    if (el.tagName === 'LI') line += '• ';
    el.childNodes.forEach(walk);
    if (block) flush();
  };
  doc.body.childNodes.forEach(walk);
  flush();
  return lines.join('\n');
}

/** valueText is describeValue with office ids shown as the office's name when known. */
export function valueText(field: string, v: unknown, officeNames: Record<string, string>): string {
  if (field === 'office_id' && typeof v === 'string' && officeNames[v]) return officeNames[v];
  return describeValue(field, v);
}
