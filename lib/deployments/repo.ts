import type pg from 'pg';
import { pool } from '../db/pool';
import { inSavepoint, inTransaction as runInTransaction } from '../db/transaction';
import { AppError } from '../errors';
import { likeLiteral } from '../search/like-literal';
import { notifyDeploymentsChanged } from './notify-deployments-changed';
import {
  clientStatuses,
  type ClientStatus,
  type CreateDeploymentInput,
  type CreatePackageInput,
  type DeploymentClientRow,
  type DeploymentClientsQuery,
  type DeploymentRow,
  type PackageRow,
  type UpdateDeploymentInput,
} from './deployment.schema';
import { runConditionsSchema, type PolicyDeployment } from '../protocol/policy-deployment.schema';

/**
 * The data layer for packages, programs and deployments (the status summarizer's hot-path SQL is
 * in status-repo.ts). Plain pg: the reads join membership, status rows and summaries in ways
 * Prisma cannot express in one statement.
 */

/** S0100001 for package 1: the site code and five hex digits. */
export const packageKey = (siteCode: string, id: number) => `${siteCode}${id.toString(16).toUpperCase().padStart(5, '0')}`;
/** S0120001 for deployment 1, as the console Sitebox is modelled on numbers advertisements. */
export const deploymentKey = (siteCode: string, id: number) => `${siteCode}${(0x20000 + id).toString(16).toUpperCase().padStart(5, '0')}`;

function uniqueViolation(error: unknown, field: string, message: string): never {
  if ((error as { code?: string }).code === '23505') {
    throw new AppError('CONFLICT', { userMessage: `${field} ${message}`, details: { fields: [{ path: field, message }] } });
  }
  throw error;
}

const inTransaction = <T>(work: (client: pg.PoolClient) => Promise<T>) => runInTransaction(pool(), work);

export async function insertPackage(input: CreatePackageInput, siteCode: string, audit: (client: pg.PoolClient, key: string) => Promise<void>) {
  return inTransaction(async (client) => {
    const { rows } = await client.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('package', 'id'))::int AS id`);
    const id = rows[0].id;
    const key = packageKey(siteCode, id);
    await client.query(`INSERT INTO package (id, package_id, name, version, manufacturer, updated_at) VALUES ($1, $2, $3, $4, $5, now())`, [
      id,
      key,
      input.name,
      input.version,
      input.manufacturer,
    ]);
    for (const p of input.programs) {
      await client.query(`INSERT INTO program (package_id, name, command_line, run_conditions, updated_at) VALUES ($1, $2, $3, $4, now())`, [
        id,
        p.name,
        p.commandLine,
        JSON.stringify(p.runConditions),
      ]);
    }
    await audit(client, key);
    return { id, packageId: key };
  });
}

export async function listPackages(): Promise<PackageRow[]> {
  const { rows } = await pool().query(
    `SELECT p.id, p.package_id, p.name, p.version, p.manufacturer,
            coalesce((SELECT json_agg(json_build_object('id', g.id, 'name', g.name, 'commandLine', g.command_line,
                                                        'runConditions', g.run_conditions) ORDER BY g.name)
                        FROM program g WHERE g.package_id = p.id), '[]') AS programs,
            (SELECT count(*)::int FROM deployment d JOIN program g ON g.id = d.program_id WHERE g.package_id = p.id) AS deployments
       FROM package p ORDER BY p.name, p.id LIMIT 2000`,
  );
  return rows.map((r) => ({
    id: r.id,
    packageId: r.package_id,
    name: r.name,
    version: r.version,
    manufacturer: r.manufacturer,
    programs: r.programs.map((g: PackageRow['programs'][number]) => ({ ...g, runConditions: runConditionsSchema.parse(g.runConditions ?? {}) })),
    deployments: r.deployments,
  }));
}

export async function insertDeployment(
  input: CreateDeploymentInput,
  options: { siteCode: string; createdBy: string; audit: (client: pg.PoolClient, key: string) => Promise<void> },
) {
  return inTransaction(async (client) => {
    const program = await client.query(`SELECT id FROM program WHERE id = $1`, [input.programId]);
    if (!program.rowCount) {
      throw new AppError('BAD_REQUEST', {
        userMessage: 'programId: no such program',
        details: { fields: [{ path: 'programId', message: 'no such program' }] },
      });
    }
    // Held until the deployment is stored: a delete of the collection at the same moment waits and
    // then finds the deployment (409), or goes first and this finds no collection (400).
    const collection = await client.query(`SELECT id FROM collection WHERE id = $1 FOR KEY SHARE`, [input.collectionId]);
    if (!collection.rowCount) {
      throw new AppError('BAD_REQUEST', {
        userMessage: 'collectionId: no such collection',
        details: { fields: [{ path: 'collectionId', message: 'no such collection' }] },
      });
    }
    const { rows } = await client.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('deployment', 'id'))::int AS id`);
    const id = rows[0].id;
    const key = deploymentKey(options.siteCode, id);
    await client
      .query(
        `INSERT INTO deployment (id, deployment_id, name, comment, program_id, collection_id, available_at, mandatory_at, expires_at, created_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())`,
        [
          id,
          key,
          input.name,
          input.comment,
          input.programId,
          input.collectionId,
          input.availableAt,
          input.mandatoryAt,
          input.expiresAt,
          options.createdBy,
        ],
      )
      .catch((e) => uniqueViolation(e, 'name', 'is already used'));
    // Every member starts as None; the collection evaluator keeps the list in step from here on.
    await client.query(
      `INSERT INTO deployment_client_status (deployment_id, device_id)
       SELECT $1, device_id FROM collection_member WHERE collection_id = $2 ORDER BY device_id`,
      [id, input.collectionId],
    );
    await options.audit(client, key);
    await notifyDeploymentsChanged(client, [id]);
    return { id, deploymentId: key };
  });
}

