// Server validation answers name fields by the path sent
// ("contacts[0].phones[1].number"). These helpers turn them into messages
// shown beside the field they name.
import type { FieldError } from './api';

/** fieldErrors maps each named field to its message (several joined). */
export function fieldErrors(errors: FieldError[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors ?? []) {
    const text = humanize(e.message);
    out[e.field] = out[e.field] ? out[e.field] + ' ' + text : text;
  }
  return out;
}

/** humanize makes a server message a sentence: "must be a valid URL" -> "Must be a valid URL." */
export function humanize(message: string): string {
  const t = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(t) ? t : t + '.';
}
