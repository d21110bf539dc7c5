import type pg from 'pg';
import { reportAudit } from '../audit/report-audit';
import { config } from '../config';
import { pool } from '../db/pool';
import { AppError } from '../errors';
import type { Actor } from '../users/actor';
import type { CollectionEdit, CollectionInput, CollectionPreview, CollectionPreviewInput } from './collection-input.schema';
import { evaluateCollections } from './evaluate-collections';
import { findCycle } from './find-cycle';
import { loadCollectionDefinitions, notifyCollectionsChanged, type CollectionDefinition } from './membership-repo';
import {
  collectionNames,
  deleteCollectionRow,
  existingReferences,
  findCollectionForWrite,
  inCollectionTransaction,
  insertCollection,
  previewMembers,
  refuseNameInUse,
  updateCollection,
} from './write-repo';

const badField = (path: string, message: string) =>
  new AppError('BAD_REQUEST', { userMessage: `${path}: ${message}`, details: { fields: [{ path, message }] } });

/**
 * Checks that every rule points at something that exists and that no include, exclude or
 * limiting collection leads back to this one (which would leave the membership undefined).
 * Throws a 400 naming the offending field and the cycle.
 */
async function validateReferences(db: pg.PoolClient, id: number | null, input: Pick<CollectionInput, 'rules' | 'limitingCollectionId'>) {
  const deviceIds = input.rules.flatMap((r) => (r.kind === 'DIRECT' ? [r.deviceId] : []));
  const referenced = input.rules.flatMap((r) => (r.kind === 'INCLUDE' || r.kind === 'EXCLUDE' ? [r.collectionId] : []));
  const refs = await existingReferences(db, deviceIds, [...referenced, ...(input.limitingCollectionId ? [input.limitingCollectionId] : [])]);
  if (input.limitingCollectionId && !refs.collections.has(input.limitingCollectionId)) throw badField('limitingCollectionId', 'no such collection');
  input.rules.forEach((r, i) => {
    if (r.kind === 'DIRECT' && !refs.devices.has(r.deviceId)) throw badField(`rules.${i}.deviceId`, 'no such device');
    if ((r.kind === 'INCLUDE' || r.kind === 'EXCLUDE') && !refs.collections.has(r.collectionId))
      throw badField(`rules.${i}.collectionId`, 'no such collection');
  });
  if (id === null) return; // nothing refers to a collection that does not exist yet
  const graph = (await loadCollectionDefinitions(db)).map((d) => ({ id: d.id, dependsOn: dependencies(d) }));
  const names = await collectionNames(db);
  const describe = (path: number[]) => [id, ...path].map((c) => `"${names.get(c) ?? c}"`).join(' → ');
  const edges: [string, number][] = [
    ...input.rules.flatMap((r, i): [string, number][] =>
      r.kind === 'INCLUDE' || r.kind === 'EXCLUDE' ? [[`rules.${i}.collectionId`, r.collectionId]] : [],
    ),
    ...(input.limitingCollectionId ? [['limitingCollectionId', input.limitingCollectionId] as [string, number]] : []),
  ];
  const others = graph.filter((c) => c.id !== id);
  for (const [path, to] of edges) {
    const cycle = findCycle(others, id, to);
    if (cycle) throw badField(path, `would make a cycle: ${describe(cycle)}`);
  }
}

function dependencies(d: CollectionDefinition): number[] {
  return [
    ...d.rules.flatMap((r) => (r.referencedCollectionId === null ? [] : [r.referencedCollectionId])),
    ...(d.limitingCollectionId === null ? [] : [d.limitingCollectionId]),
  ];
}

/** Evaluates what the change made due (it and what depends on it) now; the evaluator catches up if busy. */
async function evaluateAfterChange() {
  await notifyCollectionsChanged(pool());
  await evaluateCollections({ db: pool(), dueOnly: true });
}

export async function createCollection(options: { actor: Actor; input: CollectionInput }) {
  const { actor, input } = options;
  const created = await inCollectionTransaction(async (client) => {
    await validateReferences(client, null, input);
    await refuseNameInUse(client, input.name, null);
    const row = await insertCollection(client, config().SITEBOX_SITE_CODE, input);
    await reportAudit(
      {
        kind: 'created',
        userName: actor.principal.userName,
        address: actor.address,
        objectType: 'Collection',
        objectName: `${row.collectionId} ${input.name}`,
        newValue: input,
      },
      client,
    );
    return row;
  });
  await evaluateAfterChange();
  return created;
}

