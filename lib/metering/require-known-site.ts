import { AppError } from '../errors';
import { knownSiteCodes } from './repo';

/** Refuses a rule for a site this server does not know, naming the field. */
export async function requireKnownSite(siteCode: string): Promise<void> {
  if ((await knownSiteCodes()).has(siteCode)) return;
  throw new AppError('BAD_REQUEST', {
    userMessage: `There is no site ${siteCode}.`,
    details: { fields: [{ path: 'siteCode', message: 'is not a site of this hierarchy' }] },
  });
}
