import type pg from 'pg';

type Db = pg.Pool | pg.Client;

/** The id of site `code`, created (named after its code) when missing. */
export async function upsertSimulatedSite(db: Db, code: string): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO site (code, name, updated_at) VALUES ($1::text, $1::text, now()) ON CONFLICT (code) DO UPDATE SET code = excluded.code RETURNING id`,
    [code],
  );
  return rows[0].id;
}

/** Inserts approved workstations named `names[i]` holding credential hash `hashes[i]`. */
export async function insertSimulatedDevices(
  db: Db,
  siteId: number,
  names: readonly string[],
  hashes: readonly string[],
): Promise<{ id: number; name: string }[]> {
  const { rows } = await db.query<{ id: number; name: string }>(
    `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, credential_hash, registered_at, approved_by, client_version, updated_at)
     SELECT $1, n, 'Windows 11 Enterprise', '10.0.22631', 'WORKSTATION', 'APPROVED', h, now(), 'simulated fleet', '1.0.0', now()
       FROM unnest($2::text[], $3::text[]) AS f(n, h)
     RETURNING id, name`,
    [siteId, names, hashes],
  );
  return rows;
}

/** Inserts a collection (random SIM id) with exactly these members, counted as evaluated now. */
export async function insertSimulatedCollection(db: Db, name: string, deviceIds: readonly number[]): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO collection (collection_id, name, member_count, last_evaluated_at, updated_at)
     VALUES ('SIM' || lpad((floor(random() * 100000))::int::text, 5, '0'), $1, $2, now(), now()) RETURNING id`,
    [name, deviceIds.length],
  );
  await db.query(`INSERT INTO collection_member (collection_id, device_id) SELECT $1, unnest($2::int[])`, [rows[0].id, deviceIds]);
  return rows[0].id;
}
