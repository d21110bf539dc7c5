import { readJsonBody } from '@/lib/http/read-body';
import { route } from '@/lib/http/route';
import { recordChildSiteLinkReport } from '@/lib/status/record-child-site-link';

/**
 * A child site reports its link to this site (`Authorization: SiteSystem …`, the credential
 * its replication uses): its outbox backlog by priority and failed attempts, for the Site
 * Hierarchy view. 200 `{ status: 'recorded' }`; 401 without a valid credential, 403 from a site
 * system of this site, 400 naming the field.
 */
export const POST = route({ auth: 'none', maxBodyBytes: 4096 }, async ({ req }) =>
  recordChildSiteLinkReport({ authorization: req.headers.get('authorization'), readBody: () => readJsonBody(req, 4096) }),
);
