import { describe, expect, test } from 'vitest';
import {
  adoptKeys,
  afterSave,
  changedFields,
  contactInput,
  createBody,
  emptyContact,
  emptyPhone,
  patchBody,
  slugify,
  slugProblem,
  valuesOf,
  type FormValues,
} from './changes';
import { contactA, contactB, department, office, officeId } from './testdata';

const clone = (v: FormValues): FormValues => structuredClone(v);

describe('valuesOf and contactInput', () => {
  test('a contact goes back as it came, with its id, without e164 or position', () => {
    const v = valuesOf(department());
    const input = contactInput(v.contacts[0]);
    expect(input).toEqual({
      id: contactA,
      label: 'Main office',
      address: { street: '42 W Madison St', street2: '', city: 'Chicago', state: 'IL', postal_code: '60602', country: 'US' },
      phones: [
        { kind: 'voice', number: '773-553-3543', ext: '', label: '' },
        { kind: 'fax', number: '773-553-3544', ext: '', label: '' },
      ],
      emails: [{ address: 'ec@example.org', label: 'General' }],
      hours: 'Mon-Fri 8-5',
    });
  });

  test('a contact without an address has an empty one to type into, and sends null while it stays empty', () => {
    const v = valuesOf(department());
    expect(v.contacts[1].address.street).toBe('');
    expect(v.contacts[1].address.country).toBe('US');
    expect(contactInput(v.contacts[1]).address).toBeNull();
  });

  test('a new contact has no id', () => {
    expect(contactInput({ ...emptyContact(), label: 'New' })).not.toHaveProperty('id');
  });

  test('an office has no learn-more link', () => {
    expect(valuesOf(office()).learn_more_url).toBe('');
  });
});

describe('changedFields and patchBody', () => {
  test('nothing changed, nothing to send', () => {
    const base = valuesOf(department());
    const form = valuesOf(department()); // other keys, same content
    expect(changedFields('departments', base, form)).toEqual([]);
    expect(patchBody('departments', base, form)).toEqual({});
  });

  test('only the changed fields are sent', () => {
    const base = valuesOf(department());
    const form = clone(base);
    form.summary = 'New summary';
    expect(patchBody('departments', base, form)).toEqual({ summary: 'New summary' });
  });

  test('white space the server trims is no change', () => {
    const base = valuesOf(department());
    const form = clone(base);
    form.name = '  Early College ';
    form.contacts[0].label = 'Main office  ';
    expect(changedFields('departments', base, form)).toEqual([]);
  });

  test('a description that means the same is no change; a real edit is', () => {
    const base = valuesOf(department());
    const form = clone(base);
    form.description_html = '<p>Students earn <b>college credit</b>.</p>';
    expect(changedFields('departments', base, form)).toEqual([]);
    form.description_html = '<p>Students earn <em>college credit</em>.</p>';
    expect(patchBody('departments', base, form)).toEqual({ description_html: form.description_html });
  });

  test('a change in one contact sends the whole list, ids kept', () => {
    const base = valuesOf(department());
    const form = clone(base);
    form.contacts[0].phones[1].number = '773-553-9999';
    const body = patchBody('departments', base, form) as { contacts: { id?: string }[] };
    expect(Object.keys(body)).toEqual(['contacts']);
    expect(body.contacts.map((c) => c.id)).toEqual([contactA, contactB]);
  });

  test('reordering contacts is a change', () => {
    const base = valuesOf(department());
    const form = clone(base);
    form.contacts.reverse();
    expect(changedFields('departments', base, form)).toEqual(['contacts']);
  });

  test('the learn-more link is never sent for an office', () => {
    const base = valuesOf(office());
    const form = clone(base);
    form.learn_more_url = 'https://x.example';
    expect(changedFields('offices', base, form)).toEqual([]);
  });

  test('several fields', () => {
    const base = valuesOf(department());
    const form = clone(base);
    form.name = 'Early College Program';
    form.learn_more_url = 'https://example.org/ec';
    form.contacts.push({ ...emptyContact(), label: 'Counselor', phones: [{ ...emptyPhone(), number: '312-555-0100' }] });
    const body = patchBody('departments', base, form);
    expect(Object.keys(body).sort()).toEqual(['contacts', 'learn_more_url', 'name']);
    expect((body.contacts as unknown[]).length).toBe(3);
  });
});

describe('createBody', () => {
  test('a department is created in its office, position left to the server', () => {
    const form = valuesOf(department());
    const body = createBody('departments', form, officeId);
    expect(body.office_id).toBe(officeId);
    expect(body).not.toHaveProperty('position');
    expect(body.name).toBe('Early College');
  });
  test('an office has no office_id or learn-more link', () => {
    const body = createBody('offices', valuesOf(office()));
    expect(body).not.toHaveProperty('office_id');
    expect(body).not.toHaveProperty('learn_more_url');
  });
});

describe('afterSave', () => {
  test('takes what the server stored, but keeps what was typed during the save', () => {
    const base = valuesOf(department());
    const sent = clone(base);
    sent.summary = 'typed before saving ';
    sent.contacts.push({ ...emptyContact(), label: 'New one' });
    const form = clone(sent);
    form.name = 'Typed while saving';
    const stored = department({ summary: 'typed before saving', version: 5 });
    stored.contacts.push({ id: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', label: 'New one', address: null, phones: [], emails: [], hours: '', position: 2 });
    const next = afterSave('departments', form, sent, valuesOf(stored));
    expect(next.name).toBe('Typed while saving');
    expect(next.summary).toBe('typed before saving');
    expect(next.contacts[2].id).toBe('cccccccc-cccc-4ccc-8ccc-cccccccccccc'); // the new id, for the next save
    expect(next.contacts[2].key).toBe(form.contacts[2].key); // the same handle: focus is kept
  });

  test('adoptKeys does not give a handle to a different contact', () => {
    const a = valuesOf(department()).contacts;
    const b = valuesOf(department()).contacts.reverse();
    const out = adoptKeys(b, a);
    expect(out[0].key).toBe(b[0].key);
  });
});

describe('slugs', () => {
  test.each([
    ['Office of College and Career Success', 'office-of-college-and-career-success'],
    ['  Équité & Accès  ', 'equite-acces'],
    ['STEM -- 2026!', 'stem-2026'],
    ['', ''],
    ['a'.repeat(70), 'a'.repeat(64)],
  ])('slugify(%s)', (name, slug) => {
    expect(slugify(name)).toBe(slug);
    if (slug) expect(slugProblem(slug)).toBeNull();
  });
  test('a slug cut at 64 characters never ends in a hyphen', () => {
    expect(slugify('a'.repeat(63) + ' b')).toBe('a'.repeat(63));
  });
  test('slugProblem', () => {
    expect(slugProblem('')).toMatch(/Enter/);
    expect(slugProblem('Early College')).toMatch(/lowercase/);
    expect(slugProblem('early--college')).toMatch(/lowercase/);
    expect(slugProblem('-early')).toMatch(/lowercase/);
    expect(slugProblem('a'.repeat(65))).toMatch(/64/);
    expect(slugProblem('early-college-2')).toBeNull();
  });
});
