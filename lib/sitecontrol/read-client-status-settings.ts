import type pg from 'pg';
import type { ClientStatusSettings } from '../client-status/client-status.schema';
import { pool } from '../db/pool';
import { findEverySiteControl, findSiteControlsBySite } from './repo';
import { readSettingsSection } from './site-control.schema';

const fromDocument = (document: unknown): ClientStatusSettings => ({
  inactiveAfterDays: readSettingsSection(document, 'clientStatus').inactiveAfterDays,
});

/**
 * Each site's client status settings (clientStatus), as the faces that start the client status
 * summarizer or answer the Client Status page hand them in. A site without a document reads the defaults.
 */
export async function readClientStatusSettings(siteIds: number[], db: pg.Pool = pool()): Promise<Map<number, ClientStatusSettings>> {
  const controls = await findSiteControlsBySite(db, siteIds);
  return new Map(siteIds.map((id) => [id, fromDocument(controls.get(id)?.document)]));
}

/** The client status settings of every site, in one query (the Devices list judges every row by its site's). */
export async function readEverySiteClientStatusSettings(db: pg.Pool = pool()): Promise<Map<number, ClientStatusSettings>> {
  const documents = await findEverySiteControl(db);
  return new Map([...documents].map(([id, document]) => [id, fromDocument(document)]));
}
