// Test helpers for the admin screens: the HTTP boundary is globalThis.fetch.
// Import this module before any component: the API client is created with
// the Request class it finds, and Node's refuses the relative URLs the
// browser accepts ("/api/v1/…"), so relative ones are read against the
// page's address as a browser does.
import { vi } from 'vitest';

const NodeRequest = globalThis.Request;
class PageRequest extends NodeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === 'string' ? new URL(input, window.location.origin) : input, init);
  }
}
globalThis.Request = PageRequest as typeof Request;

/** json is a JSON answer. */
export function json(body: unknown, status = 200): Response {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': type } });
}

/** problem is a validation answer naming fields. */
export function problem(status: number, errors: { field: string; message: string }[], detail = 'invalid request'): Response {
  return json({ type: 'about:blank', title: 'Bad Request', status, detail, errors }, status);
}

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/**
 * mockFetch answers each request with route(call); unanswered requests get
 * a 404. It returns the mock and the list of calls made.
 */
export function mockFetch(route: (c: Call) => Response | undefined | Promise<Response | undefined>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: Request) => {
    const url = new URL(input.url);
    const text = input.method === 'GET' || input.method === 'DELETE' ? '' : await input.text();
    const call: Call = { method: input.method, path: url.pathname, query: url.searchParams, body: text ? JSON.parse(text) : undefined };
    calls.push(call);
    return (await route(call)) ?? json({ type: 'about:blank', title: 'Not Found', status: 404 }, 404);
  });
  globalThis.fetch = fn as unknown as typeof fetch;
  return { fn, calls };
}

/** roles is GET /admin/roles as Bureau answers it (trimmed to what the tests read). */
export const roles = [
  {
    name: 'admin',
    description: 'Everything, including users, grants, roles and the audit log. Always granted in scope *.',
    permissions: [
      { object: 'offices', action: 'read' },
      { object: 'users', action: 'read' },
      { object: 'users', action: 'create' },
      { object: 'audit', action: 'read' },
    ],
  },
  {
    name: 'editor',
    description: 'Create, edit, publish, unpublish, delete and restore offices and departments in scope; may change every field.',
    permissions: [
      ...['read', 'create', 'update', 'publish', 'unpublish', 'delete', 'restore'].map((action) => ({ object: 'departments', action })),
      ...['name', 'slug', 'summary'].map((action) => ({ object: 'departments.fields', action })),
    ],
  },
  {
    name: 'author',
    description: 'Read and edit drafts in scope, but only summary, description, contacts and learn_more_url.',
    permissions: [
      { object: 'departments', action: 'read' },
      { object: 'departments', action: 'update' },
      ...['summary', 'description', 'contacts', 'learn_more_url'].map((action) => ({ object: 'departments.fields', action })),
    ],
  },
  { name: 'viewer', description: 'Read drafts, revisions and history in scope.', permissions: [{ object: 'departments', action: 'read' }] },
];

export function office(slug: string, name: string, acronym = '') {
  const t = '2026-11-29T00:00:00Z';
  return { id: `id-${slug}`, status: 'published', version: 1, published_revision: 1, published_at: t, created_at: t, updated_at: t, slug, name, acronym, summary: '' };
}

export function department(slug: string, name: string, acronym = '') {
  return { ...office(slug, name, acronym), office_id: 'id-occs', position: 1 };
}

/** adminMe is GET /auth/me of an administrator. */
export const adminMe = {
  user: { id: 'u-admin', email: 'ada@example.org', display_name: 'Ada', active: true, last_login_at: null, created_at: '', updated_at: '' },
  grants: [{ id: 1, user_id: 'u-admin', role: 'admin' as const, scope: '*' }],
  permissions: [{ object: '*', action: '*', scope: '*' }],
};