/**
 * Replaces a collection's definition and rules. An edit made from an older version than the
 * current one (`baseUpdatedAt`, the `updatedAt` its form read) is refused (409), so a save made
 * meanwhile by someone else is not silently overwritten; an edit naming no version replaces.
 */
export async function editCollection(options: { actor: Actor; id: number; input: CollectionEdit }) {
  const { actor, id } = options;
  const { baseUpdatedAt, ...input } = options.input;
  await inCollectionTransaction(async (client) => {
    const before = await findCollectionForWrite(client, id);
    if (!before) throw new AppError('NOT_FOUND', { userMessage: 'The collection was not found.' });
    if (before.built_in) throw new AppError('CONFLICT', { userMessage: 'Built-in collections cannot be changed.' });
    if (baseUpdatedAt && before.updated_at.getTime() !== baseUpdatedAt.getTime())
      throw new AppError('CONFLICT', {
        userMessage: `${before.updated_by || 'Someone'} saved the collection after you opened it; cancel, then edit it again to start from their version.`,
      });
    await validateReferences(client, id, input);
    // Names stored before this check may already look alike: an edit that keeps its name goes through.
    if (input.name !== before.name) await refuseNameInUse(client, input.name, id);
    const old = (await loadCollectionDefinitions(client)).find((d) => d.id === id);
    await updateCollection(client, id, input, actor.principal.userName);
    await reportAudit(
      {
        kind: 'modified',
        userName: actor.principal.userName,
        address: actor.address,
        objectType: 'Collection',
        objectName: `${before.collection_id} ${input.name}`,
        oldValue: { name: before.name, rules: old?.rules },
        newValue: input,
      },
      client,
    );
  });
  await evaluateAfterChange();
  return { id };
}

export async function deleteCollection(options: { actor: Actor; id: number }) {
  const { actor, id } = options;
  await inCollectionTransaction(async (client) => {
    const before = await findCollectionForWrite(client, id);
    if (!before) throw new AppError('NOT_FOUND', { userMessage: 'The collection was not found.' });
    if (before.built_in) throw new AppError('CONFLICT', { userMessage: 'Built-in collections cannot be deleted.' });
    await deleteCollectionRow(client, id);
    await reportAudit(
      {
        kind: 'deleted',
        userName: actor.principal.userName,
        address: actor.address,
        objectType: 'Collection',
        objectName: `${before.collection_id} ${before.name}`,
      },
      client,
    );
  });
  await evaluateAfterChange();
  return { id };
}

/** Evaluates the collection (and everything) now, on request. */
export async function evaluateCollectionNow(options: { actor: Actor; id: number }) {
  const collection = await findCollectionForWrite(pool(), options.id);
  if (!collection) throw new AppError('NOT_FOUND', { userMessage: 'The collection was not found.' });
  const result = await evaluateCollections({ db: pool() });
  if (result.skipped) throw new AppError('CONFLICT', { userMessage: 'The collection evaluator is busy; try again in a moment.' });
  await reportAudit({
    kind: 'performed',
    verb: 'Evaluate',
    userName: options.actor.principal.userName,
    address: options.actor.address,
    objectType: 'Collection',
    objectName: `${collection.collection_id} ${collection.name}`,
  });
  return { evaluated: result.evaluated.length, members: result.evaluated.find((e) => e.id === options.id)?.members ?? null };
}

/** The members the form's rules would give right now (first 50 by name, and the count). */
export async function previewCollection(input: CollectionPreviewInput): Promise<CollectionPreview> {
  const client = await pool().connect();
  try {
    await validateReferences(client, input.id, { rules: input.rules, limitingCollectionId: input.limitingCollectionId });
  } finally {
    client.release();
  }
  return previewMembers(
    {
      id: input.id ?? 0,
      limitingCollectionId: input.limitingCollectionId,
      refreshMinutes: 60,
      lastEvaluatedAt: null,
      rules: input.rules.map((r) => ({
        kind: r.kind,
        deviceId: r.kind === 'DIRECT' ? r.deviceId : null,
        query: r.kind === 'QUERY' ? r.query : null,
        referencedCollectionId: r.kind === 'INCLUDE' || r.kind === 'EXCLUDE' ? r.collectionId : null,
      })),
    },
    50,
  );
}
