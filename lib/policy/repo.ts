import { prisma } from '../db/prisma';

/** The code of each of the sites. */
export function findSiteCodes(siteIds: readonly number[]) {
  return prisma().site.findMany({ where: { id: { in: [...siteIds] } }, select: { id: true, code: true } });
}
