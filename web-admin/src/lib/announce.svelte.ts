// The live region: short status messages ("Draft saved") read out by
// screen readers without moving focus.
export const live = $state({ message: '', n: 0 });

export function announce(message: string) {
  live.message = message;
  live.n++;
}
