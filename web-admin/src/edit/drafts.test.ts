import { beforeEach, describe, expect, test } from 'vitest';
import { emptyContact, emptyValues, type FormValues } from './changes';
import { draftKey, loadDraft, maxAge, prefix, pruneDrafts, removeDraft, saveDraft, type LocalDraft } from './drafts';

function values(name: string): FormValues {
  return { ...emptyValues(), name, contacts: [{ ...emptyContact(), label: 'Main office' }] };
}

function draft(name: string, savedAt = new Date().toISOString(), extra: Partial<LocalDraft> = {}): LocalDraft {
  return { type: 'offices', id: 'o1', baseVersion: 3, savedAt, values: values(name), base: values('Before'), ...extra };
}

/** A Storage that holds at most `room` characters, like a full quota. */
class TinyStorage implements Storage {
  map = new Map<string, string>();
  constructor(public room: number) {}
  get length() {
    return this.map.size;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    const used = [...this.map].reduce((n, [key, val]) => n + (key === k ? 0 : key.length + val.length), 0);
    if (used + k.length + v.length > this.room) throw new DOMException('full', 'QuotaExceededError');
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
  clear() {
    this.map.clear();
  }
}

beforeEach(() => localStorage.clear());

describe('draftKey', () => {
  test('names a document by type and id, a new one by type and office', () => {
    expect(draftKey('offices', 'abc')).toBe(prefix + 'offices:abc');
    expect(draftKey('departments', 'abc')).toBe(prefix + 'departments:abc');
    expect(draftKey('offices')).toBe(prefix + 'offices:new:');
    expect(draftKey('departments', undefined, 'o9')).toBe(prefix + 'departments:new:o9');
    expect(draftKey('departments', undefined, 'o9')).not.toBe(draftKey('departments', undefined, 'o8'));
  });

  test("keeps each user's drafts apart, under the prefix that pruning looks for", () => {
    const ann = draftKey('offices', 'abc', undefined, 'u-ann');
    const bob = draftKey('offices', 'abc', undefined, 'u-bob');
    expect(ann).not.toBe(bob);
    expect(ann.startsWith(prefix)).toBe(true);
    const storage = new Map<string, string>();
    const fake = {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
      key: (i: number) => [...storage.keys()][i] ?? null,
      get length() {
        return storage.size;
      },
      clear: () => storage.clear(),
    } as Storage;
    saveDraft(ann, draft('Ann'), fake);
    expect(loadDraft(bob, fake)).toBeNull();
    expect(loadDraft(ann, fake)).not.toBeNull();
  });
});

describe('saveDraft and loadDraft', () => {
  test('round trip, with the version and base it started from', () => {
    const key = draftKey('offices', 'o1');
    expect(saveDraft(key, draft('Typed'))).toBe(true);
    const back = loadDraft(key)!;
    expect(back.values.name).toBe('Typed');
    expect(back.values.contacts[0].label).toBe('Main office');
    expect(back.baseVersion).toBe(3);
    expect(back.base?.name).toBe('Before');
  });

  test('the latest save wins', () => {
    const key = draftKey('offices', 'o1');
    saveDraft(key, draft('One'));
    saveDraft(key, draft('Two'));
    expect(loadDraft(key)!.values.name).toBe('Two');
  });

  test('nothing stored, or unreadable, is null', () => {
    expect(loadDraft(draftKey('offices', 'none'))).toBeNull();
    localStorage.setItem(draftKey('offices', 'bad'), '{not json');
    expect(loadDraft(draftKey('offices', 'bad'))).toBeNull();
    localStorage.setItem(draftKey('offices', 'odd'), JSON.stringify({ hello: 1 }));
    expect(loadDraft(draftKey('offices', 'odd'))).toBeNull();
  });

  test('an entry older than the limit is not offered and is dropped', () => {
    const key = draftKey('offices', 'o1');
    const old = new Date(Date.now() - maxAge - 1000).toISOString();
    saveDraft(key, draft('Old', old));
    expect(loadDraft(key)).toBeNull();
    expect(localStorage.getItem(key)).toBeNull();
  });

  test('removeDraft forgets it', () => {
    const key = draftKey('offices', 'o1');
    saveDraft(key, draft('X'));
    removeDraft(key);
    expect(loadDraft(key)).toBeNull();
  });

  test('without storage nothing breaks', () => {
    expect(saveDraft('k', draft('X'), null)).toBe(false);
    expect(loadDraft('k', null)).toBeNull();
    expect(() => removeDraft('k', null)).not.toThrow();
    expect(pruneDrafts(null)).toBe(0);
  });

  test('storage that throws on every call never breaks the form', () => {
    const broken = {
      get length(): number {
        throw new Error('denied');
      },
      key() {
        throw new Error('denied');
      },
      getItem() {
        throw new Error('denied');
      },
      setItem() {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem() {
        throw new Error('denied');
      },
      clear() {},
    } as unknown as Storage;
    expect(saveDraft('k', draft('X'), broken)).toBe(false);
    expect(loadDraft('k', broken)).toBeNull();
    expect(() => removeDraft('k', broken)).not.toThrow();
    expect(pruneDrafts(broken)).toBe(0);
  });
});

describe('quota', () => {
  test('a full storage makes room by dropping old entries first, then other documents oldest first', () => {
    const one = JSON.stringify(draft('A')).length + 40;
    const s = new TinyStorage(one * 3);
    const now = Date.now();
    const ancient = new Date(now - maxAge - 5000).toISOString();
    s.setItem(draftKey('offices', 'old'), JSON.stringify(draft('A', ancient)));
    s.setItem(draftKey('offices', 'older-doc'), JSON.stringify(draft('B', new Date(now - 50000).toISOString())));
    s.setItem(draftKey('offices', 'newer-doc'), JSON.stringify(draft('C', new Date(now - 1000).toISOString())));
    s.setItem('someone-else', 'x'.repeat(10));
    // Needs the room of two entries: the old one goes, then the oldest other document.
    const big = draft('D'.repeat(one));
    expect(saveDraft(draftKey('offices', 'mine'), big, s, now)).toBe(true);
    expect(s.getItem(draftKey('offices', 'old'))).toBeNull();
    expect(s.getItem(draftKey('offices', 'older-doc'))).toBeNull();
    expect(s.getItem('someone-else')).not.toBeNull(); // never touches what is not ours
    expect(loadDraft(draftKey('offices', 'mine'), s, now)!.values.name).toBe('D'.repeat(one));
  });

  test('when it can never fit it says so and keeps the other entries', () => {
    const s = new TinyStorage(2000);
    const other = draftKey('offices', 'x');
    s.setItem(other, JSON.stringify(draft('small')));
    expect(saveDraft(draftKey('offices', 'y'), draft('Z'.repeat(5000)), s)).toBe(false);
  });
});

describe('pruneDrafts', () => {
  test('drops entries older than the limit and unreadable ones, keeps recent and foreign ones', () => {
    const now = Date.now();
    saveDraft(draftKey('offices', 'recent'), draft('R', new Date(now - 1000).toISOString()));
    saveDraft(draftKey('offices', 'stale'), draft('S', new Date(now - maxAge - 1).toISOString()));
    localStorage.setItem(prefix + 'garbage', '???');
    localStorage.setItem('not-ours', 'keep');
    expect(pruneDrafts(localStorage, now)).toBe(2);
    expect(localStorage.getItem(draftKey('offices', 'recent'))).not.toBeNull();
    expect(localStorage.getItem(draftKey('offices', 'stale'))).toBeNull();
    expect(localStorage.getItem(prefix + 'garbage')).toBeNull();
    expect(localStorage.getItem('not-ours')).toBe('keep');
  });
});
