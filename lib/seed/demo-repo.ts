import type pg from 'pg';
import type { DemoDevice } from './demo-devices';
import type { DemoCollection, defaultComponentThresholds, defaultFilterRules } from './demo-site';

/** Inserts the demo site; its id, or null when it exists already (waiting for a concurrent seed to finish). */
export async function insertDemoSiteRow(client: pg.ClientBase, site: { code: string; name: string; timeZone: string }): Promise<number | null> {
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO site (code, name, time_zone, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (code) DO NOTHING RETURNING id`,
    [site.code, site.name, site.timeZone],
  );
  return rows[0]?.id ?? null;
}

/** The top-level site (no parent) this database already holds under another code than `code`, if any. */
export async function otherTopLevelSite(client: pg.ClientBase, code: string): Promise<{ code: string; name: string } | null> {
  const { rows } = await client.query<{ code: string; name: string }>(
    `SELECT code, name FROM site WHERE parent_site_id IS NULL AND code <> $1 ORDER BY id LIMIT 1`,
    [code],
  );
  return rows[0] ?? null;
}

/** Inserts demo devices (marked is_demo, so the console can tell them from real clients) in chunks with one multi-row statement each. */
export async function insertDevices(client: pg.ClientBase | pg.Pool, siteId: number, devices: readonly DemoDevice[]) {
  for (let i = 0; i < devices.length; i += 5000) {
    const chunk = devices.slice(i, i + 5000);
    await client.query(
      `INSERT INTO device (site_id, name, domain, os_name, os_version, os_kind, ip_address, mac_address,
                           client_version, approval, last_seen_at, is_demo, updated_at)
       SELECT $1, t.name, t.domain, t.os_name, t.os_version, t.os_kind, t.ip, t.mac, t.client_version,
              'APPROVED', t.last_seen, true, now()
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

/** Inserts the collections with their query rules; those marked so are limited to All Systems (SMS00001). */
export async function insertCollections(client: pg.ClientBase, collections: readonly DemoCollection[]) {
  const ids = new Map<string, number>();
  for (const c of collections) {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO collection (collection_id, name, comment, built_in, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (collection_id) DO UPDATE SET updated_at = collection.updated_at RETURNING id`,
      [c.collectionId, c.name, c.comment, c.collectionId.startsWith('SMS')],
    );
    ids.set(c.collectionId, rows[0].id);
    if (c.query) {
      await client.query(`INSERT INTO collection_rule (collection_id, kind, name, query) VALUES ($1, 'QUERY', $2, $3)`, [
        rows[0].id,
        c.name,
        JSON.stringify(c.query),
      ]);
    }
  }
  const allSystems = ids.get('SMS00001')!;
  for (const c of collections.filter((c) => c.limitToAllSystems)) {
    await client.query(`UPDATE collection SET limiting_collection_id = $1 WHERE id = $2`, [allSystems, ids.get(c.collectionId)]);
  }
}

/** Inserts the default status filter rules and Component Status Summarizer thresholds, keeping any already there. */
export async function insertFilterRulesAndThresholds(
  client: pg.ClientBase,
  filterRules: typeof defaultFilterRules,
  thresholds: typeof defaultComponentThresholds,
) {
  for (const r of filterRules) {
    const rule = r as Partial<Record<string, unknown>> & (typeof defaultFilterRules)[number];
    await client.query(
      `INSERT INTO status_filter_rule (name, priority, built_in, source, severity, message_type, message_id,
              write_to_database, retention_days, replicate_to_parent, forward_to_summarizers, stop_processing, updated_at)
       VALUES ($1, $2, true, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
       ON CONFLICT (name) DO NOTHING`,
      [
        rule.name,
        rule.priority,
        rule.source ?? null,
        rule.severity ?? null,
        rule.messageType ?? null,
        rule.messageId ?? null,
        rule.writeToDatabase ?? false,
        rule.retentionDays ?? null,
        rule.replicateToParent ?? 'NONE',
        rule.forwardToSummarizers ?? true,
        rule.stopProcessing ?? false,
      ],
    );
  }
  for (const t of thresholds) {
    await client.query(
      `INSERT INTO summarizer_threshold (summarizer, severity, warning_at, critical_at, updated_at)
       VALUES ('COMPONENT', $1, $2, $3, now())
       ON CONFLICT DO NOTHING`,
      [t.severity, t.warningAt, t.criticalAt],
    );
  }
}

/**
 * Deletes the named site systems of a site that never reported, hold no credential and have no
 * counts, except `keep`; returns the names deleted.
 */
export async function deleteUnusedSiteSystems(
  db: pg.Pool | pg.ClientBase,
  options: { siteCode: string; names: readonly string[]; keep: string },
): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `DELETE FROM site_system ss USING site s
      WHERE s.id = ss.site_id AND s.code = $1 AND ss.name = ANY($2::text[]) AND ss.name <> $3
        AND ss.last_reported_at IS NULL AND ss.credential_hash IS NULL
        AND NOT EXISTS (SELECT 1 FROM component c JOIN component_summary cs ON cs.component_id = c.id WHERE c.site_system_id = ss.id)
      RETURNING ss.name`,
    [options.siteCode, options.names, options.keep],
  );
  return rows.map((r) => r.name);
}
