import type { Logger } from 'pino';
import { logDatabaseFailure } from '../db/pool-errors';
import { backoffMs } from '../retry-delay';

export interface WorkerContext {
  log: Logger;
  /** Aborted when the worker is asked to stop. */
  signal: AbortSignal;
}

export interface RunningWorker {
  stop(): Promise<void>;
}

/** A background worker: start-up only; its logic lives in lib/<domain>. */
export interface WorkerDefinition {
  name: string;
  description: string;
  start(ctx: WorkerContext): Promise<RunningWorker>;
}

export function defineWorker(definition: WorkerDefinition): WorkerDefinition {
  return definition;
}

// setTimeout's longest delay; a longer one fires at once.
const LONGEST_TIMEOUT_MS = 2_147_483_647;

/**
 * A wait of about `intervalMs`, give or take a tenth. Loops started together with intervals that
 * divide one another (5 s, 10 s, 30 s, 60 s) would otherwise all wake at every minute, each taking
 * a connection at the same moment; a little spread keeps an idle site's wake-ups, and the
 * connections they open, apart.
 */
export function spreadInterval(intervalMs: number, random: () => number = Math.random): number {
  return Math.min(LONGEST_TIMEOUT_MS, Math.round(intervalMs * (0.9 + 0.2 * random())));
}

/**
 * Runs `tick` now and then about every `intervalMs` (see spreadInterval; waiting for each run to
 * finish) until `signal` aborts; `wake()` runs it early, e.g. on a NOTIFY. A tick that fails (its
 * connection ended, the database restarting) is run again after a short backoff, from
 * `retryMs` doubling up to 30 s, and never later than `intervalMs`: the NOTIFY that woke it was
 * spent, and a worker that only wakes on notifications would otherwise leave its work waiting
 * until the next one.
 */
export function loop(options: { intervalMs: number; signal: AbortSignal; log: Logger; tick: () => Promise<void>; retryMs?: number }): {
  wake(): void;
  done: Promise<void>;
} {
  let wakeUp: (() => void) | null = null;
  let woken = false;
  let failures = 0;
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const done = (async () => {
    while (!options.signal.aborted) {
      woken = false;
      try {
        await options.tick();
        failures = 0;
      } catch (error) {
        failures++;
        logDatabaseFailure(options.log, error, 'worker cycle failed');
      }
      if (options.signal.aborted || woken) continue;
      const waitMs = failures
        ? Math.min(spreadInterval(options.intervalMs), backoffMs({ attempt: failures - 1, initialMs: options.retryMs ?? 1_000, maxMs: 30_000 }))
        : spreadInterval(options.intervalMs);
      await new Promise<void>((resolve) => {
        // One abort listener per wait, removed when the wait ends: a worker woken thousands of
        // times must not pile them up on the signal.
        const onAbort = () => wakeUp?.();
        const timer = setTimeout(() => wakeUp?.(), waitMs);
        wakeUp = () => {
          clearTimeout(timer);
          options.signal.removeEventListener('abort', onAbort);
          resolve();
        };
        options.signal.addEventListener('abort', onAbort, { once: true });
      });
      wakeUp = null;
    }
  })();
  return { wake, done };
}
