import type pg from 'pg';
import type { ClientStatus } from './deployment.schema';
import type { ClientStatusState } from './derive-client-status';

/**
 * SQL for the deployment status summarizer. It runs inside Status Manager's batch transaction,
 * on the hot path, so it is plain pg with one statement per step rather than Prisma.
 */

export async function findDeploymentsByKey(db: pg.ClientBase, keys: string[]): Promise<Map<string, { id: number; expiresAt: Date | null }>> {
  const { rows } = await db.query<{ id: number; deployment_id: string; expires_at: Date | null }>(
    `SELECT id, deployment_id, expires_at FROM deployment WHERE deployment_id = ANY($1::text[])`,
    [keys],
  );
  return new Map(rows.map((r) => [r.deployment_id, { id: r.id, expiresAt: r.expires_at }]));
}

export async function findDevicesByName(db: pg.ClientBase, names: string[]): Promise<Map<string, { id: number; siteCode: string }[]>> {
  const { rows } = await db.query<{ id: number; name: string; code: string }>(
    `SELECT d.id, d.name, s.code FROM device d JOIN site s ON s.id = d.site_id WHERE d.name = ANY($1::text[]) ORDER BY d.id`,
    [names],
  );
  const byName = new Map<string, { id: number; siteCode: string }[]>();
  for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), { id: r.id, siteCode: r.code }]);
  return byName;
}

type StatusRow = {
  deployment_id: number;
  device_id: number;
  status: ClientStatus;
  last_report_at: Date | null;
  received_at: Date | null;
  exit_code: number | null;
  last_message_id: number | null;
  late: boolean;
};

function selectForUpdate(db: pg.ClientBase, deploymentIds: number[], deviceIds: number[]) {
  return db.query<StatusRow>(
    `SELECT s.deployment_id, s.device_id, s.status, s.last_report_at, s.received_at, s.exit_code, s.last_message_id, s.late
       FROM deployment_client_status s
       JOIN unnest($1::int[], $2::int[]) AS k(deployment_id, device_id)
         ON k.deployment_id = s.deployment_id AND k.device_id = s.device_id
      ORDER BY s.deployment_id, s.device_id
        FOR UPDATE OF s`,
    [deploymentIds, deviceIds],
  );
}

/**
 * Locks the status row of each (deployment, device), in key order so two Status Manager loops
 * never wait on each other in a circle; returns the current states. Only targeted clients have a
 * row (made when the deployment is created, the device joins its collection, or it expires):
 * a device without one is missing from the result, and nothing is created for it.
 */
export async function lockClientStatuses(
  db: pg.ClientBase,
  pairs: { deploymentId: number; deviceId: number }[],
): Promise<Map<string, ClientStatusState>> {
  const sorted = [...pairs].sort((a, b) => a.deploymentId - b.deploymentId || a.deviceId - b.deviceId);
  const { rows } = await selectForUpdate(
    db,
    sorted.map((p) => p.deploymentId),
    sorted.map((p) => p.deviceId),
  );
  const states = new Map<string, ClientStatusState>();
  for (const r of rows) {
    states.set(`${r.deployment_id}:${r.device_id}`, {
      status: r.status,
      lastReportAt: r.last_report_at,
      receivedAt: r.received_at,
      exitCode: r.exit_code,
      lastMessageId: r.last_message_id,
      late: r.late,
    });
  }
  return states;
}

export async function writeClientStatuses(
  db: pg.ClientBase,
  rows: { deploymentId: number; deviceId: number; state: ClientStatusState }[],
): Promise<void> {
  if (!rows.length) return;
  await db.query(
    `UPDATE deployment_client_status s
        SET status = v.status::deployment_status, last_report_at = v.last_report_at, received_at = v.received_at,
            exit_code = v.exit_code, last_message_id = v.last_message_id, late = v.late
       FROM unnest($1::int[], $2::int[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[], $7::int[], $8::bool[])
            AS v(deployment_id, device_id, status, last_report_at, received_at, exit_code, last_message_id, late)
      WHERE s.deployment_id = v.deployment_id AND s.device_id = v.device_id`,
    [
      rows.map((r) => r.deploymentId),
      rows.map((r) => r.deviceId),
      rows.map((r) => r.state.status),
      rows.map((r) => r.state.lastReportAt),
      rows.map((r) => r.state.receivedAt),
      rows.map((r) => r.state.exitCode),
      rows.map((r) => r.state.lastMessageId),
      rows.map((r) => r.state.late),
    ],
  );
}

/** What one batch adds to a deployment's message counts. */
export interface SummaryIncrement {
  deploymentId: number;
  received: number;
  programStarted: number;
  programErrors: number;
  programSucceeded: number;
  retrying: number;
  expiredUnrun: number;
  lateReports: number;
  lastMessageAt: Date;
}

export async function addDeploymentSummaryCounts(db: pg.ClientBase, increments: SummaryIncrement[]): Promise<void> {
  if (!increments.length) return;
  const sorted = [...increments].sort((a, b) => a.deploymentId - b.deploymentId);
  const column = <K extends keyof SummaryIncrement>(k: K) => sorted.map((i) => i[k]);
  await db.query(
    `INSERT INTO deployment_summary AS t
            (deployment_id, received, program_started, program_errors, program_succeeded, retrying, expired_unrun, late_reports, last_message_at, updated_at)
     SELECT *, now() FROM unnest($1::int[], $2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[], $9::timestamptz[])
     ON CONFLICT (deployment_id) DO UPDATE SET
       received = t.received + excluded.received,
       program_started = t.program_started + excluded.program_started,
       program_errors = t.program_errors + excluded.program_errors,
       program_succeeded = t.program_succeeded + excluded.program_succeeded,
       retrying = t.retrying + excluded.retrying,
       expired_unrun = t.expired_unrun + excluded.expired_unrun,
       late_reports = t.late_reports + excluded.late_reports,
       last_message_at = greatest(t.last_message_at, excluded.last_message_at),
       updated_at = now()`,
    [
      column('deploymentId'),
      column('received'),
      column('programStarted'),
      column('programErrors'),
      column('programSucceeded'),
      column('retrying'),
      column('expiredUnrun'),
      column('lateReports'),
      column('lastMessageAt'),
    ],
  );
}
