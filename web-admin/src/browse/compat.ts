// Fields the API is gaining while these screens are built: department
// items and documents carry their office's slug and name, revisions their
// author's name and message, trashed departments their office id. Read
// here, in one place, so that once src/api/schema.d.ts has them these
// helpers become plain property reads.
import type { Department, DepartmentItem, Revision, TrashItem } from '../lib/content';

type Loose = Record<string, unknown>;

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** officeSlugOf is the slug of a department's office ("" when the server did not say). */
export function officeSlugOf(d: DepartmentItem | Department): string {
  return text((d as unknown as Loose).office_slug);
}

/** officeNameOf is the name of a department's office ("" when the server did not say). */
export function officeNameOf(d: DepartmentItem | Department): string {
  return text((d as unknown as Loose).office_name);
}

/** authorNameOf names who saved a revision: a display name or email, "" for Bureau itself. */
export function authorNameOf(r: Revision): string {
  return text((r as unknown as Loose).author_name);
}

/** messageOf is what the author said about a revision ("" when nothing). */
export function messageOf(r: Revision): string {
  return text((r as unknown as Loose).message);
}

/** trashOfficeIdOf is the office of a trashed department ("" for offices, or when the server did not say). */
export function trashOfficeIdOf(t: TrashItem): string {
  return text((t as unknown as Loose).office_id);
}
