import { config } from '../config';
import { pool } from '../db/pool';
import { AppError } from '../errors';
import { childSiteLinkReportSchema } from '../protocol/child-site-link.schema';
import { authenticateSiteSystem } from '../sites/site-system-credentials';
import { recordChildSiteLink } from './child-site-link-repo';

/**
 * Records what a child site reports of its link to this site. The credential is checked before
 * the body is read; only a site system of another site (a child, issued with `--site CODE`) may
 * report, in its own site's name.
 */
export async function recordChildSiteLinkReport(options: {
  authorization: string | null;
  readBody: () => Promise<unknown>;
}): Promise<{ status: 'recorded' }> {
  const system = await authenticateSiteSystem(options.authorization);
  if (system.siteCode === config().SITEBOX_SITE_CODE) {
    throw new AppError('FORBIDDEN', { userMessage: `Site system ${system.name} belongs to this site; only a child site reports its link.` });
  }
  const report = childSiteLinkReportSchema.parse(await options.readBody());
  await recordChildSiteLink(pool(), system.siteCode, report);
  return { status: 'recorded' };
}
