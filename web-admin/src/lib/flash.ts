// A message for the next screen: a screen that finishes something and then
// navigates (restoring a revision opens the edit screen) leaves one here
// for the path it goes to; that screen takes it once and shows it. Kept
// for one path so that it never shows up on an unrelated screen.
let pending: { path: string; message: string } | null = null;

/** setFlash leaves message for the screen at path (an admin path such as "/offices/1"). */
export function setFlash(message: string, path: string) {
  pending = { path, message };
}

/** takeFlash returns the message waiting for path, if any, and clears it. */
export function takeFlash(path: string): string | null {
  if (!pending || pending.path !== path) return null;
  const m = pending.message;
  pending = null;
  return m;
}
