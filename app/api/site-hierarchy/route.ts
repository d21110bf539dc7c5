import { config } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { route } from '@/lib/http/route';
import { readSiteHierarchy } from '@/lib/status/site-hierarchy';

/** The Site Hierarchy view: this site, its link to its parent (state, failed attempts, outbox backlog), and the child sites that replicate to it. */
export const GET = route({ permission: 'readConsole' }, async () => {
  const cfg = config();
  return readSiteHierarchy({ db: pool(), siteCode: cfg.SITEBOX_SITE_CODE, parentUrl: cfg.SITEBOX_PARENT_SITE_URL });
});
