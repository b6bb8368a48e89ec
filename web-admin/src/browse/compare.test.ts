import { describe, expect, it } from 'vitest';
import { comparable, defaultPair, pairFromQuery, pick, resolvePair, swap } from './compare';

describe('history compare selection', () => {
  it('starts with the published revision against the draft', () => {
    expect(defaultPair(7, 4)).toEqual({ a: 4, b: 7 });
  });

  it('compares the draft with the one before when the draft is published or nothing is', () => {
    expect(defaultPair(7, 7)).toEqual({ a: 6, b: 7 });
    expect(defaultPair(3, null)).toEqual({ a: 2, b: 3 });
    expect(defaultPair(1, null)).toEqual({ a: null, b: 1 });
  });

  it('picks one side and keeps the other', () => {
    expect(pick({ a: 4, b: 7 }, 'a', 2)).toEqual({ a: 2, b: 7 });
    expect(pick({ a: 4, b: 7 }, 'b', 5)).toEqual({ a: 4, b: 5 });
  });

  it("swaps when one side takes the other's revision, so the two never match", () => {
    expect(pick({ a: 4, b: 7 }, 'a', 7)).toEqual({ a: 7, b: 4 });
    expect(pick({ a: 4, b: 7 }, 'b', 4)).toEqual({ a: 7, b: 4 });
    expect(swap({ a: 4, b: 7 })).toEqual({ a: 7, b: 4 });
  });

  it('reads the pair from the URL and falls back to the default when it is not valid', () => {
    const asked = pairFromQuery(new URLSearchParams('a=2&b=5'));
    expect(asked).toEqual({ a: 2, b: 5 });
    expect(resolvePair(asked, 7, 4)).toEqual({ a: 2, b: 5 });
    expect(resolvePair(pairFromQuery(new URLSearchParams('a=2&b=9')), 7, 4)).toEqual({ a: 4, b: 7 });
    expect(resolvePair(pairFromQuery(new URLSearchParams('a=3&b=3')), 7, 4)).toEqual({ a: 4, b: 7 });
    expect(resolvePair(pairFromQuery(new URLSearchParams('a=x')), 7, 4)).toEqual({ a: 4, b: 7 });
    expect(comparable({ a: 0, b: 2 }, 7)).toBe(false);
  });
});
