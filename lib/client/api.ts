'use client';

import { reportSessionAlive, reportSessionEnded } from './session-ended';

/** A server function's answer as it arrives in JSON: its dates as ISO strings. */
export type Jsonified<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Jsonified<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

/** A field the server refused, and why. */
export interface FieldError {
  path: string;
  message: string;
}

/** An error answer from Sitebox's API, as the UI shows it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The message for one form field, if the server named it. */
  fieldMessage(path: string): string | undefined {
    return this.fields.find((f) => f.path === path)?.message;
  }
}

function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)sitebox_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : '';
}

let signedOut = false;

/**
 * Called as the user signs out: from then on the page asks nothing more of the API (but the
 * sign-out itself), so no request reaches the server after its session ended and answers 401.
 */
export function stopApiRequests(): void {
  signedOut = true;
}

/**
 * Calls the API with the session cookie; changes carry the CSRF token from its cookie.
 * A 401 raises the console's "session ended" notice, which keeps the page and what its forms hold
 * (or, on a page without the notice, sends the browser to sign-in); errors throw ApiError.
 */
export async function api<T>(path: string, options: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  if (signedOut && !path.startsWith('/api/auth/')) throw new ApiError(401, 'UNAUTHENTICATED', 'Signed out.');
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken();
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
    credentials: 'same-origin',
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (response.ok) {
    reportSessionAlive();
    return data as T;
  }
  if (response.status === 401 && !path.startsWith('/api/auth/sign-in') && !reportSessionEnded()) {
    window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }
  const error = data?.error ?? {};
  throw new ApiError(response.status, error.code ?? 'INTERNAL', error.message ?? response.statusText, error.fields ?? [], error.details);
}
