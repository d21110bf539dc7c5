import type pg from 'pg';
import { config, serverName } from '../config';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { retireDemoPlaceholders } from '../seed/retire-demo-placeholders';
import { registerSiteSystem } from './register-site-system';
import { thisServerComponents, thisServerRoles } from './server-components';

/**
 * At start: this server is a site system of its site under SITEBOX_SERVER_NAME, with its roles
 * and the components it runs (adding only what is missing), and the placeholder systems an
 * earlier seed made up are gone when nothing ever reported as them. So a database seeded before
 * the site server took this server's name shows one site server, this one.
 */
export async function registerThisServer(options: { workers: readonly string[]; db?: pg.Pool }): Promise<{ registered: boolean; retired: string[] }> {
  const cfg = config();
  const name = serverName();
  return inTransaction(options.db ?? pool(), async (client) => {
    const registered = await registerSiteSystem(client, {
      siteCode: cfg.SITEBOX_SITE_CODE,
      name,
      roles: thisServerRoles(cfg),
      components: thisServerComponents(options.workers),
    });
    const retired = registered ? await retireDemoPlaceholders(client, { keep: name }) : [];
    return { registered, retired };
  });
}
