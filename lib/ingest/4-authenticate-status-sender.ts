import type pg from 'pg';
import { authenticateDevice } from '../devices/authenticate-device';
import { config } from '../config';
import { AppError } from '../errors';
import { findSiteCodeById } from '../sites/repo';
import { authenticateSiteSystem } from '../sites/site-system-credentials';

/**
 * Who sent a status message batch, proven by the request's credential: a client device
 * (`Authorization: Device <id>.<secret>`) or a site system or child site
 * (`Authorization: SiteSystem <id>.<secret>`).
 */
export type StatusSender =
  | { kind: 'device'; deviceId: number; name: string; siteCode: string }
  | {
      kind: 'site-system';
      siteSystemId: number;
      name: string;
      siteCode: string;
      /** This site's code when the system is a child site's (its site is another), else null. */
      childOf: string | null;
    };

// Site codes never change once a site exists; one lookup per site per process.
const siteCodes = new Map<number, string>();

async function siteCodeOf(db: pg.Pool, siteId: number): Promise<string> {
  let code = siteCodes.get(siteId);
  if (code === undefined) {
    code = (await findSiteCodeById(db, siteId)) ?? '';
    siteCodes.set(siteId, code);
  }
  return code;
}

/**
 * Checks the credential of an ingest request. A device must be approved (revoked and pending
 * devices are refused with 403, unknown credentials with 401); a site system must hold a
 * current credential issued by this site (`npm run site-system:credential`).
 */
export async function authenticateStatusSender(options: { authorization: string | null; db: pg.Pool }): Promise<StatusSender> {
  const scheme = options.authorization?.trim().split(/\s+/, 1)[0]?.toLowerCase();
  if (scheme === 'device') {
    const device = await authenticateDevice(options.authorization);
    return { kind: 'device', deviceId: device.id, name: device.name, siteCode: await siteCodeOf(options.db, device.siteId) };
  }
  if (scheme === 'sitesystem') {
    const system = await authenticateSiteSystem(options.authorization);
    const thisSite = config().SITEBOX_SITE_CODE;
    const childOf = system.siteCode === thisSite ? null : thisSite;
    return { kind: 'site-system', siteSystemId: system.id, name: system.name, siteCode: system.siteCode, childOf };
  }
  throw new AppError('UNAUTHENTICATED', {
    userMessage: 'Status messages need a device or site system credential (Authorization: Device <id>.<secret>).',
  });
}

/**
 * The sender as the inbox records it: the same client or site system names the same sender
 * whichever management point its batch (or the retry of it) reaches.
 */
export function inboxSender(sender: StatusSender): string {
  return sender.kind === 'device' ? `device:${sender.deviceId}` : `site-system:${sender.siteSystemId}`;
}

/**
 * Why `sender` may not send `message`, or null when it may. A client reports only in its own
 * name: source Client, its own system name and its own site, so one compromised client cannot
 * forge messages that look like another machine's or a server component's. A child site
 * forwards its own and its children's messages, never this site's: its credential cannot forge
 * this site's audit trail or the status of this site's components.
 */
export function forgedIdentityReason(
  sender: StatusSender,
  message: { source: string; systemName: string; siteCode: string },
): { field: string; reason: string } | null {
  if (sender.kind === 'site-system') {
    if (sender.childOf !== null && message.siteCode.toUpperCase() === sender.childOf.toUpperCase()) {
      return { field: 'siteCode', reason: `a child site may not send messages of this site (${sender.childOf})` };
    }
    return null;
  }
  if (message.source !== 'CLIENT') return { field: 'source', reason: 'a client may only send messages with source CLIENT' };
  if (message.systemName.toLowerCase() !== sender.name.toLowerCase()) {
    return { field: 'systemName', reason: `must be the sending device's own name (${sender.name})` };
  }
  if (sender.siteCode && message.siteCode.toUpperCase() !== sender.siteCode.toUpperCase()) {
    return { field: 'siteCode', reason: `must be the sending device's site (${sender.siteCode})` };
  }
  return null;
}
