// The typed API client. The access token lives only in this module's
// memory; the refresh cookie (HttpOnly, path /api/v1/auth) brings a session
// back after a reload. A request refused with 401 is retried once after a
// refresh and, if that fails too, after the person signs in again in the
// session dialog, so an expired session never throws away what they typed.
import createClient from 'openapi-fetch';
import type { components, paths } from '../api/schema';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type FieldError = Schemas['FieldError'];
export type TokenResponse = Schemas['TokenResponse'];

let accessToken: string | null = null;
let refreshing: Promise<TokenResponse | null> | null = null;

// Resolves true once the person has signed in again; false when there is no
// session to resume (signed out), so the 401 stands.
type Reauthenticate = () => Promise<boolean>;
let reauthenticate: Reauthenticate | null = null;
let onTokens: ((t: TokenResponse) => void) | null = null;

/** setSessionHooks wires the session store: told of new tokens, asked to sign in again. */
export function setSessionHooks(hooks: { tokens: (t: TokenResponse) => void; reauthenticate: Reauthenticate }) {
  onTokens = hooks.tokens;
  reauthenticate = hooks.reauthenticate;
}

export function setAccessToken(token: string | null) {
  accessToken = token;
}

export function hasAccessToken(): boolean {
  return accessToken !== null;
}

// The refresh call, one at a time across every tab of this browser (Web
// Locks): tabs share the cookie, and a second tab presenting the cookie the
// first just rotated would end the session everywhere. Waiting for the lock
// means sending the new cookie instead.
function refreshCall(): Promise<Response> {
  const call = () => fetch('/api/v1/auth/refresh', { method: 'POST', credentials: 'same-origin' });
  const locks = globalThis.navigator?.locks;
  return locks ? locks.request('bureau-refresh', call) : call();
}

/**
 * refreshSession trades the refresh cookie for a new access token. Calls
 * made while one is in flight share it: the cookie rotates on every use,
 * and presenting an old one twice would end the whole session.
 */
export function refreshSession(): Promise<TokenResponse | null> {
  refreshing ??= (async () => {
    try {
      const res = await refreshCall();
      if (!res.ok) return null;
      const body = (await res.json()) as TokenResponse;
      accessToken = body.access_token;
      onTokens?.(body);
      return body;
    } catch {
      return null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function withToken(req: Request): Request {
  if (accessToken) req.headers.set('Authorization', 'Bearer ' + accessToken);
  return req;
}

// Sign-in and refresh answer 401 for their own reasons; never retry them.
const noRetry = /\/api\/v1\/auth\/(login|refresh|setup)$/;

async function authedFetch(input: Request): Promise<Response> {
  const spare = input.clone();
  const res = await fetch(withToken(input));
  if (res.status !== 401 || noRetry.test(new URL(input.url).pathname)) return res;
  if (await refreshSession()) return fetch(withToken(spare));
  if (!reauthenticate || !(await reauthenticate())) return res;
  return fetch(withToken(spare));
}

export const api = createClient<paths>({ baseUrl: '', fetch: authedFetch });

/** isProblem tells an API error answer from a network failure. */
export function isProblem(e: unknown): e is Problem {
  return typeof e === 'object' && e !== null && 'status' in e && 'title' in e;
}

/** ApiError carries a problem answer (or a network failure) to the screen that made the call. */
export class ApiError extends Error {
  constructor(
    readonly problem: Problem,
    readonly response?: Response,
  ) {
    super(problem.detail || problem.title);
  }
  get status() {
    return this.problem.status;
  }
}

const offline: Problem = {
  type: 'about:blank',
  title: 'Network error',
  status: 599 as Problem['status'],
  detail: 'Bureau could not be reached. Check your connection and try again.',
};

/**
 * ok unwraps an openapi-fetch result: the data, or an ApiError with the
 * problem answer. Network failures become a plain-language problem too.
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result;
  try {
    result = await call;
  } catch {
    throw new ApiError(offline);
  }
  if (result.error !== undefined || !result.response.ok) {
    const p = isProblem(result.error)
      ? result.error
      : { type: 'about:blank', title: result.response.statusText || 'Error', status: result.response.status as Problem['status'] };
    throw new ApiError(p, result.response);
  }
  return result.data as T;
}

/** etagOf reads the ETag of an admin answer ("v12"). */
export function etagOf(res: Response): string {
  return res.headers.get('ETag') ?? '';
}

/** message is a plain-language sentence for an error, for a person to read. */
export function message(e: unknown): string {
  if (e instanceof ApiError) {
    const p = e.problem;
    switch (p.status) {
      case 401:
        return 'Your session has ended. Please sign in again.';
      case 403:
        return 'You do not have permission to do that.';
      case 404:
        return 'This item does not exist any more, or you cannot see it.';
      case 429:
        return 'Too many attempts. Please wait a few minutes, then try again.';
      default:
        return p.detail ? sentence(p.detail) : p.title;
    }
  }
  return 'Something went wrong. Please try again.';
}

function sentence(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : t + '.';
}
