import type pg from 'pg';
import { evaluateCollections } from '../collections/evaluate-collections';
import { config, serverName } from '../config';
import { pool } from '../db/pool';
import { ensureSiteControl } from '../sitecontrol/repo';
import { registerSiteSystem } from '../sites/register-site-system';
import { thisServerComponents, thisServerRoles, workerComponents } from '../sites/server-components';
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
  const client = await db.connect();
  let created = false;
  try {
    await client.query('BEGIN');
    // Two processes seeding at once: the second waits here, then finds the site.
    const site = await client.query(
      `INSERT INTO site (code, name, time_zone, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (code) DO NOTHING RETURNING id`,
      [demoSite.code, demoSite.name, demoSite.timeZone],
    );
    if (site.rowCount) {
      created = true;
      const siteId: number = site.rows[0].id;
      await registerSiteSystem(client, {
        siteCode: demoSite.code,
        name: serverName(),
        roles: thisServerRoles(config()),
        components: thisServerComponents(options.workers ?? Object.keys(workerComponents)),
      });
      await insertDevices(client, siteId, options.devices);
      await seedCollections(client);
      await seedRulesAndThresholds(client);
      // Serial 0 of the site control document, as setup writes it.
      await ensureSiteControl(client, { siteCode: demoSite.code, purgeSchedule: config().SITEBOX_STATUS_PURGE_SCHEDULE });
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  if (created) await evaluateCollections({ db });
  return { created, devices: created ? options.devices : 0 };
}

/** Inserts demo devices in chunks with one multi-row statement each. */
export async function insertDevices(client: pg.PoolClient | pg.Pool, siteId: number, count: number) {
  const devices = demoDevices({ count });
  for (let i = 0; i < devices.length; i += 5000) {
    const chunk = devices.slice(i, i + 5000);
    await client.query(
      `INSERT INTO device (site_id, name, domain, os_name, os_version, os_kind, ip_address, mac_address,
                           client_version, approval, last_seen_at, updated_at)
       SELECT $1, t.name, t.domain, t.os_name, t.os_version, t.os_kind, t.ip, t.mac, t.client_version,
              'APPROVED', t.last_seen, now()
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::os_kind[], $7::text[], $8::text[],
                     $9::text[], $10::timestamptz[])
              AS t(name, domain, os_name, os_version, os_kind, ip, mac, client_version, last_seen)
       ON CONFLICT (site_id, name) DO NOTHING`,
      [
        siteId,
        chunk.map((d) => d.name),
        chunk.map((d) => d.domain),
        chunk.map((d) => d.osName),
        chunk.map((d) => d.osVersion),
        chunk.map((d) => d.osKind),
        chunk.map((d) => d.ipAddress),
        chunk.map((d) => d.macAddress),
        chunk.map((d) => d.clientVersion),
        chunk.map((d) => d.lastSeenAt),
      ],
    );
  }
}

async function seedCollections(client: pg.PoolClient) {
  const ids = new Map<string, number>();
  for (const c of demoCollections) {
    const { rows } = await client.query(
      `INSERT INTO collection (collection_id, name, comment, built_in, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (collection_id) DO UPDATE SET updated_at = collection.updated_at RETURNING id`,
      [c.collectionId, c.name, c.comment, c.collectionId.startsWith('SMS')],
    );
    ids.set(c.collectionId, rows[0].id);
    if (c.query) {
      await client.query(
        `INSERT INTO collection_rule (collection_id, kind, name, query) VALUES ($1, 'QUERY', $2, $3)`,
        [rows[0].id, c.name, JSON.stringify(c.query)],
      );
    }
  }
  const allSystems = ids.get('SMS00001')!;
  for (const c of demoCollections.filter((c) => c.limitToAllSystems)) {
    await client.query(`UPDATE collection SET limiting_collection_id = $1 WHERE id = $2`, [allSystems, ids.get(c.collectionId)]);
  }
}

async function seedRulesAndThresholds(client: pg.PoolClient) {
  for (const r of defaultFilterRules) {
    const rule = r as Partial<Record<string, unknown>> & (typeof defaultFilterRules)[number];
    await client.query(
      `INSERT INTO status_filter_rule (name, priority, built_in, source, severity, message_type, message_id,
              write_to_database, retention_days, replicate_to_parent, forward_to_summarizers, stop_processing, updated_at)
       VALUES ($1, $2, true, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
       ON CONFLICT (name) DO NOTHING`,
      [
        rule.name, rule.priority, rule.source ?? null, rule.severity ?? null, rule.messageType ?? null,
        rule.messageId ?? null, rule.writeToDatabase ?? false, rule.retentionDays ?? null,
        rule.replicateToParent ?? 'NONE', rule.forwardToSummarizers ?? true, rule.stopProcessing ?? false,
      ],
    );
  }
  for (const t of defaultComponentThresholds) {
    await client.query(
      `INSERT INTO summarizer_threshold (summarizer, severity, warning_at, critical_at, updated_at)
       VALUES ('COMPONENT', $1, $2, $3, now())
       ON CONFLICT DO NOTHING`,
      [t.severity, t.warningAt, t.criticalAt],
    );
  }
}
