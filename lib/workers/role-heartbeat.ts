import type pg from 'pg';
import type { Logger } from 'pino';
import { logDatabaseFailure } from '../db/pool-errors';
import { loop } from './define-worker';
import { beat, markStopped } from './heartbeat-repo';

/**
 * Records every `intervalSeconds` that this process runs each of `names` (workers, or the
 * console and management point roles), so /api/health lists every instance on every host; on
 * stop, marks them stopped.
 */
export async function startRoleHeartbeat(options: {
  db: pg.Pool;
  names: readonly string[];
  intervalSeconds: number;
  log: Logger;
  metrics?: () => Promise<unknown>;
}): Promise<{ stop(): Promise<void> }> {
  const startedAt = new Date();
  const heartbeat = async () => {
    const metrics = await options.metrics?.();
    for (const name of options.names) {
      try {
        await beat({ db: options.db, name, startedAt, metrics });
      } catch (error) {
        logDatabaseFailure(options.log.child({ role: name }), error, 'heartbeat failed');
      }
    }
  };
  // The workers' own loop: each beat about intervalSeconds after the last one ended, never two at once.
  const stopping = new AbortController();
  let firstBeat!: () => void;
  const started = new Promise<void>((resolve) => (firstBeat = resolve));
  const beats = loop({
    intervalMs: options.intervalSeconds * 1000,
    signal: stopping.signal,
    log: options.log,
    tick: () => heartbeat().finally(firstBeat),
  });
  await started;
  return {
    async stop() {
      stopping.abort();
      // A beat under way lands before the stop is marked, not after it.
      await beats.done;
      for (const name of options.names) await markStopped({ db: options.db, name }).catch(() => undefined);
    },
  };
}
