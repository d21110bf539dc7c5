import { pool } from '../db/pool';

/**
 * The code of each of the sites. Plain SQL: policy is a management point's hot path, and the first
 * Prisma query of a process loads its query compiler (most of a second of CPU), which would land
 * on the first fleet-wide policy request after a start.
 */
export async function findSiteCodes(siteIds: readonly number[]): Promise<{ id: number; code: string }[]> {
  if (!siteIds.length) return [];
  const { rows } = await pool().query<{ id: number; code: string }>(`SELECT id, code FROM site WHERE id = ANY($1::int[])`, [siteIds]);
  return rows;
}

/**
 * Stamps the devices' last policy request (client activity) in one statement, and tells which of
 * them the inventory loader asked for a full inventory.
 */
export async function recordPolicyRequests(deviceIds: readonly number[], at: Date): Promise<Map<number, boolean>> {
  if (!deviceIds.length) return new Map();
  const { rows } = await pool().query<{ id: number; resync: boolean }>(
    `UPDATE device SET last_policy_request_at = greatest(last_policy_request_at, $2) WHERE id = ANY($1::int[])
     RETURNING id, inventory_resync AS resync`,
    [deviceIds, at],
  );
  return new Map(rows.map((r) => [r.id, r.resync]));
}
