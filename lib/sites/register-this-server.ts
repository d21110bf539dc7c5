import type pg from 'pg';
import { config, serverName } from '../config';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { registerSiteSystem } from './register-site-system-repo';
import { thisServerComponents, thisServerRoles } from './server-components';

/**
 * At start: this server is a site system of its site under SITEBOX_SERVER_NAME, with its roles
 * and the components it runs (adding only what is missing). In the same transaction,
 * `retirePlaceholders` (given by the face that seeds the demo site) removes the systems a seed
 * made up before this server had its name, and answers their names.
 */
export async function registerThisServer(options: {
  workers: readonly string[];
  db?: pg.Pool;
  retirePlaceholders?: (client: pg.PoolClient, options: { keep: string }) => Promise<string[]>;
}): Promise<{ registered: boolean; retired: string[] }> {
  const cfg = config();
  const name = serverName();
  return inTransaction(options.db ?? pool(), async (client) => {
    const registered = await registerSiteSystem(client, {
      siteCode: cfg.SITEBOX_SITE_CODE,
      name,
      roles: thisServerRoles(cfg),
      components: thisServerComponents(options.workers),
    });
    const retired = registered && options.retirePlaceholders ? await options.retirePlaceholders(client, { keep: name }) : [];
    return { registered, retired };
  });
}
