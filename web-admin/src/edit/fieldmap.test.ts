import { describe, expect, test } from 'vitest';
import { errorId, fieldId, fieldLabel, isContactPath, parsePath } from './fieldmap';

describe('fieldId', () => {
  test.each([
    ['name', 'field-name'],
    ['acronym', 'field-acronym'],
    ['slug', 'field-slug'],
    ['summary', 'field-summary'],
    ['learn_more_url', 'field-learn-more-url'],
    ['description_html', 'field-description'],
    ['office_id', 'field-office'],
    ['message', 'field-message'],
    ['contacts', 'contacts-add'],
    ['contacts[0]', 'contact-0-label'],
    ['contacts[0].id', 'contact-0-label'],
    ['contacts[3].label', 'contact-3-label'],
    ['contacts[1].hours', 'contact-1-hours'],
    ['contacts[2].address', 'contact-2-street'],
    ['contacts[2].address.street', 'contact-2-street'],
    ['contacts[2].address.street2', 'contact-2-street2'],
    ['contacts[2].address.city', 'contact-2-city'],
    ['contacts[2].address.state', 'contact-2-state'],
    ['contacts[2].address.postal_code', 'contact-2-postal-code'],
    ['contacts[2].address.country', 'contact-2-country'],
    ['contacts[0].phones', 'contact-0-add-phone'],
    ['contacts[0].phones[1]', 'contact-0-phone-1-number'],
    ['contacts[0].phones[1].number', 'contact-0-phone-1-number'],
    ['contacts[0].phones[1].kind', 'contact-0-phone-1-kind'],
    ['contacts[0].phones[1].ext', 'contact-0-phone-1-ext'],
    ['contacts[0].phones[1].label', 'contact-0-phone-1-label'],
    ['contacts[4].emails', 'contact-4-add-email'],
    ['contacts[4].emails[0]', 'contact-4-email-0-address'],
    ['contacts[4].emails[0].address', 'contact-4-email-0-address'],
    ['contacts[4].emails[0].label', 'contact-4-email-0-label'],
    ['contacts[10].phones[12].number', 'contact-10-phone-12-number'],
  ])('%s -> %s', (path, id) => {
    expect(fieldId(path)).toBe(id);
  });

  test.each([
    [''],
    ['position'],
    ['If-Match'],
    ['departments'],
    ['unknown_field'],
    ['contacts.label'],
    ['name[0]'],
    ['contacts[0].address.planet'],
    ['contacts[0].phones[1].e164'],
    ['contacts[0].phones[1].number.digits'],
    ['contacts[0].emails[0].domain'],
    ['contacts[0].fax'],
    ['contacts[x].label'],
    ['contacts[-1].label'],
    ['summary.text'],
  ])('%s names no input', (path) => {
    expect(fieldId(path)).toBeNull();
  });
});

describe('parsePath', () => {
  test('splits names and indexes', () => {
    expect(parsePath('contacts[0].phones[1].number')).toEqual([
      { name: 'contacts', index: 0 },
      { name: 'phones', index: 1 },
      { name: 'number' },
    ]);
  });
  test('refuses what is not a path', () => {
    expect(parsePath('')).toBeNull();
    expect(parsePath('a..b')).toBeNull();
    expect(parsePath('a[b]')).toBeNull();
  });
});

describe('fieldLabel', () => {
  test.each([
    ['name', 'Name'],
    ['description_html', 'Description'],
    ['learn_more_url', 'Learn-more link'],
    ['contacts', 'Contacts'],
    ['contacts[0]', 'Contact 1'],
    ['contacts[0].phones[1].number', 'Contact 1, phone 2, number'],
    ['contacts[2].address.postal_code', 'Contact 3, address, ZIP code'],
    ['contacts[0].emails[0].address', 'Contact 1, email 1, address'],
    ['contacts[1].label', 'Contact 2, label'],
    ['departments', 'Departments'],
    ['If-Match', 'If-Match'],
    ['mystery', 'mystery'],
  ])('%s -> %s', (path, label) => {
    expect(fieldLabel(path)).toBe(label);
  });
});

test('errorId is a valid, distinct id per path', () => {
  expect(errorId('contacts[0].phones[1].number')).toBe('error-contacts-0-phones-1-number');
  expect(errorId('slug')).toBe('error-slug');
  expect(errorId('contacts[0].phones[1].number')).not.toBe(errorId('contacts[0].phones[1].ext'));
  expect(errorId('contacts[1]')).toMatch(/^[a-z0-9-]+$/);
});

test('isContactPath', () => {
  expect(isContactPath('contacts')).toBe(true);
  expect(isContactPath('contacts[0].label')).toBe(true);
  expect(isContactPath('contacts_count')).toBe(false);
  expect(isContactPath('name')).toBe(false);
});
