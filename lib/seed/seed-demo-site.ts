import type pg from 'pg';
import { evaluateCollections } from '../collections/evaluate-collections';
import { config, ConfigError, serverName } from '../config';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { ensureSiteControl } from '../sitecontrol/repo';
import { registerSiteSystem } from '../sites/register-site-system-repo';
import { thisServerComponents, thisServerRoles, workerComponents } from '../sites/server-components';
import { insertCollections, insertDemoSiteRow, insertDevices, insertFilterRulesAndThresholds, otherTopLevelSite } from './demo-repo';
import { demoDevices } from './demo-devices';
import { defaultComponentThresholds, defaultFilterRules, demoCollections } from './demo-site';

export interface SeedResult {
  created: boolean;
  devices: number;
}

/**
 * Creates the configured site (SITEBOX_SITE_CODE, _NAME, _TIME_ZONE; S01 by default) with its site server (this server, under SITEBOX_SERVER_NAME, with
 * the components of `workers` — default all — and its own), devices, collections, filter rules and thresholds —
 * once. When the site already exists nothing is touched, so a restart never brings back what
 * an administrator deleted.
 */
export async function seedDemoSite(options: { devices: number; workers?: readonly string[]; db?: pg.Pool }): Promise<SeedResult> {
  const db = options.db ?? pool();
  const cfg = config();
  // The configured site, not the demo's: workers, registration and credentials all use this code.
  const site = { code: cfg.SITEBOX_SITE_CODE, name: cfg.SITEBOX_SITE_NAME, timeZone: cfg.SITEBOX_SITE_TIME_ZONE };
  const created = await inTransaction(db, async (client) => {
    // Two processes seeding at once: the second waits here, then finds the site.
    const siteId = await insertDemoSiteRow(client, site);
    if (siteId === null) return false;
    // Each site has a database of its own: a start under another code than the one this database
    // was set up for (SITEBOX_SITE_CODE forgotten or mistyped) would set up a second site in it.
    const other = await otherTopLevelSite(client, site.code);
    if (other) {
      throw new ConfigError(
        `Invalid configuration:\n  SITEBOX_SITE_CODE: this database serves site ${other.code} ("${other.name}"), not ${site.code}: start with SITEBOX_SITE_CODE=${other.code}, or give site ${site.code} a database of its own (DATABASE_URL, or SITEBOX_DATA_DIR for the embedded one).`,
      );
    }
    await registerSiteSystem(client, {
      siteCode: site.code,
      name: serverName(),
      roles: thisServerRoles(cfg),
      components: thisServerComponents(options.workers ?? Object.keys(workerComponents)),
    });
    await insertDevices(client, siteId, demoDevices({ count: options.devices }));
    await insertCollections(client, demoCollections(site.code));
    await insertFilterRulesAndThresholds(client, defaultFilterRules, defaultComponentThresholds);
    // Serial 0 of the site control document, as setup writes it.
    await ensureSiteControl(client, { siteCode: site.code, purgeSchedule: cfg.SITEBOX_STATUS_PURGE_SCHEDULE });
    return true;
  });
  if (created) await evaluateCollections({ db });
  return { created, devices: created ? options.devices : 0 };
}
