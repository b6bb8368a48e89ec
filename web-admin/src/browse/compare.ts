// Which two revisions the history screen compares. A is shown on the left,
// B on the right; the diff reads "from A to B". Both are kept in the URL
// (?a=3&b=7) so a reload or the back button shows the same comparison.

export interface Pair {
  a: number | null;
  b: number | null;
}

/**
 * defaultPair compares the published revision with the draft, or, when
 * the draft is what is published (or nothing is), the draft with the one
 * before it.
 */
export function defaultPair(version: number, published: number | null): Pair {
  if (version < 1) return { a: null, b: null };
  if (published !== null && published !== version) return { a: published, b: version };
  return { a: version > 1 ? version - 1 : null, b: version };
}

/** pick chooses revision n for one side; choosing the other side's revision swaps them, so the two always differ. */
export function pick(pair: Pair, which: 'a' | 'b', n: number): Pair {
  const other = which === 'a' ? 'b' : 'a';
  if (pair[other] === n) return { [which]: n, [other]: pair[which] } as unknown as Pair;
  return { ...pair, [which]: n };
}

/** swap exchanges the two sides. */
export function swap(pair: Pair): Pair {
  return { a: pair.b, b: pair.a };
}

/** comparable tells whether the pair names two different revisions that exist (1..version). */
export function comparable(pair: Pair, version: number): pair is { a: number; b: number } {
  const okN = (n: number | null) => n !== null && Number.isInteger(n) && n >= 1 && n <= version;
  return okN(pair.a) && okN(pair.b) && pair.a !== pair.b;
}

/** pairFromQuery reads ?a=&b= (missing or bad values give null). */
export function pairFromQuery(query: URLSearchParams): Pair {
  const read = (k: string) => {
    const v = query.get(k);
    if (v === null || !/^\d+$/.test(v)) return null;
    return Number(v);
  };
  return { a: read('a'), b: read('b') };
}

/** resolvePair is the pair to show: the one asked for when it is valid, else the default. */
export function resolvePair(asked: Pair, version: number, published: number | null): Pair {
  return comparable(asked, version) ? asked : defaultPair(version, published);
}
