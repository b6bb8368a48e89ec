// Three-way merge of the edit form after a 412: "base" is the version the
// person started from, "mine" what they have in the form, "theirs" the
// version someone else saved meanwhile. Each field (and each contact, by
// id) that differs between mine and theirs becomes an item to choose for;
// the default is the side that changed it, and Mine when both did.
import type { ContentType } from '../lib/content';
import {
  contactText,
  fieldLabels,
  fieldsOf,
  sameContact,
  sameField,
  type ContactValues,
  type FormValues,
  type TextField,
} from './changes';

export type Side = 'mine' | 'theirs';

interface ItemBase {
  key: string; // unique among the items: the field name, or "contact:<id>"
  label: string;
  changedByMe: boolean;
  changedByThem: boolean;
  conflict: boolean; // both changed it, differently
  choice: Side; // the default choice
}

export interface TextItem extends ItemBase {
  kind: 'text' | 'html';
  field: TextField;
  mine: string;
  theirs: string;
}

export interface ContactItem extends ItemBase {
  kind: 'contact';
  field: 'contacts';
  id: string; // the contact's id, or "new:<key>" for one not saved yet
  mine: ContactValues | null; // null: not in that version (removed, or never there)
  theirs: ContactValues | null;
}

export type MergeItem = TextItem | ContactItem;

function defaults(changedByMe: boolean, changedByThem: boolean) {
  const conflict = changedByMe && changedByThem;
  const choice: Side = changedByThem && !changedByMe ? 'theirs' : 'mine';
  return { changedByMe, changedByThem, conflict, choice };
}

/** contactIdentity is how a contact is recognised across versions. */
export function contactIdentity(c: ContactValues): string {
  return c.id ? c.id : 'new:' + c.key;
}

function byIdentity(list: ContactValues[]): Map<string, ContactValues> {
  return new Map(list.map((c) => [contactIdentity(c), c]));
}

function contactName(c: ContactValues | null, fallback: number): string {
  const label = c?.label.trim();
  return label ? `Contact “${label}”` : `Contact ${fallback}`;
}

/** threeWay lists what differs between mine and theirs, each with its default choice. */
export function threeWay(type: ContentType, base: FormValues, mine: FormValues, theirs: FormValues): MergeItem[] {
  const items: MergeItem[] = [];
  for (const field of fieldsOf(type)) {
    if (field === 'contacts') continue;
    if (sameField(field, mine, theirs)) continue;
    items.push({
      key: field,
      kind: field === 'description_html' ? 'html' : 'text',
      field,
      label: fieldLabels[field],
      mine: mine[field],
      theirs: theirs[field],
      ...defaults(!sameField(field, base, mine), !sameField(field, base, theirs)),
    });
  }
  const b = byIdentity(base.contacts);
  const m = byIdentity(mine.contacts);
  const t = byIdentity(theirs.contacts);
  const order = [...m.keys(), ...[...t.keys()].filter((k) => !m.has(k))];
  order.forEach((id) => {
    const mc = m.get(id) ?? null;
    const tc = t.get(id) ?? null;
    if (sameContact(mc, tc)) return;
    const bc = b.get(id) ?? null;
    const place = (mc ? mine.contacts.indexOf(mc) : theirs.contacts.indexOf(tc!)) + 1;
    items.push({
      key: 'contact:' + id,
      kind: 'contact',
      field: 'contacts',
      id,
      label: contactName(mc ?? tc, place),
      mine: mc,
      theirs: tc,
      ...defaults(!sameContact(bc, mc), !sameContact(bc, tc)),
    });
  });
  return items;
}

/** choicesOf gives the default choice of each item, by key. */
export function choicesOf(items: MergeItem[]): Record<string, Side> {
  return Object.fromEntries(items.map((i) => [i.key, i.choice]));
}

/**
 * applyChoices builds the merged version. Text fields take the chosen
 * side. Contacts keep my order; each differing one is the chosen side's
 * version (or dropped when that side has none); a contact only they have,
 * when chosen, goes after the contact it follows in their version.
 */
