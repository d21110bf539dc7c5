'use client';

/**
 * Whether the API last answered that the session has ended (401), for the console's notice.
 * A page that shows the notice keeps what its forms hold; sending the browser to sign-in instead
 * would throw away whatever the administrator had typed, without a word.
 */
let ended = false;
const listeners = new Set<() => void>();

function set(value: boolean) {
  if (ended === value) return;
  ended = value;
  for (const listener of listeners) listener();
}

/** The API answered 401. False when no notice is on the page to say so (the caller then goes to sign-in itself). */
export function reportSessionEnded(): boolean {
  set(true);
  return listeners.size > 0;
}

/** The API answered a request: the session is alive again (signed in anew, in another tab). */
export function reportSessionAlive(): void {
  set(false);
}

export function subscribeSessionEnded(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const sessionHasEnded = () => ended;
