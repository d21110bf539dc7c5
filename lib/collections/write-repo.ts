import type pg from 'pg';
import { pool } from '../db/pool';
import { findLookAlikeName } from '../db/name-key';
import { inTransaction } from '../db/transaction';
import { AppError } from '../errors';
import { pluralWord } from '../plural';
import type { CollectionInput, CollectionPreview } from './collection-input.schema';
import { desiredMembersSql, type CollectionDefinition } from './membership-repo';
import { ruleLookups } from './rule-lookup-repo';

/** Writes of collection definitions (membership itself is kept by membership-repo.ts). */

const nameTaken = (other: string) =>
  new AppError('CONFLICT', {
    userMessage: `name: another collection has this name ("${other}")`,
    details: { fields: [{ path: 'name', message: 'another collection has this name' }] },
  });

/**
 * Refuses a name that reads the same as another collection's ("Servers", "servers", "Ｓｅｒｖｅｒｓ"):
 * pickers and deployments show collections by name, and two that look alike would be mistaken
 * for each other.
 */
export async function refuseNameInUse(client: pg.PoolClient, name: string, exceptId: number | null) {
  const other = await findLookAlikeName(client, 'collection', name, exceptId);
  if (other) throw nameTaken(other);
}

export async function inCollectionTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(pool(), async (client) => {
      // One definition change at a time, so two edits cannot together close a cycle neither saw.
      await client.query(`SELECT pg_advisory_xact_lock(7301952044202)`);
      return work(client);
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505' && /name/.test((error as { constraint?: string }).constraint ?? '')) {
      throw new AppError('CONFLICT', {
        userMessage: 'name: another collection has this name',
        details: { fields: [{ path: 'name', message: 'another collection has this name' }] },
      });
    }
    throw error;
  }
}

/** The next free key of the console's form: the site code and five hex digits (S010000B). */
async function nextCollectionKey(client: pg.PoolClient, siteCode: string): Promise<{ id: number; key: string }> {
  for (;;) {
    const { rows } = await client.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('collection', 'id'))::int AS id`);
    const id = rows[0].id;
    const key = `${siteCode}${id.toString(16).toUpperCase().padStart(5, '0')}`;
    const taken = await client.query(`SELECT 1 FROM collection WHERE collection_id = $1 OR id = $2`, [key, id]);
    if (!taken.rowCount) return { id, key };
  }
}

export async function insertCollection(client: pg.PoolClient, siteCode: string, input: CollectionInput) {
  const { id, key } = await nextCollectionKey(client, siteCode);
  await client.query(
    `INSERT INTO collection (id, collection_id, name, comment, limiting_collection_id, refresh_minutes, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, now())`,
    [id, key, input.name, input.comment, input.limitingCollectionId, input.refreshMinutes],
  );
  await insertRules(client, id, input);
  return { id, collectionId: key };
}

export async function updateCollection(client: pg.PoolClient, id: number, input: CollectionInput, editorName: string) {
  // last_evaluated_at = NULL: due at once, for the evaluation that follows the change.
  await client.query(
    `UPDATE collection SET name = $2, comment = $3, limiting_collection_id = $4, refresh_minutes = $5,
            last_evaluated_at = NULL, updated_at = now(), updated_by = $6
      WHERE id = $1`,
    [id, input.name, input.comment, input.limitingCollectionId, input.refreshMinutes, editorName],
  );
  await client.query(`DELETE FROM collection_rule WHERE collection_id = $1`, [id]);
  await insertRules(client, id, input);
}

async function insertRules(client: pg.PoolClient, id: number, input: CollectionInput) {
  for (const rule of input.rules) {
    await client.query(
      `INSERT INTO collection_rule (collection_id, kind, name, device_id, query, referenced_collection_id)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        id,
        rule.kind,
        rule.kind === 'QUERY' ? rule.name : '',
        rule.kind === 'DIRECT' ? rule.deviceId : null,
        rule.kind === 'QUERY' ? JSON.stringify(rule.query) : null,
        rule.kind === 'INCLUDE' || rule.kind === 'EXCLUDE' ? rule.collectionId : null,
      ],
    );
  }
}

