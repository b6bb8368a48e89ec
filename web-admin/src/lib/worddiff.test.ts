import { describe, expect, it } from 'vitest';
import { changed, side, textOf, wordDiff } from './worddiff';

describe('wordDiff', () => {
  it('marks only the words that changed', () => {
    const parts = wordDiff('Call us on weekdays', 'Call us on weekends');
    expect(parts).toEqual([
      { kind: 'same', text: 'Call us on ' },
      { kind: 'del', text: 'weekdays' },
      { kind: 'add', text: 'weekends' },
    ]);
    expect(changed(parts)).toBe(true);
  });

  it('keeps whitespace, and a change of whitespace alone shows', () => {
    const parts = wordDiff('one two', 'one  two');
    expect(changed(parts)).toBe(true);
    expect(textOf(parts, 'before')).toBe('one two');
    expect(textOf(parts, 'after')).toBe('one  two');
    expect(parts.filter((p) => p.kind !== 'same').every((p) => /^\s+$/.test(p.text))).toBe(true);
  });

  it('treats an empty side as all added or all removed', () => {
    expect(wordDiff('', 'New text')).toEqual([{ kind: 'add', text: 'New text' }]);
    expect(wordDiff('Old text', '')).toEqual([{ kind: 'del', text: 'Old text' }]);
    expect(wordDiff('', '')).toEqual([]);
  });

  it('gives no change for equal texts', () => {
    const parts = wordDiff('Same words', 'Same words');
    expect(parts).toEqual([{ kind: 'same', text: 'Same words' }]);
    expect(changed(parts)).toBe(false);
  });

  it('splits into the two sides of a side-by-side view', () => {
    const parts = wordDiff('Fax 773-553-3470 today', 'Fax 773-553-3471 today');
    expect(textOf(parts, 'before')).toBe('Fax 773-553-3470 today');
    expect(textOf(parts, 'after')).toBe('Fax 773-553-3471 today');
    expect(side(parts, 'before').some((p) => p.kind === 'add')).toBe(false);
    expect(side(parts, 'after').some((p) => p.kind === 'del')).toBe(false);
  });

  it('rebuilds both texts exactly for longer prose', () => {
    const a = 'The Office of College and Career Success supports\nstudents from ninth grade on.';
    const b = 'The Office of College & Career Success supports all\nstudents from ninth grade onwards.';
    const parts = wordDiff(a, b);
    expect(textOf(parts, 'before')).toBe(a);
    expect(textOf(parts, 'after')).toBe(b);
  });
});
