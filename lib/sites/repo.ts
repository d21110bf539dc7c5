import type pg from 'pg';
import { prisma } from '../db/prisma';

/** The thin data layer for sites. */
export function findSiteByCode(code: string) {
  return prisma().site.findUnique({ where: { code } });
}

/** Records site `code` as a child of `parent` (its time zone to begin with); an existing one is left as it is. */
export function createChildSite(options: { code: string; name: string; parent: { id: number; timeZone: string } }) {
  return prisma().site.upsert({
    where: { code: options.code },
    create: { code: options.code, name: options.name, timeZone: options.parent.timeZone, parentSiteId: options.parent.id },
    update: {},
  });
}

/** The code of site `id`, or null when there is none. */
export async function findSiteCodeById(db: pg.Pool | pg.ClientBase, id: number): Promise<string | null> {
  const { rows } = await db.query<{ code: string }>(`SELECT code FROM site WHERE id = $1`, [id]);
  return rows[0]?.code ?? null;
}

/** The name and time zone of site `code`, or null when there is none. */
export async function findSiteNameAndTimeZone(db: pg.Pool | pg.ClientBase, code: string): Promise<{ name: string; timeZone: string } | null> {
  const { rows } = await db.query<{ name: string; time_zone: string }>(`SELECT name, time_zone FROM site WHERE code = $1`, [code]);
  return rows[0] ? { name: rows[0].name, timeZone: rows[0].time_zone } : null;
}

/** Sets the credential hash of site system `name` of site `siteId`, creating its record if needed. */
export function upsertSiteSystemCredential(options: { siteId: number; name: string; credentialHash: string }) {
  return prisma().siteSystem.upsert({
    where: { siteId_name: { siteId: options.siteId, name: options.name } },
    create: { siteId: options.siteId, name: options.name, credentialHash: options.credentialHash },
    update: { credentialHash: options.credentialHash },
  });
}

/** A site system's name, credential hash and site code, for checking a credential. */
export function findSiteSystemCredential(id: number) {
  return prisma().siteSystem.findUnique({
    where: { id },
    select: { id: true, name: true, credentialHash: true, site: { select: { code: true } } },
  });
}
