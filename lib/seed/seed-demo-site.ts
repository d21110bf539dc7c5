import type pg from 'pg';
import { evaluateCollections } from '../collections/evaluate-collections';
import { config, serverName } from '../config';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { ensureSiteControl } from '../sitecontrol/repo';
import { registerSiteSystem } from '../sites/register-site-system-repo';
import { thisServerComponents, thisServerRoles, workerComponents } from '../sites/server-components';
import { insertCollections, insertDemoSiteRow, insertDevices, insertFilterRulesAndThresholds } from './demo-repo';
import { demoDevices } from './demo-devices';
import { defaultComponentThresholds, defaultFilterRules, demoCollections, demoSite } from './demo-site';

export interface SeedResult {
  created: boolean;
  devices: number;
}

/**
 * Creates the demo site S01 with its site server (this server, under SITEBOX_SERVER_NAME, with
 * the components of `workers` — default all — and its own), devices, collections, filter rules and thresholds —
 * once. When the site already exists nothing is touched, so a restart never brings back what
 * an administrator deleted.
 */
export async function seedDemoSite(options: { devices: number; workers?: readonly string[]; db?: pg.Pool }): Promise<SeedResult> {
  const db = options.db ?? pool();
  const created = await inTransaction(db, async (client) => {
    // Two processes seeding at once: the second waits here, then finds the site.
    const siteId = await insertDemoSiteRow(client, demoSite);
    if (siteId === null) return false;
    await registerSiteSystem(client, {
      siteCode: demoSite.code,
      name: serverName(),
      roles: thisServerRoles(config()),
      components: thisServerComponents(options.workers ?? Object.keys(workerComponents)),
    });
    await insertDevices(client, siteId, demoDevices({ count: options.devices }));
    await insertCollections(client, demoCollections);
    await insertFilterRulesAndThresholds(client, defaultFilterRules, defaultComponentThresholds);
    // Serial 0 of the site control document, as setup writes it.
    await ensureSiteControl(client, { siteCode: demoSite.code, purgeSchedule: config().SITEBOX_STATUS_PURGE_SCHEDULE });
    return true;
  });
  if (created) await evaluateCollections({ db });
  return { created, devices: created ? options.devices : 0 };
}