export function applyChoices(
  type: ContentType,
  items: MergeItem[],
  choices: Record<string, Side>,
  mine: FormValues,
  theirs: FormValues,
  base: FormValues | null = null,
): FormValues {
  const out: FormValues = { ...mine, contacts: [] };
  const pick = (key: string, fallback: Side) => choices[key] ?? items.find((i) => i.key === key)?.choice ?? fallback;
  for (const field of fieldsOf(type)) {
    if (field === 'contacts') continue;
    const item = items.find((i) => i.key === field);
    out[field] = item && pick(field, 'mine') === 'theirs' ? theirs[field] : mine[field];
  }
  const t = byIdentity(theirs.contacts);
  const result: ContactValues[] = [];
  for (const mc of mine.contacts) {
    const id = contactIdentity(mc);
    const item = items.find((i) => i.key === 'contact:' + id);
    if (!item || pick(item.key, 'mine') === 'mine') result.push(mc);
    else {
      const tc = t.get(id);
      if (tc) result.push(tc);
    }
  }
  const mineIds = new Set(mine.contacts.map(contactIdentity));
  theirs.contacts.forEach((tc, index) => {
    const id = contactIdentity(tc);
    if (mineIds.has(id)) return;
    const item = items.find((i) => i.key === 'contact:' + id);
    if (item && pick(item.key, 'mine') === 'mine') return; // I chose not to have it
    let at = 0;
    for (let j = index - 1; j >= 0; j--) {
      const before = result.findIndex((c) => contactIdentity(c) === contactIdentity(theirs.contacts[j]));
      if (before >= 0) {
        at = before + 1;
        break;
      }
    }
    result.splice(at, 0, tc);
  });
  out.contacts = theirOrderIfOnlyTheyMoved(result, base, mine, theirs);
  return out;
}

/**
 * Order is a change too: when only they reordered the contacts that all
 * three versions share (mine kept the order I started from), their order
 * wins; otherwise mine is kept. Contacts outside that shared set keep the
 * places given above.
 */
function theirOrderIfOnlyTheyMoved(result: ContactValues[], base: FormValues | null, mine: FormValues, theirs: FormValues) {
  if (!base) return result;
  const inAll = (list: ContactValues[]) => {
    const others = [base.contacts, mine.contacts, theirs.contacts].map((l) => new Set(l.map(contactIdentity)));
    return list.map(contactIdentity).filter((id) => others.every((o) => o.has(id)));
  };
  const [b, m, t] = [inAll(base.contacts), inAll(mine.contacts), inAll(theirs.contacts)];
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((id, i) => id === y[i]);
  if (!same(m, b) || same(t, b)) return result;
  // Put the shared contacts in their order, in the slots they hold now.
  const shared = new Set(t);
  const queue = [...t];
  const byId = new Map(result.map((c) => [contactIdentity(c), c]));
  return result.map((c) => (shared.has(contactIdentity(c)) ? byId.get(queue.shift()!)! : c));
}

/** copyText is what "Copy my text" puts on the clipboard for an item (plain text). */
export function copyText(item: MergeItem): string {
  if (item.kind === 'contact') return item.mine ? contactText(item.mine) : '';
  if (item.kind === 'html') return htmlText(item.mine);
  return item.mine;
}

/** htmlText turns description HTML into readable plain text: paragraphs and list items on their own lines. */
export function htmlText(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const lines: string[] = [];
  const walk = (node: Node, prefix: string) => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType !== Node.ELEMENT_NODE) continue;
      const el = child as Element;
      const tag = el.tagName.toLowerCase();
      if (tag === 'ul' || tag === 'ol') {
        Array.from(el.children).forEach((li, i) => {
          const mark = tag === 'ol' ? `${i + 1}. ` : '• ';
          const own = Array.from(li.childNodes)
            .filter((n) => !(n instanceof Element && /^(ul|ol)$/i.test(n.tagName)))
            .map((n) => n.textContent ?? '')
            .join('')
            .trim();
          lines.push(prefix + mark + own);
          walk(li, prefix + '  ');
        });
      } else if (/^(p|h[1-6]|blockquote|div|li)$/.test(tag)) {
        if (el.querySelector('p, ul, ol, h2, h3, h4') && tag !== 'p') walk(el, prefix);
        else lines.push(prefix + (el.textContent ?? '').trim());
      } else {
        lines.push(prefix + (el.textContent ?? '').trim());
      }
    }
  };
  walk(doc.body, '');
  const text = lines.filter((l) => l.trim()).join('\n');
  return text || (doc.body.textContent ?? '').trim();
}
