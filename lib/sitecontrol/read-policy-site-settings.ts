import type pg from 'pg';
import { pool } from '../db/pool';
import type { PolicySiteSettings } from '../policy/client-policy';
import { findSiteControlsBySite } from './repo';
import { readSettingsSection } from './site-control.schema';

/**
 * What client policy carries from each site's settings: the serial (agents skip unchanged policy)
 * and the client agent settings. A site without a document reads as serial 0 with the defaults.
 */
export async function readPolicySiteSettings(siteIds: number[], db: pg.Pool = pool()): Promise<Map<number, PolicySiteSettings>> {
  const controls = await findSiteControlsBySite(db, siteIds);
  return new Map(
    siteIds.map((id) => {
      const control = controls.get(id);
      return [id, { serial: control?.serial ?? 0, clientAgent: readSettingsSection(control?.document, 'clientAgent') }];
    }),
  );
}
