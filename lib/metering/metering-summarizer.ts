import type pg from 'pg';
import type { Logger } from 'pino';
import { channels } from '../db/channels';
import { listenShared } from '../db/listen-shared';
import { loop } from '../workers/define-worker';
import { summarizeMeteringUsage } from './summarize-metering-usage';

/**
 * The metering summarizer: counts waiting runs, pass after pass until none waits, when a
 * management point says it stored some (NOTIFY) and every `pollMs` in case a notification was missed.
 */
export function startMeteringSummarizer(options: { db: pg.Pool; connectionString: string; log: Logger; signal: AbortSignal; pollMs?: number }) {
  const { db, log, signal } = options;
  const cycle = loop({
    intervalMs: options.pollMs ?? 30_000,
    signal,
    log,
    tick: async () => {
      let counted = 0;
      for (let n = await summarizeMeteringUsage({ db }); n > 0 && !signal.aborted; n = await summarizeMeteringUsage({ db })) counted += n;
      if (counted) log.info({ runs: counted }, 'metering usage summarized');
    },
  });
  const listener = listenShared({
    connectionString: options.connectionString,
    channels: [channels.meteringUsage],
    onNotification: () => cycle.wake(),
    onListening: () => cycle.wake(),
  });
  return {
    /** Settles once the summarizer hears management points' notifications. */
    listening: listener.listening,
    async stop() {
      await listener.close();
      await cycle.done;
    },
  };
}
