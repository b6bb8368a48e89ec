// Test helpers for the browse screens. The HTTP boundary, globalThis.fetch,
// is what tests replace. Import this module first: the API client keeps
// the Request class it finds when it is created, and Node's refuses the
// relative URLs ("/api/v1/...") a browser resolves against the page.
import { vi } from 'vitest';

const Base = globalThis.Request;
globalThis.Request = class extends Base {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === 'string' ? new URL(input, window.location.href) : input, init);
  }
} as typeof Request;

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });
}

export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
}

/** serve answers each request with answer(request); anything unanswered is a 404. */
export function serve(answer: (r: Seen) => Response | undefined) {
  const seen: Seen[] = [];
  globalThis.fetch = vi.fn(async (input: Request) => {
    const url = new URL(input.url);
    const r = { method: input.method, path: url.pathname, query: url.searchParams };
    seen.push(r);
    return answer(r) ?? jsonResponse({ type: 'about:blank', title: 'Not Found', status: 404 }, 404);
  }) as unknown as typeof fetch;
  return seen;
}

export function list<T>(data: T[], total = data.length, limit = 25, offset = 0) {
  return jsonResponse({ data, meta: { total, limit, offset } });
}
