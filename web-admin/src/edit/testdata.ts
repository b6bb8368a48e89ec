// Documents as the admin API answers, for the edit screen's tests.
import type { Department, Office } from '../lib/content';

export const officeId = '11111111-1111-4111-8111-111111111111';
export const departmentId = '22222222-2222-4222-8222-222222222222';
export const contactA = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
export const contactB = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

export function department(over: Partial<Department> & Record<string, unknown> = {}): Department {
  return {
    id: departmentId,
    status: 'published',
    version: 4,
    published_revision: 3,
    published_at: '2026-11-30T10:00:00Z',
    created_at: '2026-11-01T10:00:00Z',
    updated_at: '2026-11-30T10:00:00Z',
    office_id: officeId,
    office_slug: 'occs',
    office_name: 'Office of College and Career Success',
    slug: 'early-college',
    name: 'Early College',
    acronym: 'EC',
    summary: 'College courses in high school.',
    description_html: '<p>Students earn <strong>college credit</strong>.</p>',
    learn_more_url: 'https://example.org/early-college',
    position: 2,
    contacts: [
      {
        id: contactA,
        label: 'Main office',
        address: { street: '42 W Madison St', street2: '', city: 'Chicago', state: 'IL', postal_code: '60602', country: 'US' },
        phones: [
          { kind: 'voice', number: '773-553-3543', e164: '+17735533543', ext: '', label: '' },
          { kind: 'fax', number: '773-553-3544', e164: '+17735533544', ext: '', label: '' },
        ],
        emails: [{ address: 'ec@example.org', label: 'General' }],
        hours: 'Mon-Fri 8-5',
        position: 0,
      },
      {
        id: contactB,
        label: 'Admissions',
        address: null,
        phones: [],
        emails: [{ address: 'admit@example.org', label: '' }],
        hours: '',
        position: 1,
      },
    ],
    ...over,
  } as Department;
}

export function office(over: Partial<Office> = {}): Office {
  return {
    id: officeId,
    status: 'draft',
    version: 2,
    published_revision: null,
    published_at: null,
    created_at: '2026-11-01T10:00:00Z',
    updated_at: '2026-11-30T10:00:00Z',
    slug: 'occs',
    name: 'Office of College and Career Success',
    acronym: 'OCCS',
    summary: 'Helps students plan.',
    description_html: '<p>We help.</p>',
    contacts: [],
    ...over,
  };
}
