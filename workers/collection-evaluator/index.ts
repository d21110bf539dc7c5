import { Counter } from 'prom-client';
import { evaluateCollections } from '../../lib/collections/evaluate-collections';
import { deviceFingerprint } from '../../lib/collections/membership-repo';
import { config } from '../../lib/config';
import { listenShared } from '../../lib/db/listen-shared';
import { pool } from '../../lib/db/pool';
import { processMetric } from '../../lib/metrics/registry';
import { defineWorker, loop } from '../../lib/workers/define-worker';
import { channels } from '../../lib/db/channels';

function evaluatorMetrics() {
  return {
    runs: processMetric(
      'sitebox_collection_evaluator_runs_total',
      (registers) =>
        new Counter({
          name: 'sitebox_collection_evaluator_runs_total',
          help: 'Evaluation passes, by outcome: evaluated, skipped (another process held the lock) or failed.',
          labelNames: ['outcome'],
          registers,
        }),
    ),
    evaluated: processMetric(
      'sitebox_collection_evaluator_collections_evaluated_total',
      (registers) =>
        new Counter({
          name: 'sitebox_collection_evaluator_collections_evaluated_total',
          help: 'Collections whose membership was evaluated.',
          registers,
        }),
    ),
  };
}

/**
 * Keeps collection membership current: on each collection's refresh schedule, at once on a rule
 * change or a device registration, and within a minute of devices being removed.
 */
export default defineWorker({
  name: 'collection-evaluator',
  description: 'Evaluates collection membership rules on schedule and on change',
  async start({ log, signal }) {
    const db = pool();
    const metrics = evaluatorMetrics();
    let fullPass = true;
    let devices = '';
    const cycle = loop({
      intervalMs: 60_000,
      signal,
      log,
      tick: async () => {
        // Devices registered or removed since the last pass: every collection, not only the due ones.
        const fingerprint = await deviceFingerprint(db);
        if (fingerprint !== devices) fullPass = true;
        devices = fingerprint;
        const dueOnly = !fullPass;
        fullPass = false;
        const result = await evaluateCollections({ db, dueOnly }).catch((error: unknown) => {
          metrics.runs.inc({ outcome: 'failed' });
          throw error;
        });
        metrics.runs.inc({ outcome: result.skipped ? 'skipped' : 'evaluated' });
        metrics.evaluated.inc(result.evaluated.length);
        if (result.skipped) devices = ''; // another process was evaluating: look again next cycle
        if (result.cyclic.length) log.warn({ cyclic: result.cyclic }, 'collections in a cycle were not evaluated');
        if (result.quarantined.length) log.warn({ quarantined: result.quarantined }, 'collections in quarantine were not evaluated');
        if (result.evaluated.length) log.info({ evaluated: result.evaluated.length, dueOnly }, 'collections evaluated');
      },
    });
    const wakeForAll = () => {
      fullPass = true;
      cycle.wake();
    };
    const listener = listenShared({
      connectionString: config().databaseUrl,
      channels: [channels.collectionsChanged, channels.deviceRegistered],
      onNotification: wakeForAll,
      onReconnect: wakeForAll,
    });
    return {
      async stop() {
        await listener.close();
        await cycle.done;
      },
    };
  },
});
