// Roles, scopes, permissions and audit actions in plain words, for people
// who never see the API's codes.
import type { Permission, RoleName } from './api';
import { splitScope } from './api';

export const roleNames: RoleName[] = ['admin', 'editor', 'author', 'viewer'];

const roleWords: Record<string, string> = {
  admin: 'Administrator',
  editor: 'Editor',
  author: 'Author',
  viewer: 'Viewer',
};

/** roleLabel names a role for people: "editor" -> "Editor". */
export function roleLabel(role: string): string {
  return roleWords[role] ?? role;
}

// What each role allows, briefly, for people who cannot read the roles
// list (only administrators can): My account shows it beside their roles.
const roleSummaries: Record<string, string> = {
  admin: 'Everything: all content, user accounts, roles and the audit log.',
  editor: 'Create, edit, publish, unpublish, move to the trash and restore; every field.',
  author: 'Edit drafts, but only the summary, description, contacts and learn more link; no publishing.',
  viewer: 'Read drafts, earlier versions and history.',
};

/** roleSummary says briefly what a role allows. */
export function roleSummary(role: string): string {
  return roleSummaries[role] ?? '';
}

/** scopeShort says where a grant applies, briefly: "everywhere", "in office occs". */
export function scopeShort(scope: string): string {
  if (scope === '*') return 'everywhere';
  const [kind, slug] = splitScope(scope);
  if (kind === 'office') return `in office ${slug}`;
  if (kind === 'department') return `in department ${slug}`;
  return `in ${scope}`;
}

/** grantShort is a grant in a few words: "editor in office occs". */
export function grantShort(g: { role: string; scope: string }): string {
  return `${g.role} ${scopeShort(g.scope)}`;
}

/**
 * scopeLabel names a scope in full: "Everywhere", "Office: Office of
 * College and Career Success (occs)". name is the office's or department's
 * name when known.
 */
export function scopeLabel(scope: string, name?: string | null): string {
  if (scope === '*') return 'Everywhere';
  const [kind, slug] = splitScope(scope);
  const what = kind === 'office' ? 'Office' : kind === 'department' ? 'Department' : 'Scope';
  if (!kind) return `${what}: ${scope}`;
  return name ? `${what}: ${name} (${slug})` : `${what}: ${slug}`;
}

/** scopeExplanation says what a grant in the scope covers. */
export function scopeExplanation(scope: string): string {
  if (scope === '*') return 'All offices and departments.';
  const [kind] = splitScope(scope);
  if (kind === 'office') return 'This office and all of its departments.';
  if (kind === 'department') return 'This department only.';
  return '';
}

const objectWords: Record<string, string> = {
  offices: 'Offices',
  departments: 'Departments',
  'offices.fields': 'Office fields',
  'departments.fields': 'Department fields',
  users: 'User accounts',
  grants: 'Roles given to users',
  roles: 'Roles',
  audit: 'Audit log',
  '*': 'Everything',
};

const actionWords: Record<string, string> = {
  read: 'read',
  create: 'create',
  update: 'update',
  publish: 'publish',
  unpublish: 'unpublish',
  delete: 'delete',
  restore: 'restore from trash',
  '*': 'everything',
};

const fieldWords: Record<string, string> = {
  name: 'name',
  slug: 'web address name (slug)',
  acronym: 'acronym',
  summary: 'summary',
  description: 'description',
  contacts: 'contacts',
  learn_more_url: 'learn more link',
  office_id: 'office it belongs to',
  position: 'position in its office',
  '*': 'every field',
};

// The order objects are listed in, whatever order the server sends.
const objectOrder = Object.keys(objectWords);

export interface PermissionGroup {
  object: string;
  label: string; // "Department fields"
  actions: string[]; // in words: ["summary", "description", …]
}

/** groupPermissions groups permissions by object, in words: "Departments: read, create, update…". */
export function groupPermissions(perms: Permission[]): PermissionGroup[] {
  const groups = new Map<string, string[]>();
  for (const p of perms) {
    const list = groups.get(p.object) ?? [];
    const words = p.object.endsWith('.fields') ? fieldWords : actionWords;
    const word = words[p.action] ?? p.action.replaceAll('_', ' ');
    if (!list.includes(word)) list.push(word);
    groups.set(p.object, list);
  }
  const rank = (o: string) => (objectOrder.includes(o) ? objectOrder.indexOf(o) : objectOrder.length);
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([object, actions]) => ({ object, label: objectWords[object] ?? object, actions }));
}

/** permissionLine is one group as a sentence: "Department fields: summary, description, contacts, learn more link". */
export function permissionLine(g: PermissionGroup): string {
  return `${g.label}: ${g.actions.join(', ')}`;
}

/** Audit actions Bureau records, in words. */
export const actionLabels: Record<string, string> = {
  'auth.login': 'Signed in',
  'auth.login_failed': 'Failed sign-in',
  'auth.logout': 'Signed out',
  'auth.refresh_reused': 'Session ended: its sign-in token was used twice',
  'auth.password_change': 'Changed own password',
  'auth.password_change_failed': 'Failed password change (wrong current password)',
  'auth.password_set': 'Password set on the command line',
  'user.create': 'Created user',
  'user.update': 'Changed user',
  'user.update_profile': 'Changed own name',
  'grant.create': 'Gave a role',
  'grant.delete': 'Removed a role',
  'office.create': 'Created office',
  'office.update': 'Saved office draft',
  'office.publish': 'Published office',
  'office.unpublish': 'Unpublished office',
  'office.delete': 'Moved office to trash',
  'office.restore': 'Restored office from trash',
  'department.create': 'Created department',
  'department.update': 'Saved department draft',
  'department.publish': 'Published department',
  'department.unpublish': 'Unpublished department',
  'department.delete': 'Moved department to trash',
  'department.restore': 'Restored department from trash',
};

/** actionLabel names an audit action in words, or gives its code when unknown. */
export function actionLabel(action: string): string {
  return actionLabels[action] ?? action;
}

export const targetTypeLabels: Record<string, string> = {
  office: 'Office',
  department: 'Department',
  user: 'User',
};

export function targetTypeLabel(t: string): string {
  return targetTypeLabels[t] ?? t;
}
