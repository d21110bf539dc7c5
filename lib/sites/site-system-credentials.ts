import { hashToken, newToken, sameSecret } from '../auth/tokens';
import { AppError } from '../errors';
import { isInt4Id } from '../validation/primitives';
import { createChildSite, findSiteByCode, findSiteSystemCredential, upsertSiteSystemCredential } from './repo';

/** A remote site system (management point host, child site) that proved who it is. */
export interface AuthenticatedSiteSystem {
  id: number;
  name: string;
  siteCode: string;
}

/** Parses `Authorization: SiteSystem <id>.<secret>`. */
export function parseSiteSystemCredential(header: string | null | undefined): { id: number; secret: string } | null {
  const match = /^SiteSystem\s+(\d{1,10})\.([A-Za-z0-9_-]{20,128})$/.exec(header?.trim() ?? '');
  return match && isInt4Id(Number(match[1])) ? { id: Number(match[1]), secret: match[2] } : null;
}

/**
 * Issues a new credential for a site system of `siteCode` (creating its record if needed),
 * replacing any earlier one. The secret is returned once; only its hash is kept.
 */
export async function issueSiteSystemCredential(options: { siteCode: string; name: string; childOf?: string }) {
  let site = await findSiteByCode(options.siteCode);
  // A child site's server: the site is recorded here as a child of this one, so its replicated
  // messages are summarized under it (Site and Component Status, Site Hierarchy).
  if (!site && options.childOf && options.childOf !== options.siteCode) {
    if (!/^[A-Z0-9]{3}$/.test(options.siteCode)) {
      throw new AppError('BAD_REQUEST', { userMessage: `--site ${options.siteCode}: a site code is three capital letters or digits.` });
    }
    const parent = await findSiteByCode(options.childOf);
    if (parent) site = await createChildSite({ code: options.siteCode, name: options.siteCode, parent });
  }
  if (!site) throw new AppError('NOT_FOUND', { userMessage: `Site ${options.siteCode} does not exist here.` });
  const secret = newToken();
  const system = await upsertSiteSystemCredential({ siteId: site.id, name: options.name, credentialHash: hashToken(secret) });
  return { siteSystemId: system.id, credential: `SiteSystem ${system.id}.${secret}` };
}

export async function authenticateSiteSystem(header: string | null | undefined): Promise<AuthenticatedSiteSystem> {
  const credential = parseSiteSystemCredential(header);
  if (!credential) throw new AppError('UNAUTHENTICATED', { userMessage: 'A site system credential is required.' });
  const system = await findSiteSystemCredential(credential.id);
  if (!system?.credentialHash || !sameSecret(system.credentialHash, hashToken(credential.secret))) {
    throw new AppError('UNAUTHENTICATED', { userMessage: 'Unknown site system or wrong credential.' });
  }
  return { id: system.id, name: system.name, siteCode: system.site.code };
}
