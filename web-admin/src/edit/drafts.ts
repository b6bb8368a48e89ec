// Local drafts: the edit form kept in this browser on every change, so a
// reload, a crash or a closed tab never loses what someone typed. One entry
// per document (or per new document and office), holding the version it was
// based on and that version's values, so it can be merged if someone else
// saved meanwhile. Storage may be missing, full or disabled: then nothing is
// kept, and the form goes on working.
import type { ContentType } from '../lib/content';
import type { FormValues } from './changes';

export const prefix = 'bureau.draft.';
export const maxAge = 30 * 24 * 3600 * 1000;

export interface LocalDraft {
  type: ContentType;
  id: string; // the document id; empty for a new document
  officeId?: string; // new departments: the office they go in
  baseVersion: number | null; // the version the edits started from; null for a new document
  savedAt: string; // ISO time of the last change
  values: FormValues; // what the form held
  base: FormValues | null; // the values of baseVersion, for a three-way merge
  message?: string; // the note for the history
}

/**
 * draftKey names the entry of a document, or of a new one (in an office, for
 * departments). With a user id the entry is that user's alone, so on a shared
 * computer nobody is offered another person's unsaved text.
 */
export function draftKey(type: ContentType, id?: string, officeId?: string, userId = ''): string {
  return prefix + (userId ? userId + '/' : '') + type + ':' + (id ? id : 'new:' + (officeId ?? ''));
}

function defaultStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // access refused (privacy settings)
  }
}

function read(storage: Storage, key: string): LocalDraft | null {
  try {
    const raw = storage.getItem(key);
    if (!raw) return null;
    const d = JSON.parse(raw) as LocalDraft;
    if (!d || typeof d !== 'object' || !d.values || typeof d.savedAt !== 'string') return null;
    return d;
  } catch {
    return null;
  }
}

function ourKeys(storage: Storage): string[] {
  const keys: string[] = [];
  try {
    for (let i = 0; i < storage.length; i++) {
      const k = storage.key(i);
      if (k && k.startsWith(prefix)) keys.push(k);
    }
  } catch {
    // Unreadable storage holds nothing of ours.
  }
  return keys;
}

/** loadDraft gives the entry under key, or null (none, unreadable, or too old). */
export function loadDraft(key: string, storage = defaultStorage(), now = Date.now()): LocalDraft | null {
  if (!storage) return null;
  const d = read(storage, key);
  if (!d) return null;
  const at = Date.parse(d.savedAt);
  if (Number.isNaN(at) || now - at > maxAge) {
    removeDraft(key, storage);
    return null;
  }
  return d;
}

/**
 * saveDraft keeps draft under key. When storage is full it first drops
 * old entries, then other documents' entries, oldest first, and tries
 * again; it reports whether the draft is kept, and never throws.
 */
export function saveDraft(key: string, draft: LocalDraft, storage = defaultStorage(), now = Date.now()): boolean {
  if (!storage) return false;
  let raw: string;
  try {
    raw = JSON.stringify(draft);
  } catch {
    return false;
  }
  const attempt = () => {
    try {
      storage.setItem(key, raw);
      return true;
    } catch {
      return false;
    }
  };
  if (attempt()) return true;
  pruneDrafts(storage, now);
  if (attempt()) return true;
  const others = ourKeys(storage)
    .filter((k) => k !== key)
    .map((k) => ({ k, at: Date.parse(read(storage, k)?.savedAt ?? '') || 0 }))
    .sort((a, b) => a.at - b.at);
  for (const { k } of others) {
    removeDraft(k, storage);
    if (attempt()) return true;
  }
  return false;
}

export function removeDraft(key: string, storage = defaultStorage()) {
  try {
    storage?.removeItem(key);
  } catch {
    // Nothing to do: the entry goes when storage works again, or ages out.
  }
}

/** pruneDrafts drops entries older than maxAge and entries that cannot be read; it returns how many went. */
export function pruneDrafts(storage = defaultStorage(), now = Date.now(), age = maxAge): number {
  if (!storage) return 0;
  let n = 0;
  for (const k of ourKeys(storage)) {
    const d = read(storage, k);
    const at = d ? Date.parse(d.savedAt) : NaN;
    if (!d || Number.isNaN(at) || now - at > age) {
      removeDraft(k, storage);
      n++;
    }
  }
  return n;
}