/** The collection, locked; `updated_at` and `updated_by` are the definition's last save, for an edit's version check. */
export async function findCollectionForWrite(db: pg.ClientBase | pg.Pool, id: number) {
  const { rows } = await db.query<{ id: number; collection_id: string; name: string; built_in: boolean; updated_at: Date; updated_by: string }>(
    `SELECT id, collection_id, name, built_in, updated_at, updated_by FROM collection WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0] ?? null;
}

/** Ids of the given devices and collections that exist, to name the rule that points nowhere. */
export async function existingReferences(db: pg.ClientBase, deviceIds: number[], collectionIds: number[]) {
  const [devices, collections] = await Promise.all([
    db.query<{ id: number }>(`SELECT id FROM device WHERE id = ANY($1::int[])`, [deviceIds]),
    db.query<{ id: number; name: string }>(`SELECT id, name FROM collection WHERE id = ANY($1::int[])`, [collectionIds]),
  ]);
  return {
    devices: new Set(devices.rows.map((r) => r.id)),
    collections: new Map(collections.rows.map((r) => [r.id, r.name])),
  };
}

export async function collectionNames(db: pg.ClientBase): Promise<Map<number, string>> {
  const { rows } = await db.query<{ id: number; name: string }>(`SELECT id, name FROM collection`);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Up to five names, quoted, and an ellipsis when there are more (the query reads six). */
const quotedNames = (rows: { name: string }[]) =>
  rows
    .slice(0, 5)
    .map((r) => `"${r.name}"`)
    .join(', ') + (rows.length > 5 ? ', …' : '');

export async function deleteCollectionRow(client: pg.PoolClient, id: number) {
  const { rows: deployments } = await client.query<{ name: string }>(`SELECT name FROM deployment WHERE collection_id = $1 ORDER BY name LIMIT 6`, [
    id,
  ]);
  if (deployments.length) {
    const named = quotedNames(deployments);
    throw new AppError('CONFLICT', {
      userMessage: `The collection is the target of the ${pluralWord(deployments.length, 'deployment')} ${named}; it cannot be deleted.`,
      details: { fields: [{ path: 'id', message: `is the target of ${named}` }] },
    });
  }
  // Deleting would silently drop another collection's include or exclude rule (cascade) or its
  // limit (set null), and so change that collection's members and whatever is deployed to them.
  const { rows: dependents } = await client.query<{ name: string }>(
    `SELECT name FROM collection
      WHERE id <> $1 AND (limiting_collection_id = $1
         OR id IN (SELECT collection_id FROM collection_rule WHERE referenced_collection_id = $1))
      ORDER BY name LIMIT 6`,
    [id],
  );
  if (dependents.length) {
    const named = quotedNames(dependents);
    throw new AppError('CONFLICT', {
      userMessage: `The collection is included, excluded or limiting in ${named}; change those first.`,
      details: { fields: [{ path: 'id', message: `is referred to by ${named}` }] },
    });
  }
  await client.query(`DELETE FROM collection WHERE id = $1`, [id]);
}

/** The members a definition would have now, without storing anything. */
export async function previewMembers(definition: CollectionDefinition, sampleSize: number): Promise<CollectionPreview> {
  const { sql, params } = await desiredMembersSql(definition, ruleLookups(pool()));
  const { rows } = await pool().query(
    `WITH m AS (SELECT DISTINCT device_id FROM (${sql}) x)
     SELECT (SELECT count(*)::int FROM m JOIN device d ON d.id = m.device_id) AS count,
            coalesce((SELECT json_agg(row_to_json(s)) FROM (
              SELECT d.id, d.name, d.os_name AS "osName", d.ip_address AS "ipAddress", si.code AS "siteCode"
                FROM m JOIN device d ON d.id = m.device_id JOIN site si ON si.id = d.site_id
               ORDER BY d.name LIMIT ${Math.trunc(sampleSize)}) s), '[]') AS sample`,
    params,
  );
  return { count: rows[0].count, sample: rows[0].sample };
}
