import { serverName } from '../config';
import type pg from 'pg';

export interface WorkerLiveness {
  name: string;
  instance: string;
  host: string;
  pid: number;
  startedAt: string;
  lastBeatAt: string;
  stoppedAt: string | null;
  alive: boolean;
}

/** Identifies this process among all hosts sharing the database. */
export const instanceId = () => `${serverName()}:${process.pid}`;

/**
 * Records that this worker is alive and, when given, its metrics: the console process serves
 * every worker's figures on /api/metrics from these rows.
 */
export async function beat(options: { db: pg.Pool; name: string; startedAt: Date; metrics?: unknown }): Promise<void> {
  await options.db.query(
    `INSERT INTO worker_heartbeat (name, instance, pid, host, started_at, last_beat_at, stopped_at, metrics)
     VALUES ($1, $2, $3, $4, $5, now(), NULL, $6)
     ON CONFLICT (name, instance) DO UPDATE SET last_beat_at = now(), stopped_at = NULL, metrics = EXCLUDED.metrics`,
    [
      options.name,
      instanceId(),
      process.pid,
      serverName(),
      options.startedAt,
      options.metrics === undefined ? null : JSON.stringify(options.metrics),
    ],
  );
}

/** The metrics snapshot of every live worker instance (beat within three intervals, not stopped). */
export async function readWorkerMetrics(options: {
  db: pg.Pool;
  heartbeatSeconds: number;
}): Promise<{ name: string; host: string; metrics: unknown[] }[]> {
  const { rows } = await options.db.query<{ name: string; host: string; metrics: unknown[] }>(
    `SELECT name, host, metrics FROM worker_heartbeat
      WHERE metrics IS NOT NULL AND stopped_at IS NULL AND last_beat_at > now() - make_interval(secs => $1)
      ORDER BY name, host`,
    [options.heartbeatSeconds * 3],
  );
  return rows;
}

export async function markStopped(options: { db: pg.Pool; name: string }): Promise<void> {
  await options.db.query(`UPDATE worker_heartbeat SET stopped_at = now() WHERE name = $1 AND instance = $2`, [options.name, instanceId()]);
}

/**
 * Liveness of every worker instance seen in the last day. Alive means it beat within
 * three heartbeat intervals and has not said it stopped.
 */
export async function listWorkerLiveness(options: { db: pg.Pool; heartbeatSeconds: number }): Promise<WorkerLiveness[]> {
  const { rows } = await options.db.query<{
    name: string;
    instance: string;
    host: string;
    pid: number;
    started_at: Date;
    last_beat_at: Date;
    stopped_at: Date | null;
    alive: boolean;
  }>(
    `SELECT name, instance, host, pid, started_at, last_beat_at, stopped_at,
            (stopped_at IS NULL AND last_beat_at > now() - make_interval(secs => $1)) AS alive
       FROM worker_heartbeat
      WHERE last_beat_at > now() - interval '1 day'
      ORDER BY name, last_beat_at DESC`,
    [options.heartbeatSeconds * 3],
  );
  return rows.map((r) => ({
    name: r.name,
    instance: r.instance,
    host: r.host,
    pid: r.pid,
    startedAt: r.started_at.toISOString(),
    lastBeatAt: r.last_beat_at.toISOString(),
    stoppedAt: r.stopped_at?.toISOString() ?? null,
    alive: r.alive,
  }));
}
