// Office names for office ids met in changes (a department moved from one
// office to another). Best effort: an office the user may not read stays
// shown by its id.
import { getDocument } from '../lib/content';
import type { FieldChange, Office } from '../lib/content';

export async function officeNamesFor(changes: FieldChange[]): Promise<Record<string, string>> {
  const ids = new Set<string>();
  for (const c of changes) {
    if (c.field !== 'office_id') continue;
    for (const v of [c.from, c.to]) if (typeof v === 'string' && v) ids.add(v);
  }
  const names: Record<string, string> = {};
  await Promise.all(
    [...ids].map(async (id) => {
      try {
        const o = await getDocument<Office>('offices', id);
        names[id] = o.name;
      } catch {
        // Not readable or gone: the id is shown instead.
      }
    }),
  );
  return names;
}
