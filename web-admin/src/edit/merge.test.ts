import { describe, expect, test } from 'vitest';
import { emptyContact, valuesOf, type ContactValues, type FormValues } from './changes';
import { applyChoices, choicesOf, copyText, htmlText, threeWay, type ContactItem } from './merge';
import { contactA, contactB, department } from './testdata';

const clone = (v: FormValues): FormValues => structuredClone(v);

function versions() {
  const base = valuesOf(department());
  return { base, mine: clone(base), theirs: clone(base) };
}

describe('threeWay: text fields', () => {
  test('nothing differs, nothing to choose', () => {
    const { base, mine, theirs } = versions();
    expect(threeWay('departments', base, mine, theirs)).toEqual([]);
  });

  test('only I changed it: Mine by default', () => {
    const { base, mine, theirs } = versions();
    mine.summary = 'My summary';
    const [item] = threeWay('departments', base, mine, theirs);
    expect(item).toMatchObject({ key: 'summary', label: 'Summary', mine: 'My summary', changedByMe: true, changedByThem: false, conflict: false, choice: 'mine' });
  });

  test('only they changed it: Theirs by default', () => {
    const { base, mine, theirs } = versions();
    theirs.name = 'Early College Program';
    const [item] = threeWay('departments', base, mine, theirs);
    expect(item).toMatchObject({ key: 'name', theirs: 'Early College Program', changedByMe: false, changedByThem: true, conflict: false, choice: 'theirs' });
  });

  test('both changed it differently: a conflict, Mine by default', () => {
    const { base, mine, theirs } = versions();
    mine.acronym = 'ECP';
    theirs.acronym = 'EarlyC';
    const [item] = threeWay('departments', base, mine, theirs);
    expect(item).toMatchObject({ key: 'acronym', conflict: true, choice: 'mine' });
  });

  test('both made the same change: nothing to choose', () => {
    const { base, mine, theirs } = versions();
    mine.slug = 'early-college-program';
    theirs.slug = 'early-college-program';
    expect(threeWay('departments', base, mine, theirs)).toEqual([]);
  });

  test('descriptions are compared by meaning, and marked as rich text', () => {
    const { base, mine, theirs } = versions();
    mine.description_html = '<p>Students earn <b>college credit</b>.</p>';
    expect(threeWay('departments', base, mine, theirs)).toEqual([]);
    theirs.description_html = '<p>Students earn credit.</p>';
    const [item] = threeWay('departments', base, mine, theirs);
    expect(item).toMatchObject({ key: 'description_html', kind: 'html', choice: 'theirs', conflict: false });
  });

  test('an office has no learn-more link to merge', () => {
    const { base, mine, theirs } = versions();
    theirs.learn_more_url = 'https://other.example';
    expect(threeWay('offices', base, mine, theirs)).toEqual([]);
    expect(threeWay('departments', base, mine, theirs).map((i) => i.key)).toEqual(['learn_more_url']);
  });

  test('items come in form order', () => {
    const { base, mine, theirs } = versions();
    theirs.summary = 'theirs';
    mine.name = 'mine';
    mine.description_html = '<p>mine</p>';
    expect(threeWay('departments', base, mine, theirs).map((i) => i.key)).toEqual(['name', 'summary', 'description_html']);
  });
});

