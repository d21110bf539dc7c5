import type pg from 'pg';
import type { SiteSystemRole } from './server-components';

/**
 * Makes sure a site system of a site exists with at least these roles and components, adding
 * what is missing and touching nothing else (a component's state and counts stay as reported).
 * Components start as state and availability unknown until they report. False when the site
 * does not exist.
 */
export async function registerSiteSystem(
  db: pg.Pool | pg.PoolClient,
  options: { siteCode: string; name: string; roles: readonly SiteSystemRole[]; components: readonly string[] },
): Promise<boolean> {
  const { rows } = await db.query<{ id: number }>(
    `WITH site_row AS (SELECT id FROM site WHERE code = $1),
          inserted AS (
            INSERT INTO site_system (site_id, name, updated_at) SELECT id, $2, now() FROM site_row
            ON CONFLICT (site_id, name) DO NOTHING RETURNING id)
     SELECT id FROM inserted
      UNION ALL
     SELECT ss.id FROM site_system ss JOIN site_row s ON ss.site_id = s.id WHERE ss.name = $2`,
    [options.siteCode, options.name],
  );
  if (!rows.length) return false;
  const systemId = rows[0].id;
  await db.query(
    `INSERT INTO site_system_role (site_system_id, role) SELECT $1, unnest($2::site_system_role_kind[])
     ON CONFLICT (site_system_id, role) DO NOTHING`,
    [systemId, options.roles],
  );
  await db.query(
    `INSERT INTO component (site_system_id, name, updated_at) SELECT $1, unnest($2::text[]), now()
     ON CONFLICT (site_system_id, name) DO NOTHING`,
    [systemId, options.components],
  );
  return true;
}
