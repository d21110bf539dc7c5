import type pg from 'pg';
import { hashToken, newToken } from '../../lib/auth/tokens';
import type { AgentCredential } from '../../lib/protocol/policy.schema';
import { insertSimulatedCollection, insertSimulatedDevices, upsertSimulatedSite } from './simulated-fleet-repo';

/**
 * Registers a simulated fleet straight in the database (approved devices with credentials, and
 * optionally a collection of them), for tests and benchmarks that need thousands of agents
 * without thousands of registration requests. Never used by a real management point.
 */
export async function provisionSimulatedFleet(options: {
  db: pg.Pool | pg.Client;
  siteCode: string;
  prefix: string;
  count: number;
  collectionName?: string;
}): Promise<{ credentials: AgentCredential[]; deviceIds: number[]; collectionId: number | null }> {
  const siteId = await upsertSimulatedSite(options.db, options.siteCode);
  const secrets = Array.from({ length: options.count }, () => newToken());
  const names = secrets.map((_, i) => `${options.prefix}${String(i + 1).padStart(5, '0')}`);
  const rows = await insertSimulatedDevices(options.db, siteId, names, secrets.map(hashToken));
  const idByName = new Map(rows.map((r) => [r.name, r.id]));
  const credentials = names.map((name, i) => ({ deviceId: idByName.get(name)!, secret: secrets[i], name }));
  const collectionId = options.collectionName
    ? await insertSimulatedCollection(
        options.db,
        options.collectionName,
        rows.map((r) => r.id),
      )
    : null;
  return { credentials, deviceIds: credentials.map((c) => c.deviceId), collectionId };
}
