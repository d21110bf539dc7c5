import type pg from 'pg';
import { findLookAlikeName } from '../db/name-key';
import { prisma } from '../db/prisma';
import { AppError } from '../errors';
import type { QueryCriteria } from './status-query.schema';

/** The thin data layer for saved status message queries. */

/** Maps a unique violation to a 409 naming the field (database error codes are mapped here only). */
function nameTakenOrRethrow(error: unknown): never {
  if ((error as { code?: string }).code === '23505') {
    throw new AppError('CONFLICT', {
      userMessage: 'A query with this name already exists.',
      details: { fields: [{ path: 'name', message: 'is already taken' }] },
    });
  }
  throw error;
}

/**
 * Refuses a name that reads the same as another query's ("Errors today", "errors today",
 * "Ｅｒｒｏｒｓ today"): the viewer lists queries by name, and a look-alike would be run for the one meant.
 */
async function refuseLookAlikeName(client: pg.ClientBase, name: string, exceptId: number | null) {
  const other = await findLookAlikeName(client, 'status_message_query', name, exceptId);
  if (other)
    throw new AppError('CONFLICT', {
      userMessage: `A query with this name already exists ("${other}").`,
      details: { fields: [{ path: 'name', message: 'is already taken' }] },
    });
}

export interface SavedQueryRow {
  id: number;
  name: string;
  description: string;
  criteria: unknown;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string;
}

export function listSavedQueries(): Promise<SavedQueryRow[]> {
  return prisma().statusMessageQuery.findMany({ orderBy: { name: 'asc' } });
}

export function findSavedQuery(id: number): Promise<SavedQueryRow | null> {
  return prisma().statusMessageQuery.findUnique({ where: { id } });
}

/** A status_message_query row as Prisma names its fields. */
const queryColumns = `id, name, description, criteria, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt", updated_by AS "updatedBy"`;

/** Saves a query on `client`, inside the caller's transaction. */
export async function insertSavedQuery(
  client: pg.ClientBase,
  data: { name: string; description: string; criteria: QueryCriteria; createdBy: string },
): Promise<SavedQueryRow> {
  try {
    await refuseLookAlikeName(client, data.name, null);
    const { rows } = await client.query<SavedQueryRow>(
      `INSERT INTO status_message_query (name, description, criteria, created_by, updated_at) VALUES ($1, $2, $3, $4, now()) RETURNING ${queryColumns}`,
      [data.name, data.description, JSON.stringify(data.criteria), data.createdBy],
    );
    return rows[0];
  } catch (error) {
    nameTakenOrRethrow(error);
  }
}

/**
 * Replaces a saved query on `client`, inside the caller's transaction, with its row locked from
 * read to write so `check` (an edit's version check, which throws to refuse it) sees the query as
 * it is when written.
 */
export async function updateSavedQuery(
  client: pg.ClientBase,
  id: number,
  data: { name: string; description: string; criteria: QueryCriteria },
  options: { editorName: string; check?: (current: SavedQueryRow) => void },
): Promise<SavedQueryRow> {
  try {
    const { rows } = await client.query<SavedQueryRow>(`SELECT ${queryColumns} FROM status_message_query WHERE id = $1 FOR UPDATE`, [id]);
    if (!rows[0]) throw new AppError('NOT_FOUND', { userMessage: 'That status message query was not found.' });
    options.check?.(rows[0]);
    await refuseLookAlikeName(client, data.name, id);
    const updated = await client.query<SavedQueryRow>(
      `UPDATE status_message_query SET name = $2, description = $3, criteria = $4, updated_by = $5, updated_at = now()
        WHERE id = $1 RETURNING ${queryColumns}`,
      [id, data.name, data.description, JSON.stringify(data.criteria), options.editorName],
    );
    return updated.rows[0];
  } catch (error) {
    nameTakenOrRethrow(error);
  }
}

/** Deletes a saved query on `client`, inside the caller's transaction: the query deleted, or null when there is none. */
export async function deleteSavedQuery(client: pg.ClientBase, id: number): Promise<SavedQueryRow | null> {
  const { rows } = await client.query<SavedQueryRow>(`DELETE FROM status_message_query WHERE id = $1 RETURNING ${queryColumns}`, [id]);
  return rows[0] ?? null;
}
