// Server answers name fields by the JSON path sent
// ("contacts[0].phones[1].number"); the form names its inputs after the
// same paths ("contact-0-phone-1-number"). This module is the one place
// that knows both, so an error can be shown beside its field, linked from
// the error summary, and given a name a person understands.

/** FieldProblem is one problem the server (or the form) found, naming the field by its path. */
export interface FieldProblem {
  field: string;
  message: string;
}

type Step = { name: string; index?: number };

const stepRe = /^([a-z_0-9]+)(?:\[(\d+)\])?$/i;

/** parsePath splits "contacts[0].phones[1].number" into its steps, or null when it is not such a path. */
export function parsePath(path: string): Step[] | null {
  if (!path) return null;
  const steps: Step[] = [];
  for (const part of path.split('.')) {
    const m = stepRe.exec(part);
    if (!m) return null;
    steps.push(m[2] === undefined ? { name: m[1] } : { name: m[1], index: Number(m[2]) });
  }
  return steps;
}

const topIds: Record<string, string> = {
  name: 'field-name',
  acronym: 'field-acronym',
  slug: 'field-slug',
  summary: 'field-summary',
  learn_more_url: 'field-learn-more-url',
  description_html: 'field-description',
  description: 'field-description',
  office_id: 'field-office',
  message: 'field-message',
  contacts: 'contacts-add',
};

const addressParts: Record<string, string> = {
  street: 'street',
  street2: 'street2',
  city: 'city',
  state: 'state',
  postal_code: 'postal-code',
  country: 'country',
};
const phoneParts = new Set(['number', 'kind', 'ext', 'label']);
const emailParts = new Set(['address', 'label']);
const contactParts = new Set(['label', 'hours']);

/**
 * fieldId gives the DOM id of the input a field path names, or null for a
 * path the form has no input for (it is then shown in the summary only).
 */
export function fieldId(path: string): string | null {
  const steps = parsePath(path);
  if (!steps) return null;
  const [top, second, third] = steps;
  if (steps.length === 1 && top.index === undefined) return topIds[top.name] ?? null;
  if (top.name !== 'contacts' || top.index === undefined) return null;
  const c = `contact-${top.index}`;
  if (!second) return `${c}-label`;
  if (second.index === undefined) {
    if (steps.length === 2 && contactParts.has(second.name)) return `${c}-${second.name}`;
    if (steps.length === 2 && second.name === 'id') return `${c}-label`;
    if (second.name === 'address') {
      if (!third) return `${c}-street`;
      return steps.length === 3 && addressParts[third.name] ? `${c}-${addressParts[third.name]}` : null;
    }
    if (steps.length === 2 && second.name === 'phones') return `${c}-add-phone`;
    if (steps.length === 2 && second.name === 'emails') return `${c}-add-email`;
    return null;
  }
  if (steps.length > 3) return null;
  if (second.name === 'phones') {
    const p = `${c}-phone-${second.index}`;
    if (!third) return `${p}-number`;
    return phoneParts.has(third.name) && third.index === undefined ? `${p}-${third.name}` : null;
  }
  if (second.name === 'emails') {
    const e = `${c}-email-${second.index}`;
    if (!third) return `${e}-address`;
    return emailParts.has(third.name) && third.index === undefined ? `${e}-${third.name}` : null;
  }
  return null;
}

/** errorId is the id of the message shown under a field, for aria-describedby. */
export function errorId(path: string): string {
  return 'error-' + path.replace(/[^a-zA-Z0-9]+/g, '-').replace(/-+$/, '');
}

const topLabels: Record<string, string> = {
  name: 'Name',
  acronym: 'Acronym',
  slug: 'Slug',
  summary: 'Summary',
  learn_more_url: 'Learn-more link',
  description_html: 'Description',
  description: 'Description',
  office_id: 'Office',
  position: 'Position',
  message: 'Note for the history',
  contacts: 'Contacts',
  departments: 'Departments',
};
const partLabels: Record<string, string> = {
  label: 'label',
  hours: 'hours',
  id: 'id',
  address: 'address',
  street: 'street',
  street2: 'second address line',
  city: 'city',
  state: 'state',
  postal_code: 'ZIP code',
  country: 'country',
  phones: 'phones',
  emails: 'emails',
  number: 'number',
  kind: 'kind',
  ext: 'extension',
};

/** fieldLabel names a field path for a person: "contacts[0].phones[1].number" -> "Contact 1, phone 2, number". */
export function fieldLabel(path: string): string {
  const steps = parsePath(path);
  if (!steps) return path;
  if (steps.length === 1 && steps[0].index === undefined) return topLabels[steps[0].name] ?? path;
  if (steps[0].name !== 'contacts' || steps[0].index === undefined) return path;
  const words = [`Contact ${steps[0].index + 1}`];
  for (const s of steps.slice(1)) {
    if (s.index !== undefined) {
      const one = s.name === 'phones' ? 'phone' : s.name === 'emails' ? 'email' : s.name;
      words.push(`${one} ${s.index + 1}`);
    } else {
      words.push(partLabels[s.name] ?? s.name);
    }
  }
  return words.join(', ');
}

/** isContactPath tells whether a path names something inside the contacts list. */
export function isContactPath(path: string): boolean {
  return path === 'contacts' || path.startsWith('contacts[');
}
