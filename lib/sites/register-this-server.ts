import type pg from 'pg';
import { config, serverName } from '../config';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { registerSiteSystem } from './register-site-system';
import { thisServerComponents, thisServerRoles } from './server-components';

/**
 * Removes site systems that stand in for this server, in the registration's transaction, keeping
 * the one named `keep`; returns the names removed. server.ts passes the demo seed's own, so a
 * database seeded before the site server took this server's name shows one site server, this one.
 */
export type RetireStandIns = (client: pg.PoolClient, options: { keep: string }) => Promise<string[]>;

/**
 * At start: this server is a site system of its site under SITEBOX_SERVER_NAME, with its roles
 * and the components it runs (adding only what is missing), and the stand-ins `retireStandIns`
 * names are gone.
 */
export async function registerThisServer(options: {
  workers: readonly string[];
  db?: pg.Pool;
  retireStandIns?: RetireStandIns;
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
    const retired = registered && options.retireStandIns ? await options.retireStandIns(client, { keep: name }) : [];
    return { registered, retired };
  });
}
