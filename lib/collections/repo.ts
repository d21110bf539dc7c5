import { prisma } from '../db/prisma';

/** The thin data layer for reading collections (membership upkeep is in membership-repo.ts). */

const listSelect = {
  id: true, collectionId: true, name: true, comment: true, memberCount: true, lastEvaluatedAt: true, builtIn: true,
  refreshMinutes: true, limitingCollection: { select: { name: true } },
} as const;

export function findCollections(search?: string) {
  return prisma().collection.findMany({
    where: search
      ? { OR: [{ name: { contains: search, mode: 'insensitive' } }, { collectionId: { contains: search, mode: 'insensitive' } }] }
      : {},
    orderBy: [{ builtIn: 'desc' }, { name: 'asc' }],
    take: 1000,
    select: listSelect,
  });
}

export function findCollectionWithRules(id: number) {
  return prisma().collection.findUnique({
    where: { id },
    select: {
      ...listSelect,
      rules: {
        orderBy: { id: 'asc' },
        select: {
          id: true, kind: true, query: true,
          device: { select: { name: true } },
          referencedCollection: { select: { name: true } },
        },
      },
    },
  });
}
