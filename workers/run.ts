// Runs workers by name: `npm run worker -- <name>[,<name>…]`; several names share one process.
// `npm start` forks this for its workers (all in one process unless SITEBOX_WORKERS_APART says
// otherwise); on another host, point DATABASE_URL at the shared database and run it directly.
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import { config, ConfigError } from '../lib/config';
import { closePool, pool } from '../lib/db/pool';
import { closePrisma } from '../lib/db/prisma';
import { logger } from '../lib/logger';
import { workerComponents } from '../lib/sites/server-components';
import { startComponentLifeCycle } from '../lib/reporting/component-life-cycle';
import { processMetrics } from '../lib/metrics/registry';
import { startRoleHeartbeat } from '../lib/workers/role-heartbeat';
import type { Logger } from 'pino';
import { statusMessageIds } from '../lib/reporting/catalog';
import { reportServerMessage, serverMessage } from '../lib/reporting/report-server-message';
import { workerNames, workers } from './registry';

/**
 * Workers are background work: a few nice steps down, the console's and the management points'
 * event loops win the CPU from them under a flood. On Linux this sets the main thread's priority
 * (threads started later inherit it), which is where a worker's JavaScript runs.
 */
function lowerPriority(steps: number) {
  if (!steps) return;
  try {
    os.setPriority(Math.min(19, os.getPriority() + steps));
  } catch (error) {
    logger.warn({ err: error }, 'could not lower the workers’ CPU priority');
  }
}

async function main() {
  const names = (process.argv[2] ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !workers[name]);
  if (!names.length || unknown.length) {
    console.error(`unknown worker "${unknown.join(', ') || process.argv[2] || ''}"; known: ${workerNames.join(', ')}`);
    process.exit(2);
  }
  const cfg = config();
  process.env.SITEBOX_PROCESS = names.join(',');
  lowerPriority(cfg.SITEBOX_WORKER_NICE);
  const controller = new AbortController();
  // Every loop of every worker here waits on this one signal (a listener each while it sleeps):
  // a dozen at once is normal, not Node's suspected leak at 11; a real leak would still pass 100.
  setMaxListeners(100, controller.signal);
  // Workers wake now and then, several at once, each taking a connection: theirs close two
  // seconds after, so an idle site holds about one for its workers, not one per worker that woke
  // in the last ten seconds (a PostgreSQL process of 15-30 MB each).
  const db = pool({ idleTimeoutMillis: 2_000 });

  const running: { name: string; stop(): Promise<void> }[] = [];
  const lifeCycles: { stop(): Promise<void> }[] = [];
  for (const name of names) {
    const log = logger.child({ worker: name });
    try {
      running.push({ name, ...(await workers[name].start({ log, signal: controller.signal })) });
    } catch (error) {
      // No heartbeat yet: /api/health shows the process's workers down, and Component Status shows why.
      log.fatal({ err: error }, 'worker failed to start');
      await reportStartFailure(name, error, log);
      await Promise.all([closePool(), closePrisma()]).catch(() => undefined);
      process.exit(1);
    }
    const components = startComponentLifeCycle({ components: workerComponents[name] ?? [], log });
    await components.started;
    lifeCycles.push(components);
    log.info('worker running');
  }
  // Each worker beats under its own name (with this process's pid), so health lists every one; the
  // first beat comes once they all run, so one that cannot start is never counted alive.
  const heartbeat = await startRoleHeartbeat({
    db,
    names,
    intervalSeconds: cfg.SITEBOX_WORKER_HEARTBEAT_SECONDS,
    log: logger,
    metrics: () => processMetrics().getMetricsAsJSON(),
  });

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ workers: names, reason }, 'workers stopping');
    for (const components of lifeCycles) await components.stop();
    controller.abort();
    await Promise.all(
      running.map((worker) => worker.stop().catch((error) => logger.error({ err: error, worker: worker.name }, 'worker stop failed'))),
    );
    await heartbeat.stop();
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
