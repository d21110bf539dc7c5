import { reportAudit } from '../audit/report-audit';
import { hashToken, newToken } from '../auth/tokens';
import { AppError } from '../errors';
import { findSiteByCode } from '../sites/repo';
import * as repo from './registration-repo';
import type { RegisterDeviceInput } from '../protocol/registration.schema';

export interface Registration {
  deviceId: number;
  /** Shown once: the device keeps it and presents it as `Authorization: Device <id>.<secret>`. */
  secret: string;
  approval: 'PENDING' | 'APPROVED';
}

/**
 * Registers a client with the site and issues its own credential. A device record that
 * already holds a credential cannot be taken over by registering again under its name.
 */
export async function registerDevice(options: {
  siteCode: string;
  input: RegisterDeviceInput;
  address: string;
  /** The site setting "Approve new clients": automatic approves at once, manual waits for an administrator. */
  approvalMode: 'automatic' | 'manual';
  now?: Date;
}): Promise<Registration> {
  const now = options.now ?? new Date();
  const site = await findSiteByCode(options.siteCode);
  if (!site) throw new AppError('NOT_FOUND', { userMessage: `Site ${options.siteCode} is not served here.` });
  const secret = newToken();
  const approval = options.approvalMode === 'automatic' ? 'APPROVED' : 'PENDING';
  let device;
  try {
    device = await repo.withDeviceNameLocked(site.id, options.input.name, async (tx) => {
      const existing = await repo.findDeviceByName(site.id, options.input.name, tx);
      if (existing?.credentialHash || existing?.approval === 'REVOKED') {
        throw new AppError('CONFLICT', {
          userMessage: `A device named ${options.input.name} is already registered. An administrator must delete it before it can register again.`,
        });
      }
      return repo.claimOrCreateDevice({
        tx,
        siteId: site.id,
        existingId: existing?.id ?? null,
        input: options.input,
        credentialHash: hashToken(secret),
        approval,
        approvedBy: approval === 'APPROVED' ? 'automatic approval' : null,
        now,
      });
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'P2002' || code === 'P2025') {
      throw new AppError('CONFLICT', { userMessage: `A device named ${options.input.name} registered at the same moment.` });
    }
    throw error;
  }
  // Its collections (All Systems, and those whose rules it matches) take it in within seconds,
  // so an operation or deployment started now reaches it.
  await repo.notifyDeviceRegistered(device.id);
  await reportAudit({
    kind: 'performed',
    verb: 'Register',
    userName: `device:${device.name}`,
    address: options.address,
    objectType: 'Device',
    objectName: device.name,
    newValue: { approval, clientVersion: options.input.clientVersion },
  });
  return { deviceId: device.id, secret, approval };
}
