import { prisma } from '../db/prisma';

/** The thin data layer for sites. */
export function findSiteByCode(code: string) {
  return prisma().site.findUnique({ where: { code } });
}
