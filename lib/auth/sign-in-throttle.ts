/**
 * How long a user must wait before the next sign-in attempt after `failures` consecutive
 * failures: three free tries, then 1 s doubling up to 15 minutes.
 */
export function signInDelayMs(failures: number): number {
  if (failures < 3) return 0;
  return Math.min(15 * 60_000, 1000 * 2 ** (failures - 3));
}

/** Milliseconds left before another attempt is allowed (0 when allowed now). */
export function signInWaitMs(options: { failures: number; lastFailureAt: Date | null; now: Date }): number {
  if (!options.lastFailureAt) return 0;
  const until = options.lastFailureAt.getTime() + signInDelayMs(options.failures);
  return Math.max(0, until - options.now.getTime());
}
