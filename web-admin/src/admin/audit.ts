// The audit log's filters: what the form holds (local date-times), what the
// address bar keeps (so a reload or a shared link shows the same rows) and
// what the API is asked (RFC 3339 times in UTC, limit and offset).
import { pageSize, type AuditQuery } from './api';

/** AuditFilters are the filters as the address bar keeps them; times in RFC 3339 UTC. */
export interface AuditFilters {
  action: string;
  actor_id: string;
  target_type: string;
  target_id: string;
  since: string;
  until: string;
  page: number;
}

/** AuditForm is what the filter form holds; times as a datetime-local input gives them. */
export interface AuditForm {
  action: string;
  actor_id: string;
  target_type: string;
  target_id: string;
  since: string; // "2026-11-28T12:00", local time
  until: string;
}

export const emptyFilters: AuditFilters = { action: '', actor_id: '', target_type: '', target_id: '', since: '', until: '', page: 1 };

const localPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** localToUTC turns a datetime-local value (the browser's time zone) into RFC 3339 UTC: "2026-11-28T17:00:00Z". */
export function localToUTC(local: string): string {
  if (!localPattern.test(local)) return '';
  const d = new Date(local); // no offset: read as local time
  if (Number.isNaN(d.getTime())) return '';
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** utcToLocal turns an RFC 3339 time into a datetime-local value in the browser's time zone. */
export function utcToLocal(iso: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getSeconds() ? `${base}:${pad(d.getSeconds())}` : base;
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** readFilters reads the filters from the address bar; malformed values are dropped. */
export function readFilters(query: URLSearchParams): AuditFilters {
  const get = (k: string) => (query.get(k) ?? '').trim();
  const time = (k: string) => (rfc3339.test(get(k)) && !Number.isNaN(Date.parse(get(k))) ? get(k) : '');
  const page = Number.parseInt(get('page'), 10);
  return {
    action: get('action'),
    actor_id: get('actor_id'),
    target_type: get('target_type'),
    target_id: get('target_id'),
    since: time('since'),
    until: time('until'),
    page: Number.isFinite(page) && page > 1 ? page : 1,
  };
}

/** formToFilters turns the filter form into filters, back on the first page. */
export function formToFilters(form: AuditForm): AuditFilters {
  return {
    action: form.action.trim(),
    actor_id: form.actor_id.trim(),
    target_type: form.target_type.trim(),
    target_id: form.target_id.trim(),
    since: localToUTC(form.since),
    until: localToUTC(form.until),
    page: 1,
  };
}

/** filtersToForm fills the filter form from filters. */
export function filtersToForm(f: AuditFilters): AuditForm {
  return {
    action: f.action,
    actor_id: f.actor_id,
    target_type: f.target_type,
    target_id: f.target_id,
    since: utcToLocal(f.since),
    until: utcToLocal(f.until),
  };
}

/** toUrlQuery gives the filters for setQuery; empty ones and page 1 are left out. */
export function toUrlQuery(f: AuditFilters): Record<string, string | undefined> {
  return {
    action: f.action || undefined,
    actor_id: f.actor_id || undefined,
    target_type: f.target_type || undefined,
    target_id: f.target_id || undefined,
    since: f.since || undefined,
    until: f.until || undefined,
    page: f.page > 1 ? String(f.page) : undefined,
  };
}

/** toApiQuery gives the query of GET /admin/audit for the filters. */
export function toApiQuery(f: AuditFilters, limit = pageSize): AuditQuery {
  const q: AuditQuery = { limit, offset: (f.page - 1) * limit };
  for (const k of ['action', 'actor_id', 'target_type', 'target_id', 'since', 'until'] as const) {
    if (f[k]) q[k] = f[k];
  }
  return q;
}

/** filtersActive tells whether any filter narrows the log. */
export function filtersActive(f: AuditFilters): boolean {
  return !!(f.action || f.actor_id || f.target_type || f.target_id || f.since || f.until);
}
