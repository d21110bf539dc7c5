/** A Retry-After header (seconds, or an HTTP date) in milliseconds from now; null when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now: number = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Exponential backoff with jitter: a delay drawn between half and all of
 * min(maxMs, initialMs * 2^attempt), so many reporters that failed together spread out.
 */
export function backoffMs(options: { attempt: number; initialMs: number; maxMs: number; random?: () => number }): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(options.attempt, 30));
  return Math.round(ceiling * (0.5 + 0.5 * (options.random ?? Math.random)()));
}
