// The edit form's values and what changed in them. The form holds plain
// strings (an address is always there to type into); the API's shapes are
// made from it only when saving, and two versions are compared the way the
// server would store them, so a save with no real change sends nothing.
import { canonicalHTML } from '../editor/canonical';
import type { Contact, ContactInput, ContentType, Doc } from '../lib/content';

export type PhoneKind = 'voice' | 'fax' | 'tty';

export interface AddressValues {
  street: string;
  street2: string;
  city: string;
  state: string;
  postal_code: string;
  country: string;
}

export interface PhoneValues {
  key: string; // the form's own handle, never sent
  kind: PhoneKind;
  number: string;
  ext: string;
  label: string;
}

export interface EmailValues {
  key: string;
  address: string;
  label: string;
}

export interface ContactValues {
  key: string;
  id: string; // the server's id; empty for a contact not saved yet
  label: string;
  address: AddressValues;
  phones: PhoneValues[];
  emails: EmailValues[];
  hours: string;
}

export interface FormValues {
  name: string;
  acronym: string;
  slug: string;
  summary: string;
  learn_more_url: string;
  description_html: string;
  contacts: ContactValues[];
}

export const textFields = ['name', 'acronym', 'slug', 'summary', 'learn_more_url', 'description_html'] as const;
export type TextField = (typeof textFields)[number];
export type FieldName = TextField | 'contacts';

/** fieldsOf lists the editable fields of a content type, in form order. */
export function fieldsOf(type: ContentType): FieldName[] {
  const all: FieldName[] = ['name', 'acronym', 'slug', 'summary', 'learn_more_url', 'description_html', 'contacts'];
  return type === 'offices' ? all.filter((f) => f !== 'learn_more_url') : all;
}

/** permissionField is the name a field has in the permissions (offices.fields / departments.fields). */
export function permissionField(field: FieldName): string {
  return field === 'description_html' ? 'description' : field;
}

export const fieldLabels: Record<FieldName, string> = {
  name: 'Name',
  acronym: 'Acronym',
  slug: 'Slug',
  summary: 'Summary',
  learn_more_url: 'Learn-more link',
  description_html: 'Description',
  contacts: 'Contacts',
};

let counter = 0;
/** newKey gives a handle for an item of the form, unique in this page. */
export function newKey(): string {
  counter++;
  return 'k' + counter.toString(36) + Math.random().toString(36).slice(2, 6);
}

export function emptyAddress(): AddressValues {
  return { street: '', street2: '', city: '', state: '', postal_code: '', country: 'US' };
}
export function emptyPhone(): PhoneValues {
  return { key: newKey(), kind: 'voice', number: '', ext: '', label: '' };
}
export function emptyEmail(): EmailValues {
  return { key: newKey(), address: '', label: '' };
}
export function emptyContact(): ContactValues {
  return { key: newKey(), id: '', label: '', address: emptyAddress(), phones: [], emails: [], hours: '' };
}
export function emptyValues(): FormValues {
  return { name: '', acronym: '', slug: '', summary: '', learn_more_url: '', description_html: '', contacts: [] };
}

export function contactValuesOf(c: Contact): ContactValues {
  const a = c.address;
  return {
    key: newKey(),
    id: c.id ?? '',
    label: c.label ?? '',
    address: a
      ? {
          street: a.street ?? '',
          street2: a.street2 ?? '',
          city: a.city ?? '',
          state: a.state ?? '',
          postal_code: a.postal_code ?? '',
          country: a.country || 'US',
        }
      : emptyAddress(),
    phones: (c.phones ?? []).map((p) => ({
      key: newKey(),
      kind: (p.kind || 'voice') as PhoneKind,
      number: p.number ?? '',
      ext: p.ext ?? '',
      label: p.label ?? '',
    })),
    emails: (c.emails ?? []).map((e) => ({ key: newKey(), address: e.address ?? '', label: e.label ?? '' })),
    hours: c.hours ?? '',
  };
}

/** valuesOf gives the form values of a document as the server sent it. */
export function valuesOf(doc: Doc): FormValues {
  const d = doc as Doc & { learn_more_url?: unknown };
  return {
    name: doc.name ?? '',
    acronym: doc.acronym ?? '',
    slug: doc.slug ?? '',
    summary: doc.summary ?? '',
    learn_more_url: typeof d.learn_more_url === 'string' ? d.learn_more_url : '',
    description_html: doc.description_html ?? '',
    contacts: (doc.contacts ?? []).map(contactValuesOf),
  };
}

function addressIsEmpty(a: AddressValues): boolean {
  return !a.street.trim() && !a.street2.trim() && !a.city.trim() && !a.state.trim() && !a.postal_code.trim();
}

/** contactInput is a contact as the API takes it: trimmed, the address null when left empty, its id kept. */
export function contactInput(c: ContactValues): ContactInput {
  const a = c.address;
  const out: ContactInput = {
    label: c.label.trim(),
    address: addressIsEmpty(a)
      ? null
      : {
          street: a.street.trim(),
          street2: a.street2.trim(),
          city: a.city.trim(),
          state: a.state.trim().toUpperCase(),
          postal_code: a.postal_code.trim(),
          country: a.country.trim().toUpperCase() || 'US',
        },
    phones: c.phones.map((p) => ({ kind: p.kind, number: p.number.trim(), ext: p.ext.trim(), label: p.label.trim() })),
    emails: c.emails.map((e) => ({ address: e.address.trim(), label: e.label.trim() })),
    hours: c.hours.trim(),
  };
  // Without its id the server would make the contact anew (a new id, and a
  // change in the history where there was none).
  if (c.id) out.id = c.id;
  return out;
}

