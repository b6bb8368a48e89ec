import { describe, expect, it } from 'vitest';
import { changeLine, describeValue, fieldLabel, htmlToText, parsePath, visibleChanges } from './fields';

describe('fieldLabel', () => {
  it('names contact paths in words, counting from 1', () => {
    expect(fieldLabel('contacts[1].phones[0].number')).toBe('Contact 2, phone 1, number');
    expect(fieldLabel('contacts[0].emails[2].address')).toBe('Contact 1, email 3, address');
    expect(fieldLabel('contacts[0].address.postal_code')).toBe('Contact 1, address, ZIP code');
    expect(fieldLabel('contacts[3]')).toBe('Contact 4');
    expect(fieldLabel('contacts[0].phones[0].ext')).toBe('Contact 1, phone 1, extension');
  });

  it('names top-level fields as the edit screen does', () => {
    expect(fieldLabel('description_html')).toBe('Description');
    expect(fieldLabel('learn_more_url')).toBe('Learn more link');
    expect(fieldLabel('slug')).toBe('Web address (slug)');
    expect(fieldLabel('summary')).toBe('Summary');
  });

  it('parses nested indexes', () => {
    expect(parsePath('contacts[1].phones[0].number')).toEqual([
      { key: 'contacts', index: 1 },
      { key: 'phones', index: 0 },
      { key: 'number' },
    ]);
  });
});

describe('changeLine', () => {
  it('reads a changed phone number as a sentence', () => {
    expect(changeLine({ field: 'contacts[1].phones[0].number', from: '773-553-3470', to: '773-553-3471' })).toBe(
      'Contact 2, phone 1, number: 773-553-3470 → 773-553-3471',
    );
  });

  it('describes added and removed items by what they hold', () => {
    expect(
      changeLine({
        field: 'contacts[0].phones[1]',
        to: { kind: 'fax', number: '773-553-2101', e164: '+17735532101', ext: '', label: '' },
      }),
    ).toBe('Contact 1, phone 2 added: Fax 773-553-2101');
    expect(changeLine({ field: 'contacts[0].emails[0]', from: { address: 'occs@cps.edu', label: 'General' } })).toBe(
      'Contact 1, email 1 removed (was: occs@cps.edu (General))',
    );
  });

  it('writes a whole contact on one line', () => {
    const contact = {
      id: 'c1',
      label: 'Main office',
      address: { street: '42 W. Madison St.', street2: '', city: 'Chicago', state: 'IL', postal_code: '60602', country: 'US' },
      phones: [{ kind: 'voice', number: '773-553-2100', e164: '+17735532100', ext: '12', label: 'Front desk' }],
      emails: [],
      hours: 'Mon-Fri 9-5',
      position: 0,
    };
    expect(describeValue('contacts[2]', contact)).toBe(
      'Main office; 42 W. Madison St., Chicago, IL 60602, US; Phone 773-553-2100 ext. 12 (Front desk); Hours: Mon-Fri 9-5',
    );
  });

  it('says empty values in words', () => {
    expect(changeLine({ field: 'acronym', from: 'OCCS', to: '' })).toBe('Acronym removed (was: OCCS)');
    expect(describeValue('contacts[0].phones[0].kind', 'tty')).toBe('TTY');
  });
});

describe('visibleChanges', () => {
  it('drops bookkeeping and empty no-ops, and orders fields as the edit screen', () => {
    const out = visibleChanges([
      { field: 'acronym', to: '' },
      { field: 'contacts[0].id', from: 'a', to: 'b' },
      { field: 'contacts[0].phones[0].e164', from: '+17735533470', to: '+17735533471' },
      { field: 'contacts[0].phones[0].number', from: '773-553-3470', to: '773-553-3471' },
      { field: 'summary', from: 'Old', to: 'New' },
      { field: 'name', from: 'A', to: 'B' },
    ]);
    expect(out.map((c) => c.field)).toEqual(['name', 'summary', 'contacts[0].phones[0].number']);
  });
});

describe('htmlToText', () => {
  it('reads sanitized HTML as lines of text', () => {
    expect(htmlToText('<p>We help <strong>students</strong>.</p><ul><li>Advising</li><li>Visits</li></ul>')).toBe(
      'We help students.\n• Advising\n• Visits',
    );
    expect(htmlToText('')).toBe('');
  });
});
