// The directory's state lives in the URL (?q=&status=&page=&dpage=&trash=1)
// so that a reload or the back button shows the same view. These helpers
// read and write it, and word the counts.
import type { Status, TrashItem } from '../lib/content';
import { statusLabels } from '../lib/content';
import type { Permission } from '../lib/session.svelte';

export const pageSize = 25;

export interface DirectoryState {
  q: string;
  status: Status | '';
  page: number; // offices, from 1
  dpage: number; // departments found by a search, from 1
  trash: boolean;
}

const statuses: Status[] = ['draft', 'changed', 'published'];

function positive(v: string | null): number {
  const n = v && /^\d+$/.test(v) ? Number(v) : 1;
  return n >= 1 ? n : 1;
}

export function parseState(query: URLSearchParams): DirectoryState {
  const status = query.get('status') ?? '';
  return {
    q: (query.get('q') ?? '').trim(),
    status: (statuses as string[]).includes(status) ? (status as Status) : '',
    page: positive(query.get('page')),
    dpage: positive(query.get('dpage')),
    trash: query.get('trash') === '1',
  };
}

/** stateQuery is the query string of a state, leaving out defaults so URLs stay short. */
export function stateQuery(s: DirectoryState): Record<string, string | undefined> {
  return {
    q: s.q || undefined,
    status: s.status || undefined,
    page: s.page > 1 ? String(s.page) : undefined,
    dpage: s.dpage > 1 ? String(s.dpage) : undefined,
    trash: s.trash ? '1' : undefined,
  };
}

const number = new Intl.NumberFormat();

/** count words a number of things: "1 office", "1,000 offices". */
export function count(n: number, one: string, many: string): string {
  return `${number.format(n)} ${n === 1 ? one : many}`;
}

/** shownOf is "25 of 1,000 offices". */
export function shownOf(shown: number, total: number, one: string, many: string): string {
  if (shown === total) return count(total, one, many);
  return `${number.format(shown)} of ${count(total, one, many)}`;
}

/** rangeText is "Showing 26–50 of 1,000 offices". */
export function rangeText(offset: number, shown: number, total: number, one: string, many: string): string {
  if (total === 0) return `No ${many}`;
  if (shown === total) return `Showing ${count(total, one, many)}`;
  return `Showing ${number.format(offset + 1)}–${number.format(offset + shown)} of ${count(total, one, many)}`;
}

/** filterWords describes the search and filter in force: "match “adult” and are Draft only". */
export function filterWords(s: DirectoryState): string {
  const parts: string[] = [];
  if (s.q) parts.push(`match “${s.q}”`);
  if (s.status) parts.push(`are “${statusLabels[s.status]}”`);
  return parts.join(' and ');
}

function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase();
}

/**
 * matchesQuery filters trash items in the browser the way the server
 * searches: every word must start a word of the name or slug, ignoring
 * case and accents.
 */
export function matchesQuery(item: Pick<TrashItem, 'name' | 'slug'>, q: string): boolean {
  const words = fold(q).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = fold(item.name + ' ' + item.slug.replace(/-/g, ' '))
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return words.every((w) => haystack.some((h) => h.startsWith(w)));
}

/**
 * ownDepartmentScopes lists the departments the user reaches only through
 * a department grant ("department:slug" scopes of read permissions). With
 * a "*" read on offices every department is in the tree already.
 */
export function ownDepartmentScopes(perms: Permission[]): string[] {
  const applies = (p: Permission, object: string) => (p.object === '*' || p.object === object) && (p.action === '*' || p.action === 'read');
  if (perms.some((p) => applies(p, 'offices') && p.scope === '*')) return [];
  return perms.filter((p) => applies(p, 'departments') && p.scope?.startsWith('department:')).map((p) => p.scope as string);
}