describe('threeWay: contacts, one by one', () => {
  test('a contact edited only by them is theirs; one edited only by me is mine', () => {
    const { base, mine, theirs } = versions();
    mine.contacts[0].hours = 'Mon-Fri 9-5';
    theirs.contacts[1].label = 'Admissions office';
    const items = threeWay('departments', base, mine, theirs) as ContactItem[];
    expect(items.map((i) => [i.key, i.choice, i.conflict])).toEqual([
      ['contact:' + contactA, 'mine', false],
      ['contact:' + contactB, 'theirs', false],
    ]);
    expect(items[0].label).toBe('Contact “Main office”');
  });

  test('the same contact edited by both is a conflict', () => {
    const { base, mine, theirs } = versions();
    mine.contacts[0].phones[1].number = '773-000-0001';
    theirs.contacts[0].phones[1].number = '773-000-0002';
    const [item] = threeWay('departments', base, mine, theirs);
    expect(item).toMatchObject({ kind: 'contact', conflict: true, choice: 'mine' });
  });

  test('a contact I added shows as mine, not in theirs', () => {
    const { base, mine, theirs } = versions();
    mine.contacts.push({ ...emptyContact(), label: 'Counselor' });
    const [item] = threeWay('departments', base, mine, theirs) as ContactItem[];
    expect(item.mine?.label).toBe('Counselor');
    expect(item.theirs).toBeNull();
    expect(item.choice).toBe('mine');
    expect(item.id).toMatch(/^new:/);
  });

  test('a contact they removed that I left alone: Theirs (removed) by default', () => {
    const { base, mine, theirs } = versions();
    theirs.contacts.splice(1, 1);
    const [item] = threeWay('departments', base, mine, theirs) as ContactItem[];
    expect(item).toMatchObject({ choice: 'theirs', changedByThem: true, changedByMe: false });
    expect(item.theirs).toBeNull();
  });

  test('a contact they removed that I edited: a conflict', () => {
    const { base, mine, theirs } = versions();
    theirs.contacts.splice(1, 1);
    mine.contacts[1].hours = 'By appointment';
    const [item] = threeWay('departments', base, mine, theirs);
    expect(item).toMatchObject({ conflict: true, choice: 'mine' });
  });

  test('moving contacts alone changes no contact', () => {
    const { base, mine, theirs } = versions();
    theirs.contacts.reverse();
    expect(threeWay('departments', base, mine, theirs)).toEqual([]);
  });
});

