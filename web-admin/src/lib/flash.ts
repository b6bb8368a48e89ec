// A message for the next screen: a screen that finishes something and then
// navigates (restoring a revision opens the edit screen, creating a user
// opens their page) leaves one here for the path it goes to; that screen
// takes it once and shows it. Kept for one path so that it never shows up
// on an unrelated screen.
export interface Flash {
  kind: 'success' | 'warning';
  text: string;
}

let pending: (Flash & { path: string }) | null = null;

/** setFlash leaves a message for the screen at path (an admin path such as "/offices/1"). */
export function setFlash(path: string, text: string, kind: Flash['kind'] = 'success') {
  pending = { path, kind, text };
}

/** takeFlash returns the message waiting for path, if any, and clears it. */
export function takeFlash(path: string): Flash | null {
  if (!pending || pending.path !== path) return null;
  const { kind, text } = pending;
  pending = null;
  return { kind, text };
}
