// Runs one worker by name: `npm run worker -- <name>`. `npm start` forks this per worker;
// on another host, point DATABASE_URL at the shared database and run it directly.
import { config, ConfigError } from '../lib/config';
import { closePool, pool } from '../lib/db/pool';
import { logDatabaseFailure } from '../lib/db/pool-errors';
import { closePrisma } from '../lib/db/prisma';
import { logger } from '../lib/logger';
import { workerComponents } from '../lib/sites/server-components';
import { startComponentLifeCycle } from '../lib/reporting/component-life-cycle';
import { processMetrics } from '../lib/metrics/registry';
import { beat, markStopped } from '../lib/workers/heartbeat-repo';
import { workerNames, workers } from './registry';

async function main() {
  const name = process.argv[2] ?? '';
  const definition = workers[name];
  if (!definition) {
    console.error(`unknown worker "${name}"; known: ${workerNames.join(', ')}`);
    process.exit(2);
  }
  const cfg = config();
  process.env.SITEBOX_PROCESS = name;
  const log = logger.child({ worker: name });
  const controller = new AbortController();
  const startedAt = new Date();
  const db = pool();

  const heartbeat = async () => {
    try {
      await beat({ db, name, startedAt, metrics: await processMetrics().getMetricsAsJSON() });
    } catch (error) {
      logDatabaseFailure(log, error, 'heartbeat failed');
    }
  };
  await heartbeat();
  const heartbeatTimer = setInterval(() => void heartbeat(), cfg.SITEBOX_WORKER_HEARTBEAT_SECONDS * 1000);
  const running = await definition.start({ log, signal: controller.signal });
  // Status Manager's own process takes its messages in memory, other workers' go to its inbox.
  const components = startComponentLifeCycle({ components: workerComponents[name] ?? [], log });
  await components.started;
  log.info('worker running');

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'worker stopping');
    clearInterval(heartbeatTimer);
    await components.stop();
    controller.abort();
    await running.stop().catch((error) => log.error({ err: error }, 'worker stop failed'));
    await markStopped({ db, name }).catch(() => undefined);
    await Promise.all([closePool(), closePrisma()]);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('disconnect', () => void stop('supervisor gone'));
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else logger.fatal({ err: error }, 'worker failed to start');
  process.exit(1);
});
