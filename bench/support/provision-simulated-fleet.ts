import type pg from 'pg';
import { hashToken, newToken } from '../../lib/auth/tokens';
import type { AgentCredential } from '../../lib/protocol/policy.schema';

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
  const { rows: sites } = await options.db.query<{ id: number }>(
    `INSERT INTO site (code, name, updated_at) VALUES ($1::text, $1::text, now()) ON CONFLICT (code) DO UPDATE SET code = excluded.code RETURNING id`,
    [options.siteCode],
  );
  const secrets = Array.from({ length: options.count }, () => newToken());
  const names = secrets.map((_, i) => `${options.prefix}${String(i + 1).padStart(5, '0')}`);
  const { rows } = await options.db.query<{ id: number; name: string }>(
    `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, credential_hash, registered_at, approved_by, client_version, updated_at)
     SELECT $1, n, 'Windows 11 Enterprise', '10.0.22631', 'WORKSTATION', 'APPROVED', h, now(), 'simulated fleet', '1.0.0', now()
       FROM unnest($2::text[], $3::text[]) AS f(n, h)
     RETURNING id, name`,
    [sites[0].id, names, secrets.map(hashToken)],
  );
  const idByName = new Map(rows.map((r) => [r.name, r.id]));
  const credentials = names.map((name, i) => ({ deviceId: idByName.get(name)!, secret: secrets[i], name }));
  let collectionId: number | null = null;
  if (options.collectionName) {
    const { rows: c } = await options.db.query<{ id: number }>(
      `INSERT INTO collection (collection_id, name, member_count, last_evaluated_at, updated_at)
       VALUES ('SIM' || lpad((floor(random() * 100000))::int::text, 5, '0'), $1, $2, now(), now()) RETURNING id`,
      [options.collectionName, rows.length],
    );
    collectionId = c[0].id;
    await options.db.query(`INSERT INTO collection_member (collection_id, device_id) SELECT $1, unnest($2::int[])`, [collectionId, rows.map((r) => r.id)]);
  }
  return { credentials, deviceIds: credentials.map((c) => c.deviceId), collectionId };
}
