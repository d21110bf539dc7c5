import { prisma } from '../db/prisma';
import { likeLiteral } from '../search/like-literal';

/** The thin data layer for reading collections (membership upkeep is in membership-repo.ts). */

const listSelect = {
  id: true,
  collectionId: true,
  name: true,
  comment: true,
  memberCount: true,
  lastEvaluatedAt: true,
  builtIn: true,
  refreshMinutes: true,
  updatedAt: true,
  limitingCollection: { select: { id: true, name: true } },
} as const;

export function findCollections(search?: string) {
  const term = search ? likeLiteral(search) : '';
  return prisma().collection.findMany({
    where: term ? { OR: [{ name: { contains: term, mode: 'insensitive' } }, { collectionId: { contains: term, mode: 'insensitive' } }] } : {},
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
          id: true,
          kind: true,
          query: true,
          name: true,
          deviceId: true,
          referencedCollectionId: true,
          device: { select: { name: true } },
          referencedCollection: { select: { name: true } },
        },
      },
    },
  });
}
