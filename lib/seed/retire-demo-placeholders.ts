import type pg from 'pg';
import { deleteUnusedSiteSystems } from './demo-repo';
import { demoSite, legacyDemoSystems } from './demo-site';

/**
 * Removes the placeholder site systems an earlier seed created under made-up names
 * (S01-SS01, S01-MP01, S01-MP02) — only those that never reported, hold no credential and have
 * no counts, so nothing anyone saw or issued goes away. A database seeded before the site server
 * took this server's name then shows one site server, this one. Returns the names removed.
 */
export async function retireDemoPlaceholders(db: pg.Pool | pg.PoolClient, options: { keep: string }): Promise<string[]> {
  const removed = await deleteUnusedSiteSystems(db, { siteCode: demoSite.code, names: legacyDemoSystems, keep: options.keep });
  return removed.sort();
}