/**
 * Deployments whose collection holds the device, available now and not expired: what its policy
 * carries. An expired deployment drops out here at its expiration time, before the expiry job
 * has even marked it, so clients withdraw it on their next policy fetch.
 */
export async function findPolicyDeployments(deviceId: number, now: Date): Promise<PolicyDeployment[]> {
  return (await findPolicyDeploymentsForDevices([deviceId], now)).get(deviceId) ?? [];
}

/** The policy deployments of many devices in one query (a notification server answering thousands at once). */
export async function findPolicyDeploymentsForDevices(deviceIds: number[], now: Date): Promise<Map<number, PolicyDeployment[]>> {
  const result = new Map<number, PolicyDeployment[]>(deviceIds.map((id) => [id, []]));
  if (!deviceIds.length) return result;
  const { rows } = await pool().query(
    `SELECT m.device_id, d.deployment_id, d.name, p.package_id, p.name AS package_name, g.name AS program_name, g.command_line,
            g.run_conditions, d.available_at, d.mandatory_at, d.expires_at
       FROM deployment d
       JOIN program g ON g.id = d.program_id
       JOIN package p ON p.id = g.package_id
       JOIN collection_member m ON m.collection_id = d.collection_id AND m.device_id = ANY($1::int[])
      WHERE d.expired_at IS NULL AND d.available_at <= $2 AND (d.expires_at IS NULL OR d.expires_at > $2)
      ORDER BY d.id`,
    [deviceIds, now],
  );
  for (const r of rows) {
    result.get(r.device_id)?.push({
      deploymentId: r.deployment_id,
      name: r.name,
      packageId: r.package_id,
      packageName: r.package_name,
      programName: r.program_name,
      commandLine: r.command_line,
      runConditions: runConditionsSchema.parse(r.run_conditions ?? {}),
      availableAt: r.available_at.toISOString(),
      mandatoryAt: r.mandatory_at?.toISOString() ?? null,
      expiresAt: r.expires_at?.toISOString() ?? null,
    });
  }
  return result;
}

/**
 * Marks deployments past their expiration as expired, and records every client still targeted
 * with a status row (None for those that never reported), so the drill-down keeps exactly the
 * clients and statuses it had even when the collection changes later. Statuses are not touched.
 */
