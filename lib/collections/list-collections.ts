import { notFoundOrThrow } from '../errors';
import { describeRule } from './describe-rule';
import type { CollectionDetail, CollectionRow } from './list-collections.schema';
import { findCollections, findCollectionWithRules } from './repo';

type Found = NonNullable<Awaited<ReturnType<typeof findCollectionWithRules>>>;

function toRow(c: Omit<Found, 'rules'>): CollectionRow {
  return {
    id: c.id,
    collectionId: c.collectionId,
    name: c.name,
    comment: c.comment,
    memberCount: c.memberCount,
    limitingCollection: c.limitingCollection?.name ?? null,
    lastEvaluatedAt: c.lastEvaluatedAt?.toISOString() ?? null,
    builtIn: c.builtIn,
  };
}

export async function listCollections(options: { search?: string }): Promise<{ rows: CollectionRow[] }> {
  return { rows: (await findCollections(options.search)).map(toRow) };
}

export async function getCollectionOrThrow(id: number): Promise<CollectionDetail> {
  const c = notFoundOrThrow(await findCollectionWithRules(id), 'The collection');
  return {
    ...toRow(c),
    refreshMinutes: c.refreshMinutes,
    updatedAt: c.updatedAt.toISOString(),
    limitingCollectionId: c.limitingCollection?.id ?? null,
    rules: c.rules.map((r) => ({
      id: r.id,
      kind: r.kind,
      name: r.name,
      deviceId: r.deviceId,
      deviceName: r.device?.name ?? null,
      query: r.query,
      collectionId: r.referencedCollectionId,
      description: describeRule({
        kind: r.kind,
        query: r.query,
        deviceName: r.device?.name ?? null,
        referencedCollectionName: r.referencedCollection?.name ?? null,
      }),
    })),
  };
}
