import { pool } from '../db/pool';
import { prisma } from '../db/prisma';

/** The code of each of the sites. */
export function findSiteCodes(siteIds: readonly number[]) {
  return prisma().site.findMany({ where: { id: { in: [...siteIds] } }, select: { id: true, code: true } });
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
