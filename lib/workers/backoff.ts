/** Delay before restart number `attempt` (0-based): doubling from `initialMs`, capped at `maxMs`. */
export function restartDelay(options: { attempt: number; initialMs: number; maxMs: number }): number {
  return Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, options.attempt));
}
