import { findLookAlikeName } from '../db/name-key';
import { Db, isRecordGone, prisma } from '../db/prisma';
import { AppError } from '../errors';
import type { QueryCriteria } from './status-query.schema';

/** The thin data layer for saved status message queries. */

function nameTakenOrRethrow(error: unknown): never {
  if (isRecordGone(error)) throw new AppError('NOT_FOUND', { userMessage: 'That status message query was not found.' });
  if ((error as { code?: string }).code === 'P2002') {
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
async function refuseLookAlikeName(tx: Db.Prisma.TransactionClient, name: string, exceptId: number | null) {
  const other = await findLookAlikeName(tx, 'status_message_query', name, exceptId);
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

export async function insertSavedQuery(data: { name: string; description: string; criteria: QueryCriteria; createdBy: string }) {
  try {
    return await prisma().$transaction(async (tx) => {
      await refuseLookAlikeName(tx, data.name, null);
      return tx.statusMessageQuery.create({ data: { ...data, criteria: data.criteria as Db.Prisma.InputJsonValue } });
    });
  } catch (error) {
    nameTakenOrRethrow(error);
  }
}

/**
 * Replaces a saved query, with its row locked from read to write so `check` (an edit's version
 * check, which throws to refuse it) sees the query as it is when written.
 */
export async function updateSavedQuery(
  id: number,
  data: { name: string; description: string; criteria: QueryCriteria },
  options: { editorName: string; check?: (current: SavedQueryRow) => void },
) {
  try {
    return await prisma().$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM status_message_query WHERE id = ${id} FOR UPDATE`;
      const current = await tx.statusMessageQuery.findUnique({ where: { id } });
      if (!current) throw new AppError('NOT_FOUND', { userMessage: 'That status message query was not found.' });
      options.check?.(current);
      await refuseLookAlikeName(tx, data.name, id);
      return tx.statusMessageQuery.update({
        where: { id },
        data: { ...data, criteria: data.criteria as Db.Prisma.InputJsonValue, updatedBy: options.editorName },
      });
    });
  } catch (error) {
    nameTakenOrRethrow(error);
  }
}

export async function deleteSavedQuery(id: number): Promise<void> {
  try {
    await prisma().statusMessageQuery.delete({ where: { id } });
  } catch (error) {
    nameTakenOrRethrow(error);
  }
}