export async function markDueDeploymentsExpired(
  now: Date,
  onExpired: (client: pg.PoolClient, d: { deploymentId: string; name: string; clients: number }) => Promise<void>,
  isolation?: {
    /** Deployment ids (such as S0120001) waiting in quarantine: left as they are. */
    skip: ReadonlySet<string>;
    /** A deployment the database refused to expire, on its own: set it aside, or throw to roll the whole pass back. */
    onFailure: (client: pg.PoolClient, d: { deploymentId: string; name: string }, error: unknown) => Promise<void>;
  },
) {
  return inTransaction(async (client) => {
    // NO KEY UPDATE, not UPDATE: the status summarizer's writes take KEY SHARE on the deployment (its
    // summary's foreign key) while holding client status rows this pass then waits on; a full
    // UPDATE lock here would close that circle into a deadlock.
    const { rows } = await client.query<{ id: number; deployment_id: string; name: string; collection_id: number }>(
      `SELECT id, deployment_id, name, collection_id FROM deployment
        WHERE expired_at IS NULL AND expires_at <= $1 ORDER BY id FOR NO KEY UPDATE`,
      [now],
    );
    const expired = [];
    const changed: number[] = [];
    for (const d of rows) {
      if (isolation?.skip.has(d.deployment_id)) continue;
      // Each deployment in a savepoint: one the database refuses leaves the others to expire.
      try {
        const item = await inSavepoint(client, async () => {
          await client.query(`UPDATE deployment SET expired_at = $2, updated_at = now() WHERE id = $1`, [d.id, now]);
          await client.query(
            `INSERT INTO deployment_client_status (deployment_id, device_id)
             SELECT $1, device_id FROM collection_member WHERE collection_id = $2 ORDER BY device_id
             ON CONFLICT DO NOTHING`,
            [d.id, d.collection_id],
          );
          const { rows: count } = await client.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM deployment_client_status WHERE deployment_id = $1`,
            [d.id],
          );
          const item = { deploymentId: d.deployment_id, name: d.name, clients: count[0].n };
          await onExpired(client, item);
          return item;
        });
        expired.push(item);
        changed.push(d.id);
      } catch (error) {
        if (!isolation) throw error;
        await isolation.onFailure(client, { deploymentId: d.deployment_id, name: d.name }, error);
      }
    }
    if (changed.length) await notifyDeploymentsChanged(client, changed);
    return expired;
  });
}

/**
 * The clients a deployment targets, with their status: one row per client, made None when the
 * deployment is created or the device joins its collection (lib/collections/membership-repo.ts),
 * changed only by the client's own reports.
 */
const TARGETS_SQL = `
  SELECT s.device_id, s.status::text AS status, s.exit_code, s.last_report_at, s.received_at, s.last_message_id, s.late
    FROM deployment_client_status s WHERE s.deployment_id = $1`;

const emptyCounts = (): Record<ClientStatus, number> => Object.fromEntries(clientStatuses.map((s) => [s, 0])) as Record<ClientStatus, number>;

export async function findDeploymentRows(options: { id?: number; now: Date }): Promise<DeploymentRow[]> {
  const { rows } = await pool().query(
    `SELECT d.id, d.deployment_id, d.name, d.comment, d.available_at, d.mandatory_at, d.expires_at, d.expired_at, d.created_by, d.updated_at,
            p.package_id, p.name AS package_name, p.version AS package_version, g.name AS program_name,
            c.id AS collection_id, c.name AS collection_name,
            coalesce(to_jsonb(sm) - 'deployment_id' - 'updated_at', '{}'::jsonb) AS summary,
            counts.by_status, counts.late
       FROM deployment d
       JOIN program g ON g.id = d.program_id
       JOIN package p ON p.id = g.package_id
       JOIN collection c ON c.id = d.collection_id
       LEFT JOIN deployment_summary sm ON sm.deployment_id = d.id
       CROSS JOIN LATERAL (
         SELECT coalesce(jsonb_object_agg(t.status, t.n), '{}'::jsonb) AS by_status, coalesce(sum(t.late), 0)::int AS late
           FROM (SELECT status::text AS status, count(*)::int AS n, count(*) FILTER (WHERE late)::int AS late
                   FROM deployment_client_status WHERE deployment_id = d.id GROUP BY status) t
       ) counts
      WHERE ($1::int IS NULL OR d.id = $1)
      ORDER BY d.id DESC
      LIMIT 1000`,
    [options.id ?? null],
  );
  const now = options.now.getTime();
  return rows.map((r) => {
    const statusCounts: Record<ClientStatus, number> = { ...emptyCounts(), ...r.by_status };
    const s = r.summary;
    return {
      id: r.id,
      deploymentId: r.deployment_id,
      name: r.name,
      comment: r.comment,
      packageId: r.package_id,
      packageName: r.package_name,
      packageVersion: r.package_version,
      programName: r.program_name,
      collectionId: r.collection_id,
      collectionName: r.collection_name,
      availableAt: r.available_at.toISOString(),
      mandatoryAt: r.mandatory_at?.toISOString() ?? null,
      expiresAt: r.expires_at?.toISOString() ?? null,
      expiredAt: r.expired_at?.toISOString() ?? null,
      state: r.expired_at || (r.expires_at && r.expires_at.getTime() <= now) ? 'EXPIRED' : r.available_at.getTime() > now ? 'SCHEDULED' : 'ACTIVE',
      createdBy: r.created_by,
      updatedAt: r.updated_at.toISOString(),
      targeted: Object.values(statusCounts).reduce((a: number, b) => a + (b as number), 0),
      statusCounts,
      lateClients: r.late,
      messages: {
        received: s.received ?? 0,
        programStarted: s.program_started ?? 0,
        programErrors: s.program_errors ?? 0,
        programSucceeded: s.program_succeeded ?? 0,
        retrying: s.retrying ?? 0,
        expiredUnrun: s.expired_unrun ?? 0,
        lateReports: s.late_reports ?? 0,
        lastMessageAt: s.last_message_at ? new Date(s.last_message_at).toISOString() : null,
      },
    } satisfies DeploymentRow;
  });
}

/** One page of a deployment's clients (or all of them, for CSV), by device name. */
export async function findDeploymentClients(
  deploymentId: number,
  query: Omit<DeploymentClientsQuery, 'page' | 'pageSize'> & { limit: number | null; offset: number },
): Promise<{ rows: DeploymentClientRow[]; total: number }> {
  const params: unknown[] = [deploymentId];
  const where: string[] = [];
  if (query.status) {
    params.push(query.status);
    where.push(`t.status = $${params.length}`);
  }
  if (query.late) {
    params.push(query.late === 'true');
    where.push(`t.late = $${params.length}`);
  }
  if (query.search) {
    params.push(`%${likeLiteral(query.search)}%`);
    where.push(`dv.name ILIKE $${params.length}`);
  }
  const base = `FROM (${TARGETS_SQL}) t JOIN device dv ON dv.id = t.device_id JOIN site si ON si.id = dv.site_id
                ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
  const page = query.limit === null ? '' : `LIMIT ${Math.trunc(query.limit)} OFFSET ${Math.trunc(query.offset)}`;
  const [list, count] = await Promise.all([
    pool().query(`SELECT t.*, dv.name AS device_name, si.code AS site_code ${base} ORDER BY dv.name, dv.id ${page}`, params),
    query.limit === null ? null : pool().query(`SELECT count(*)::int AS n ${base}`, params),
  ]);
  return {
    rows: list.rows.map((r) => ({
      deviceId: r.device_id,
      deviceName: r.device_name,
      siteCode: r.site_code,
      status: r.status,
      exitCode: r.exit_code,
      lastReportAt: r.last_report_at?.toISOString() ?? null,
      receivedAt: r.received_at?.toISOString() ?? null,
      lastMessageId: r.last_message_id,
      late: r.late,
    })),
    total: count ? count.rows[0].n : list.rows.length,
  };
}

/**
 * Changes a deployment's name, comment and schedule, unless it has expired; returns the row before.
 * `check` (an edit's version check, which throws to refuse it) runs under the row lock.
 */
export async function updateDeploymentRow(
  id: number,
  input: UpdateDeploymentInput,
  options: { editorName: string; check?: (current: { updatedAt: Date; updatedBy: string }) => void },
  audit: (
    client: pg.PoolClient,
    before: { deploymentId: string; name: string; availableAt: Date; mandatoryAt: Date | null; expiresAt: Date | null },
  ) => Promise<void>,
) {
  return inTransaction(async (client) => {
    const { rows } = await client.query<{
      deployment_id: string;
      name: string;
      available_at: Date;
      mandatory_at: Date | null;
      expires_at: Date | null;
      expired_at: Date | null;
      updated_at: Date;
      updated_by: string;
    }>(
      `SELECT deployment_id, name, available_at, mandatory_at, expires_at, expired_at, updated_at, updated_by FROM deployment WHERE id = $1 FOR UPDATE`,
      [id],
    );
    const before = rows[0];
    if (!before) throw new AppError('NOT_FOUND', { userMessage: 'The deployment was not found.' });
    if (before.expired_at) {
      throw new AppError('CONFLICT', {
        userMessage: 'The deployment has expired and its clients have withdrawn it; create a new deployment to offer the program again.',
      });
    }
    options.check?.({ updatedAt: before.updated_at, updatedBy: before.updated_by });
    await client
      .query(
        `UPDATE deployment SET name = $2, comment = $3, available_at = $4, mandatory_at = $5, expires_at = $6, updated_at = now(), updated_by = $7
          WHERE id = $1`,
        [id, input.name, input.comment, input.availableAt, input.mandatoryAt, input.expiresAt, options.editorName],
      )
      .catch((e) => uniqueViolation(e, 'name', 'is already used'));
    await notifyDeploymentsChanged(client, [id]);
    await audit(client, {
      deploymentId: before.deployment_id,
      name: before.name,
      availableAt: before.available_at,
      mandatoryAt: before.mandatory_at,
      expiresAt: before.expires_at,
    });
    return { id, deploymentId: before.deployment_id };
  });
}
