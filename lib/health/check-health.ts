import type pg from 'pg';
import { migrationState } from '../db/migrator';
import { pingDatabase } from './health-repo';
import { listWorkerLiveness, type WorkerLiveness } from '../workers/heartbeat-repo';
import type { SupervisedState } from '../workers/supervisor';

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  database: { reachable: boolean; latencyMs: number | null; error?: string };
  migrations: { applied: number; pending: string[]; modified: string[] } | null;
  /** Every worker instance that beat in the last day, on any host. */
  workers: WorkerLiveness[];
  /** The workers this server process supervises, as the supervisor sees them. */
  supervised: SupervisedState[];
}

/**
 * Database reachability, migration state and worker liveness. Down when the database
 * cannot be reached; degraded when migrations are pending or a supervised worker is not alive.
 */
export async function checkHealth(options: { db: pg.Pool; heartbeatSeconds: number; supervised: SupervisedState[] }): Promise<HealthReport> {
  const started = performance.now();
  let client: pg.PoolClient;
  try {
    client = await options.db.connect();
  } catch (error) {
    return {
      status: 'down',
      database: { reachable: false, latencyMs: null, error: (error as Error).message },
      migrations: null,
      workers: [],
      supervised: options.supervised,
    };
  }
  try {
    await pingDatabase(client);
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const state = await migrationState({ client });
    const workers = await listWorkerLiveness({ db: options.db, heartbeatSeconds: options.heartbeatSeconds });
    const aliveNames = new Set(workers.filter((w) => w.alive).map((w) => w.name));
    const workerDown = options.supervised.some((s) => s.state !== 'running' || !aliveNames.has(s.name));
    const migrationsBehind = state.pending.length > 0;
    return {
      status: migrationsBehind || workerDown ? 'degraded' : 'ok',
      database: { reachable: true, latencyMs },
      migrations: { applied: state.applied.length, pending: state.pending, modified: state.modified },
      workers,
      supervised: options.supervised,
    };
  } finally {
    client.release();
  }
}
