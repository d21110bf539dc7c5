import { prisma } from '../db/prisma';

/** The site control serial and document of each of the sites that has one. */
export function findSiteControlsOfSites(siteIds: readonly number[]) {
  return prisma().siteControl.findMany({ where: { siteId: { in: [...siteIds] } }, select: { siteId: true, serial: true, document: true } });
}

/** The code of each of the sites. */
export function findSiteCodes(siteIds: readonly number[]) {
  return prisma().site.findMany({ where: { id: { in: [...siteIds] } }, select: { id: true, code: true } });
}
