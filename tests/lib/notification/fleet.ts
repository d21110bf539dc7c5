// Helpers for notification tests: a provisioned fleet, polling the database until a condition holds.
import { pool } from '@/lib/db/pool';
import { provisionSimulatedFleet } from '@/bench/support/provision-simulated-fleet';

export const admin = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };

export async function fleet(prefix: string, count: number, collectionName?: string) {
  return provisionSimulatedFleet({ db: pool(), siteCode: 'S01', prefix, count, collectionName });
}

/** Resolves with fn's value once `ok` accepts it; fails with the last value after timeoutMs. */
export async function eventually<T>(fn: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`condition not reached; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await fn();
  }
  return last;
}

export async function targetStates(operationId: number): Promise<Record<string, number>> {
  const { rows } = await pool().query<{ state: string; n: number }>(
    `SELECT state, count(*)::int AS n FROM client_operation_target WHERE operation_id = $1 GROUP BY state`,
    [operationId],
  );
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

export async function onlineCount(deviceIds: number[]): Promise<number> {
  const { rows } = await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM device WHERE online AND id = ANY($1::int[])`, [deviceIds]);
  return rows[0].n;
}
