// Typed calls of the administration API (accounts, grants, roles, the audit
// log) and of the signed-in user's own account, for the admin screens.
import { api, ok, setAccessToken, type Schemas } from '../lib/api';
import { listDepartments, listOffices, type DepartmentItem, type OfficeItem } from '../lib/content';

export type User = Schemas['User'];
export type UserWithGrants = Schemas['UserWithGrants'];
export type Grant = Schemas['Grant'];
export type Role = Schemas['Role'];
export type RoleName = Schemas['RoleName'];
export type Permission = Schemas['Permission'];
export type ListMeta = Schemas['ListMeta'];
export type UserUpdate = Schemas['UserUpdate'];

/** AuditEvent is an audit row; detail holds action-specific facts. */
export type AuditEvent = Omit<Schemas['AuditEvent'], 'detail'> & { detail: Record<string, unknown> };

/** pageSize is the page size of every admin list here. */
export const pageSize = 20;

export interface UserQuery {
  q?: string;
  active?: boolean;
  limit?: number;
  offset?: number;
}

export async function listUsers(p: UserQuery = {}): Promise<{ data: UserWithGrants[]; meta: ListMeta }> {
  return ok(api.GET('/api/v1/admin/users', { params: { query: { limit: pageSize, ...p } } }));
}

export async function getUser(id: string): Promise<UserWithGrants> {
  const body = await ok(api.GET('/api/v1/admin/users/{id}', { params: { path: { id } } }));
  return body.data;
}

export async function createUser(body: Schemas['UserCreate']): Promise<UserWithGrants> {
  const res = await ok(api.POST('/api/v1/admin/users', { body }));
  return res.data;
}

/** updateUser sends only the fields present in patch. */
export async function updateUser(id: string, patch: UserUpdate): Promise<UserWithGrants> {
  const res = await ok(api.PATCH('/api/v1/admin/users/{id}', { params: { path: { id } }, body: patch }));
  return res.data;
}

export async function listGrantsOf(userId: string): Promise<Grant[]> {
  const res = await ok(api.GET('/api/v1/admin/grants', { params: { query: { user_id: userId, limit: 100 } } }));
  return res.data;
}

export async function createGrant(body: Schemas['GrantCreate']): Promise<Grant> {
  const res = await ok(api.POST('/api/v1/admin/grants', { body }));
  return res.data;
}

export async function deleteGrant(id: number): Promise<void> {
  await ok(api.DELETE('/api/v1/admin/grants/{id}', { params: { path: { id } } }));
}

let rolesCache: Promise<Role[]> | null = null;

/** listRoles reads the four roles once per page load (they change only with a new Bureau version). */
export function listRoles(): Promise<Role[]> {
  rolesCache ??= ok(api.GET('/api/v1/admin/roles')).then(
    (r) => r.data,
    (e) => {
      rolesCache = null;
      throw e;
    },
  );
  return rolesCache;
}

export interface AuditQuery {
  actor_id?: string;
  action?: string;
  target_type?: string;
  target_id?: string;
  since?: string;
  until?: string;
  limit?: number;
  offset?: number;
}

export async function listAudit(p: AuditQuery): Promise<{ data: AuditEvent[]; meta: ListMeta }> {
  const res = await ok(api.GET('/api/v1/admin/audit', { params: { query: { limit: pageSize, ...p } } }));
  return res as unknown as { data: AuditEvent[]; meta: ListMeta };
}

/** updateProfile changes the signed-in user's display name. */
export async function updateProfile(displayName: string): Promise<User> {
  const res = await ok(api.PATCH('/api/v1/auth/me', { body: { display_name: displayName } }));
  return res.data;
}

/**
 * changePassword changes the signed-in user's password. The server ends
 * every session of the user and starts a new one for this browser: the
 * answer carries its access token (the refresh cookie comes with it).
 */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  const t = await ok(api.POST('/api/v1/auth/password', { body: { current_password: currentPassword, new_password: newPassword } }));
  setAccessToken(t.access_token);
}

/** searchLimit is how many offices or departments a search shows. */
export const searchLimit = 20;

export async function searchOffices(q: string): Promise<{ items: OfficeItem[]; total: number }> {
  const res = await listOffices({ q: q.trim() || undefined, limit: searchLimit });
  return { items: res.data, total: res.meta.total };
}

export async function searchDepartments(q: string): Promise<{ items: DepartmentItem[]; total: number }> {
  const res = await listDepartments({ q: q.trim() || undefined, limit: searchLimit });
  return { items: res.data, total: res.meta.total };
}

// Names of the offices and departments grants are scoped to, looked up once
// each: the list is searched for the slug and the exact match kept.
const scopeNames = new Map<string, Promise<string | null | undefined>>();

/**
 * scopeName gives the name of the office or department a scope names: null
 * when none has that slug, undefined when it could not be looked up (no
 * right to, or no connection).
 */
export function scopeName(scope: string): Promise<string | null | undefined> {
  const [kind, slug] = splitScope(scope);
  if (!kind) return Promise.resolve(undefined);
  let name = scopeNames.get(scope);
  if (!name) {
    const search = kind === 'office' ? listOffices({ q: slug, limit: 100 }) : listDepartments({ q: slug, limit: 100 });
    name = search.then(
      (r) => (r.data as { slug: string; name: string }[]).find((d) => d.slug === slug)?.name ?? null,
      () => {
        scopeNames.delete(scope);
        return undefined;
      },
    );
    scopeNames.set(scope, name);
  }
  return name;
}

/** splitScope splits "office:occs" into its kind and slug; "*" and anything else give no kind. */
export function splitScope(scope: string): ['office' | 'department' | null, string] {
  const i = scope.indexOf(':');
  const kind = scope.slice(0, i);
  if (i > 0 && (kind === 'office' || kind === 'department')) return [kind, scope.slice(i + 1)];
  return [null, scope];
}
