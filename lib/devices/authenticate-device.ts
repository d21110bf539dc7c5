import { hashToken, sameSecret } from '../auth/tokens';
import { AppError } from '../errors';
import { isInt4Id } from '../validation/primitives';
import * as repo from './registration-repo';

/** The device a request comes from, once its credential checked out. */
export interface AuthenticatedDevice {
  id: number;
  name: string;
  siteId: number;
}

/** Parses `Authorization: Device <id>.<secret>`. */
export function parseDeviceCredential(header: string | null | undefined): { id: number; secret: string } | null {
  const match = /^Device\s+(\d{1,10})\.([A-Za-z0-9_-]{20,128})$/.exec(header?.trim() ?? '');
  // An id no device column can hold is no device's: refused as unknown, before any lookup.
  if (!match || !isInt4Id(Number(match[1]))) return null;
  return { id: Number(match[1]), secret: match[2] };
}

/**
 * Checks a device's credential. Unknown, unapproved and revoked devices are refused;
 * the reasons differ so an agent can tell "wait for approval" from "give up".
 */
export async function authenticateDevice(header: string | null | undefined): Promise<AuthenticatedDevice> {
  const credential = parseDeviceCredential(header);
  if (!credential) throw new AppError('UNAUTHENTICATED', { userMessage: 'A device credential is required.' });
  const device = await repo.findDeviceForAuth(credential.id);
  if (!device?.credentialHash || !sameSecret(device.credentialHash, hashToken(credential.secret))) {
    throw new AppError('UNAUTHENTICATED', { userMessage: 'Unknown device or wrong credential.' });
  }
  if (device.approval === 'REVOKED') throw new AppError('FORBIDDEN', { userMessage: 'This device has been revoked.' });
  if (device.approval !== 'APPROVED') {
    throw new AppError('FORBIDDEN', { userMessage: 'This device is waiting for approval by an administrator.' });
  }
  return { id: device.id, name: device.name, siteId: device.siteId };
}
