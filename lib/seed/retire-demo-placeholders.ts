import type pg from 'pg';
import { demoSite, legacyDemoSystems } from './demo-site';

/**
 * Removes the placeholder site systems an earlier seed created under made-up names
 * (S01-SS01, S01-MP01, S01-MP02) — only those that never reported, hold no credential and have
 * no counts, so nothing anyone saw or issued goes away. A database seeded before the site server
 * took this server's name then shows one site server, this one. Returns the names removed.
 */
export async function retireDemoPlaceholders(db: pg.Pool | pg.PoolClient, options: { keep: string }): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `DELETE FROM site_system ss USING site s
      WHERE s.id = ss.site_id AND s.code = $1 AND ss.name = ANY($2::text[]) AND ss.name <> $3
        AND ss.last_reported_at IS NULL AND ss.credential_hash IS NULL
        AND NOT EXISTS (SELECT 1 FROM component c JOIN component_summary cs ON cs.component_id = c.id WHERE c.site_system_id = ss.id)
      RETURNING ss.name`,
    [demoSite.code, legacyDemoSystems, options.keep],
  );
  return rows.map((r) => r.name).sort();
}
