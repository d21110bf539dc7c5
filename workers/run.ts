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
import type { Logger } from 'pino';
import { statusMessageIds } from '../lib/reporting/catalog';
import { reportServerMessage, serverMessage } from '../lib/reporting/report-server-message';
import type { RunningWorker } from '../lib/workers/define-worker';
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
  let running: RunningWorker;
  try {
    running = await definition.start({ log, signal: controller.signal });
  } catch (error) {
    // No heartbeat yet: /api/health shows the worker down, and Component Status shows why.
    log.fatal({ err: error }, 'worker failed to start');
    await reportStartFailure(name, error, log);
    await Promise.all([closePool(), closePrisma()]).catch(() => undefined);
    process.exit(1);
  }
  // The first beat comes once the worker runs, so one that cannot start is never counted alive.
  await heartbeat();
  const heartbeatTimer = setInterval(() => void heartbeat(), cfg.SITEBOX_WORKER_HEARTBEAT_SECONDS * 1000);
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

/** An Error status message (502) from each component of the worker, naming why it could not start. */
async function reportStartFailure(name: string, error: unknown, log: Logger): Promise<void> {
  const reason = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
  const messages = (workerComponents[name] ?? []).map((component) => {
    const message = serverMessage({ messageId: statusMessageIds.componentStartFailed, component });
    message.insertionStrings = [component, message.systemName, reason];
    return message;
  });
  if (!messages.length) return;
  await reportServerMessage({ messages }).catch((e) => log.warn({ err: e }, 'could not report the failed start'));
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else logger.fatal({ err: error }, 'worker failed to start');
  process.exit(1);
});
