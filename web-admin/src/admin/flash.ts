// A message to show on the next screen, for a step that ends by moving
// there (a user was created, but the role could not be given).
let pending: { kind: 'success' | 'warning'; text: string } | null = null;

export function setFlash(kind: 'success' | 'warning', text: string) {
  pending = { kind, text };
}

export function takeFlash() {
  const f = pending;
  pending = null;
  return f;
}