describe('applyChoices', () => {
  test('the defaults keep both people\u2019s work where they did not collide', () => {
    const { base, mine, theirs } = versions();
    mine.summary = 'My summary';
    theirs.name = 'Their name';
    mine.contacts[0].hours = 'My hours';
    theirs.contacts[1].label = 'Their label';
    const items = threeWay('departments', base, mine, theirs);
    const merged = applyChoices('departments', items, choicesOf(items), mine, theirs);
    expect(merged.summary).toBe('My summary');
    expect(merged.name).toBe('Their name');
    expect(merged.contacts.map((c) => [c.id, c.label, c.hours])).toEqual([
      [contactA, 'Main office', 'My hours'],
      [contactB, 'Their label', ''],
    ]);
  });

  test('the person\u2019s choices win over the defaults', () => {
    const { base, mine, theirs } = versions();
    mine.summary = 'My summary';
    theirs.summary = 'Their summary';
    theirs.name = 'Their name';
    const items = threeWay('departments', base, mine, theirs);
    const merged = applyChoices('departments', items, { summary: 'theirs', name: 'mine' }, mine, theirs);
    expect(merged.summary).toBe('Their summary');
    expect(merged.name).toBe('Early College');
  });

  test('choosing Theirs for a contact they removed removes it; Mine keeps it', () => {
    const { base, mine, theirs } = versions();
    theirs.contacts.splice(0, 1);
    const items = threeWay('departments', base, mine, theirs);
    const key = 'contact:' + contactA;
    expect(applyChoices('departments', items, { [key]: 'theirs' }, mine, theirs).contacts.map((c) => c.id)).toEqual([contactB]);
    expect(applyChoices('departments', items, { [key]: 'mine' }, mine, theirs).contacts.map((c) => c.id)).toEqual([contactA, contactB]);
  });

  test('a contact only they added goes after the one it follows in their version, unless I decline it', () => {
    const { base, mine, theirs } = versions();
    const added: ContactValues = { ...emptyContact(), id: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', label: 'Registrar' };
    theirs.contacts.splice(1, 0, added); // A, Registrar, B
    mine.contacts.push({ ...emptyContact(), label: 'Mine new' }); // A, B, Mine new
    const items = threeWay('departments', base, mine, theirs);
    const merged = applyChoices('departments', items, choicesOf(items), mine, theirs);
    expect(merged.contacts.map((c) => c.label)).toEqual(['Main office', 'Registrar', 'Admissions', 'Mine new']);
    const declined = applyChoices('departments', items, { ['contact:' + added.id]: 'mine' }, mine, theirs);
    expect(declined.contacts.map((c) => c.label)).toEqual(['Main office', 'Admissions', 'Mine new']);
  });

  test('a contact they added at the top stays at the top', () => {
    const { base, mine, theirs } = versions();
    theirs.contacts.unshift({ ...emptyContact(), id: 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee', label: 'Front desk' });
    const items = threeWay('departments', base, mine, theirs);
    expect(applyChoices('departments', items, choicesOf(items), mine, theirs).contacts[0].label).toBe('Front desk');
  });

  test('my order of contacts is kept', () => {
    const { base, mine, theirs } = versions();
    mine.contacts.reverse();
    theirs.contacts[0].hours = 'Theirs';
    const items = threeWay('departments', base, mine, theirs);
    const merged = applyChoices('departments', items, choicesOf(items), mine, theirs);
    expect(merged.contacts.map((c) => [c.id, c.hours])).toEqual([
      [contactB, ''],
      [contactA, 'Theirs'],
    ]);
  });

  test('their order of contacts wins when only they reordered', () => {
    const { base, mine, theirs } = versions();
    theirs.contacts.reverse();
    mine.summary = 'Mine';
    const items = threeWay('departments', base, mine, theirs);
    const merged = applyChoices('departments', items, choicesOf(items), mine, theirs, base);
    expect(merged.contacts.map((c) => c.id)).toEqual([contactB, contactA]);
    expect(merged.summary).toBe('Mine');
  });

  test('my order wins when both reordered', () => {
    const { base, mine, theirs } = versions();
    const third = { ...structuredClone(base.contacts[0]), id: 'c-third', key: 'c-third', label: 'Third' };
    for (const v of [base, mine, theirs]) v.contacts.push(structuredClone(third));
    mine.contacts = [mine.contacts[1], mine.contacts[0], mine.contacts[2]];
    theirs.contacts = [theirs.contacts[2], theirs.contacts[0], theirs.contacts[1]];
    const items = threeWay('departments', base, mine, theirs);
    const merged = applyChoices('departments', items, choicesOf(items), mine, theirs, base);
    expect(merged.contacts.map((c) => c.id)).toEqual(mine.contacts.map((c) => c.id));
  });

  test('merging against theirs then leaves only my changes to save', () => {
    const { base, mine, theirs } = versions();
    mine.summary = 'Mine';
    theirs.name = 'Theirs';
    const items = threeWay('departments', base, mine, theirs);
    const merged = applyChoices('departments', items, choicesOf(items), mine, theirs);
    expect(threeWay('departments', theirs, merged, theirs).map((i) => i.key)).toEqual(['summary']);
  });
});

describe('copyText', () => {
  test('plain fields copy as typed, descriptions as readable text, contacts written out', () => {
    const { base, mine, theirs } = versions();
    mine.summary = 'Mine, all of it';
    mine.description_html = '<h2>Who</h2><p>All <strong>students</strong>.</p><ul><li>One</li><li>Two</li></ul><ol><li>First</li></ol>';
    mine.contacts[0].hours = 'Late';
    const items = threeWay('departments', base, mine, theirs);
    const by = (k: string) => items.find((i) => i.key === k)!;
    expect(copyText(by('summary'))).toBe('Mine, all of it');
    expect(copyText(by('description_html'))).toBe('Who\nAll students.\n• One\n• Two\n1. First');
    const contact = copyText(by('contact:' + contactA));
    expect(contact).toContain('Main office');
    expect(contact).toContain('42 W Madison St');
    expect(contact).toContain('Fax: 773-553-3544');
    expect(contact).toContain('Hours: Late');
  });

  test('htmlText of nested lists and plain text', () => {
    expect(htmlText('<ul><li>A<ul><li>B</li></ul></li></ul>')).toBe('• A\n  • B');
    expect(htmlText('just text')).toBe('just text');
    expect(htmlText('')).toBe('');
  });
});