function textValue(field: TextField, v: FormValues): string {
  return field === 'description_html' ? canonicalHTML(v.description_html) : v[field].trim();
}

/** sameContact compares two contacts as they would be stored (absent = null). */
export function sameContact(a: ContactValues | null | undefined, b: ContactValues | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return JSON.stringify(contactInput(a)) === JSON.stringify(contactInput(b));
}

/** sameField compares one field of two versions as the server would store it. */
export function sameField(field: FieldName, a: FormValues, b: FormValues): boolean {
  if (field === 'contacts') {
    return a.contacts.length === b.contacts.length && a.contacts.every((c, i) => sameContact(c, b.contacts[i]));
  }
  return textValue(field, a) === textValue(field, b);
}

/** changedFields lists the fields of form that differ from base. */
export function changedFields(type: ContentType, base: FormValues, form: FormValues): FieldName[] {
  return fieldsOf(type).filter((f) => !sameField(f, base, form));
}

export type Body = Record<string, unknown>;

function fieldBody(field: FieldName, form: FormValues): unknown {
  if (field === 'contacts') return form.contacts.map(contactInput);
  if (field === 'description_html') return form.description_html;
  return form[field].trim();
}

/** patchBody is a JSON merge patch of the changed fields only (contacts replaces the list). */
export function patchBody(type: ContentType, base: FormValues, form: FormValues): Body {
  const body: Body = {};
  for (const f of changedFields(type, base, form)) body[f] = fieldBody(f, form);
  return body;
}

/** createBody is the body that creates a document from the form; position is left to the server. */
export function createBody(type: ContentType, form: FormValues, officeId?: string): Body {
  const body: Body = {};
  for (const f of fieldsOf(type)) body[f] = fieldBody(f, form);
  if (type === 'departments') body.office_id = officeId;
  return body;
}

/**
 * afterSave is the form once a save has answered: each field still as it
 * was sent takes the stored value (the server trims and sanitizes; new
 * contacts get their ids), while a field typed into during the save keeps
 * the newer typing.
 */
export function afterSave(type: ContentType, form: FormValues, sent: FormValues, saved: FormValues): FormValues {
  const out: FormValues = { ...form };
  for (const f of fieldsOf(type)) {
    if (!sameField(f, form, sent)) continue; // typed into since: keep
    if (f === 'contacts') out.contacts = adoptKeys(saved.contacts, form.contacts);
    else if (f === 'description_html') {
      if (!sameField(f, form, saved)) out.description_html = saved.description_html;
    } else out[f] = saved[f];
  }
  return out;
}

/** adoptKeys gives stored contacts the form's handles of the same place, so the page keeps its focus. */
export function adoptKeys(next: ContactValues[], previous: ContactValues[]): ContactValues[] {
  return next.map((c, i) => {
    const p = previous[i];
    if (!p || (p.id && p.id !== c.id)) return c;
    return {
      ...c,
      key: p.key,
      phones: c.phones.map((ph, j) => (p.phones[j] ? { ...ph, key: p.phones[j].key } : ph)),
      emails: c.emails.map((em, j) => (p.emails[j] ? { ...em, key: p.emails[j].key } : em)),
    };
  });
}

export const slugPattern = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const maxSlug = 64;

/** slugify suggests a slug from a name: "Office of Équité & Access" -> "office-of-equite-access". */
export function slugify(name: string): string {
  const s = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, maxSlug).replace(/-+$/, '');
}

/** slugProblem says what is wrong with a slug, or null. */
export function slugProblem(slug: string): string | null {
  const s = slug.trim();
  if (!s) return 'Enter a slug.';
  if (s.length > maxSlug) return `The slug must be at most ${maxSlug} characters.`;
  if (!slugPattern.test(s)) return 'Use only lowercase letters, digits and single hyphens between them, such as college-career.';
  return null;
}

/** contactText is a contact written out as plain text, to copy. */
export function contactText(c: ContactValues): string {
  const lines: string[] = [];
  if (c.label.trim()) lines.push(c.label.trim());
  const a = c.address;
  if (!addressIsEmpty(a)) {
    lines.push(a.street, a.street2, [a.city, [a.state, a.postal_code].filter(Boolean).join(' ')].filter(Boolean).join(', '), a.country);
  }
  for (const p of c.phones) {
    const kind = p.kind === 'voice' ? 'Phone' : p.kind === 'fax' ? 'Fax' : 'TTY';
    lines.push(`${p.label ? p.label + ' ' : ''}${kind}: ${p.number}${p.ext ? ' ext. ' + p.ext : ''}`);
  }
  for (const e of c.emails) lines.push(`${e.label ? e.label + ' ' : ''}Email: ${e.address}`);
  if (c.hours.trim()) lines.push('Hours: ' + c.hours.trim());
  return lines.filter((l) => l && l.trim()).join('\n');
}
