import type pg from 'pg';
import type { Logger } from 'pino';
import { logDatabaseFailure } from '../db/pool-errors';
import { spreadInterval } from './define-worker';
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
  await heartbeat();
  // Each beat about intervalSeconds after the last (spread, as the workers' loops are), never two at once.
  let timer: NodeJS.Timeout | undefined;
  let beating: Promise<void> = Promise.resolve();
  let stopped = false;
  const next = () => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        beating = heartbeat().finally(next);
      },
      spreadInterval(options.intervalSeconds * 1000),
    );
  };
  next();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // A beat under way lands before the stop is marked, not after it.
      await beating;
      for (const name of options.names) await markStopped({ db: options.db, name }).catch(() => undefined);
    },
  };
}
