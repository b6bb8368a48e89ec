// Who is signed in, and what they may do. Rights come from GET /auth/me
// (effective permissions, each with its scope) so screens can show fields
// read-only and hide buttons instead of surprising people with a 403.
import { api, ApiError, ok, refreshSession, setAccessToken, setSessionHooks, type Schemas, type TokenResponse } from './api';

export type Me = Schemas['Me'];
export type Permission = Schemas['Permission'];

interface SessionState {
  me: Me | null;
  restored: boolean; // the first refresh attempt after load has finished
  reauth: { resolve: () => void } | null; // the sign-in dialog is open
}

export const session: SessionState = $state({ me: null, restored: false, reauth: null });

async function loadMe() {
  const body = await ok(api.GET('/api/v1/auth/me'));
  session.me = body.data;
}

setSessionHooks({
  tokens: (_t: TokenResponse) => {},
  // A request was refused and the refresh cookie did not help: open the
  // dialog and let the request wait until the person has signed in again.
  // Without a session (signed out, or never signed in) there is nothing to
  // resume, and the refusal stands.
  reauthenticate: () =>
    new Promise<boolean>((resolve) => {
      if (!session.me) {
        resolve(false);
      } else if (session.reauth) {
        const previous = session.reauth.resolve;
        session.reauth = { resolve: () => (previous(), resolve(true)) };
      } else {
        session.reauth = { resolve: () => resolve(true) };
      }
    }),
});

/** restore brings back the session after a reload, through the refresh cookie. */
export async function restore() {
  try {
    if (await refreshSession()) await loadMe();
  } catch {
    session.me = null;
  } finally {
    session.restored = true;
  }
}

/** signIn signs in with a password; it throws an ApiError (401, 429, 400) on refusal. */
export async function signIn(email: string, password: string) {
  const t = await ok(api.POST('/api/v1/auth/login', { body: { email, password } }));
  setAccessToken(t.access_token);
  await loadMe();
  if (session.reauth) {
    const { resolve } = session.reauth;
    session.reauth = null;
    resolve();
  }
}

/** startWithTokens begins a session from a token answer (first-run setup). */
export async function startWithTokens(t: TokenResponse) {
  setAccessToken(t.access_token);
  await loadMe();
}

export async function signOut() {
  // Forget the user first: a request that fails from here on must not
  // open the "session ended" dialog.
  session.me = null;
  try {
    await api.POST('/api/v1/auth/logout');
  } catch {
    // Signed out locally all the same.
  }
  setAccessToken(null);
}

export async function reloadMe() {
  await loadMe();
}

export function isAdmin(): boolean {
  return can('users', 'read', ['*']);
}

function matches(pattern: string, value: string) {
  return pattern === '*' || pattern === value;
}

/**
 * can tells whether the signed-in user may do action on object in any of
 * scopes: the scopes of the item ("*" always applies, then "office:slug",
 * "department:slug").
 */
export function can(object: string, action: string, scopes: string[]): boolean {
  const perms = session.me?.permissions ?? [];
  return perms.some(
    (p) =>
      matches(p.object, object) &&
      matches(p.action, action) &&
      (p.scope === '*' || (p.scope !== undefined && scopes.includes(p.scope))),
  );
}

/** canSomewhere tells whether the user may do action on object in at least one scope. */
export function canSomewhere(object: string, action: string): boolean {
  return (session.me?.permissions ?? []).some((p) => matches(p.object, object) && matches(p.action, action));
}

/** scopesOf lists the scopes an item is checked in. */
export function scopesOf(type: 'offices' | 'departments', slug: string, officeSlug?: string): string[] {
  const scopes = ['*'];
  if (type === 'offices') scopes.push('office:' + slug);
  else {
    if (officeSlug) scopes.push('office:' + officeSlug);
    scopes.push('department:' + slug);
  }
  return scopes;
}

export { ApiError };
