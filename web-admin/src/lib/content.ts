// Typed calls of the admin content API, shared by the screens. Documents
// are addressed by type ("offices" or "departments") and id; each read
// returns the draft with its version, which every write sends back as
// If-Match so that nobody overwrites another person's work unseen.
import { api, ok, type Schemas } from './api';

export type ContentType = 'offices' | 'departments';
export type Office = Schemas['AdminOffice'];
export type Department = Schemas['AdminDepartment'];
export type Doc = Office | Department;
export type OfficeItem = Schemas['AdminOfficeItem'];
export type DepartmentItem = Schemas['AdminDepartmentItem'];
export type Contact = Schemas['Contact'];
export type ContactInput = Schemas['ContactInput'];
export type Revision = Schemas['Revision'];
export type RevisionDetail = Schemas['RevisionDetail'];
export type FieldChange = Schemas['FieldChange'];
export type Diff = Schemas['Diff'];
export type TrashItem = Schemas['TrashItem'];
export type Status = Schemas['Status'];
export type OfficeUpdate = Schemas['OfficeUpdate'];
export type DepartmentUpdate = Schemas['DepartmentUpdate'];
export type Update = OfficeUpdate | DepartmentUpdate;

export function isDepartment(d: Doc): d is Department {
  return 'office_id' in d;
}

/** ifMatch is the If-Match header value for a draft version. */
export function ifMatch(version: number): string {
  return `"v${version}"`;
}

const path = (type: ContentType) => ({ path: { type } });
const pathId = (type: ContentType, id: string) => ({ path: { type, id } });

export interface ListParams {
  q?: string;
  status?: Status;
  office_id?: string;
  limit?: number;
  offset?: number;
}

export async function listOffices(p: Omit<ListParams, 'office_id'> = {}) {
  return ok(api.GET('/api/v1/admin/{type}', { params: { ...path('offices'), query: p } })) as Promise<{
    data: OfficeItem[];
    meta: Schemas['ListMeta'];
  }>;
}

export async function listDepartments(p: ListParams = {}) {
  return ok(api.GET('/api/v1/admin/{type}', { params: { ...path('departments'), query: p } })) as Promise<{
    data: DepartmentItem[];
    meta: Schemas['ListMeta'];
  }>;
}

export async function getDocument<T extends Doc = Doc>(type: ContentType, id: string): Promise<T> {
  const body = await ok(api.GET('/api/v1/admin/{type}/{id}', { params: pathId(type, id) }));
  return body.data as T;
}

export async function createDocument<T extends Doc = Doc>(
  type: ContentType,
  body: Schemas['OfficeCreate'] | Schemas['DepartmentCreate'],
): Promise<T> {
  const res = await ok(api.POST('/api/v1/admin/{type}', { params: path(type), body }));
  return res.data as T;
}

/** saveDocument writes a new draft over version; a stale version is a 412 ApiError carrying current_version. */
export async function saveDocument<T extends Doc = Doc>(type: ContentType, id: string, version: number, body: Update): Promise<T> {
  const res = await ok(
    api.PATCH('/api/v1/admin/{type}/{id}', {
      params: { ...pathId(type, id), header: { 'If-Match': ifMatch(version) } },
      body,
    }),
  );
  return res.data as T;
}

export async function publish<T extends Doc = Doc>(type: ContentType, id: string, version: number): Promise<T> {
  const res = await ok(
    api.POST('/api/v1/admin/{type}/{id}/publish', { params: { ...pathId(type, id), header: { 'If-Match': ifMatch(version) } } }),
  );
  return res.data as T;
}

export async function unpublish<T extends Doc = Doc>(type: ContentType, id: string, version: number): Promise<T> {
  const res = await ok(
    api.POST('/api/v1/admin/{type}/{id}/unpublish', { params: { ...pathId(type, id), header: { 'If-Match': ifMatch(version) } } }),
  );
  return res.data as T;
}

export async function moveToTrash(type: ContentType, id: string, version: number): Promise<void> {
  await ok(api.DELETE('/api/v1/admin/{type}/{id}', { params: { ...pathId(type, id), header: { 'If-Match': ifMatch(version) } } }));
}

export async function listRevisions(type: ContentType, id: string, limit = 20, offset = 0) {
  return ok(api.GET('/api/v1/admin/{type}/{id}/revisions', { params: { ...pathId(type, id), query: { limit, offset } } }));
}

export async function getRevision(type: ContentType, id: string, n: number): Promise<RevisionDetail> {
  const body = await ok(api.GET('/api/v1/admin/{type}/{id}/revisions/{n}', { params: { path: { type, id, n } } }));
  return body.data;
}

export async function restoreRevision<T extends Doc = Doc>(type: ContentType, id: string, n: number, version: number): Promise<T> {
  const res = await ok(
    api.POST('/api/v1/admin/{type}/{id}/revisions/{n}/restore', {
      params: { path: { type, id, n }, header: { 'If-Match': ifMatch(version) } },
    }),
  );
  return res.data as T;
}

/** diff compares two revisions; from defaults to the published one, to to the draft. */
export async function diff(type: ContentType, id: string, from?: number, to?: number): Promise<Diff> {
  const query: { from?: number; to?: number } = {};
  if (from !== undefined) query.from = from;
  if (to !== undefined) query.to = to;
  const body = await ok(api.GET('/api/v1/admin/{type}/{id}/diff', { params: { ...pathId(type, id), query } }));
  return body.data;
}

export async function preview(type: ContentType, id: string) {
  const body = await ok(api.GET('/api/v1/admin/preview/{type}/{id}', { params: pathId(type, id) }));
  return body.data;
}

export async function listTrash(limit = 50, offset = 0) {
  return ok(api.GET('/api/v1/admin/trash', { params: { query: { limit, offset } } }));
}

export async function restoreFromTrash(type: ContentType, id: string) {
  return ok(api.POST('/api/v1/admin/trash/{type}/{id}/restore', { params: pathId(type, id) }));
}

export const statusLabels: Record<Status | 'trash', string> = {
  published: 'Published',
  changed: 'Published, with unpublished changes',
  draft: 'Draft only',
  trash: 'In the trash',
};
