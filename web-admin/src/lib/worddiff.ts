// Word-level differences between two texts, for the review and history
// screens. Only those screens import this module: jsdiff stays off the
// first load. Screens render the parts as <del>/<ins> Svelte elements,
// never as HTML strings.
import { diffWordsWithSpace } from 'diff';

export type PartKind = 'same' | 'add' | 'del';

export interface Part {
  kind: PartKind;
  text: string;
}

// Comparing two long texts word by word can take a while; past this the
// texts are shown as wholly removed and wholly added instead.
const timeoutMs = 300;

/**
 * wordDiff splits the change from before to after into runs of kept,
 * removed and added words; whitespace counts, so a changed line break or
 * double space shows too.
 */
export function wordDiff(before: string, after: string): Part[] {
  if (before === after) return before === '' ? [] : [{ kind: 'same', text: before }];
  if (before === '') return [{ kind: 'add', text: after }];
  if (after === '') return [{ kind: 'del', text: before }];
  const changes = diffWordsWithSpace(before, after, { timeout: timeoutMs });
  if (!changes) {
    return [
      { kind: 'del', text: before },
      { kind: 'add', text: after },
    ];
  }
  const parts: Part[] = [];
  for (const c of changes) {
    const kind: PartKind = c.added ? 'add' : c.removed ? 'del' : 'same';
    const last = parts[parts.length - 1];
    if (last && last.kind === kind) last.text += c.value;
    else if (c.value !== '') parts.push({ kind, text: c.value });
  }
  return parts;
}

/** side keeps what one side of a side-by-side view shows: the old text with its removals, or the new one with its additions. */
export function side(parts: Part[], which: 'before' | 'after'): Part[] {
  const drop: PartKind = which === 'before' ? 'add' : 'del';
  return parts.filter((p) => p.kind !== drop);
}

/** changed tells whether any word was added or removed. */
export function changed(parts: Part[]): boolean {
  return parts.some((p) => p.kind !== 'same');
}

/** textOf rebuilds one side's text from the parts (before: kept + removed; after: kept + added). */
export function textOf(parts: Part[], which: 'before' | 'after'): string {
  return side(parts, which)
    .map((p) => p.text)
    .join('');
}
