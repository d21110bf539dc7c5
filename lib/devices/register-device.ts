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
 * already holds a credential cannot be taken over by registering again under its name. The
 * registration commits with its audit, or nothing is registered.
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
  // The device, the notice to the collection evaluator and the audit are one transaction: a
  // registration whose answer never reached the client leaves no credential behind to refuse its retry.
  const device = await repo.withDeviceNameLocked(site.id, options.input.name, async (client) => {
    const existing = await repo.findDeviceByName(site.id, options.input.name, client);
    if (existing?.credentialHash || existing?.approval === 'REVOKED') {
      throw new AppError('CONFLICT', {
        userMessage: `A device named ${options.input.name} is already registered. An administrator must delete it before it can register again.`,
      });
    }
    const device = await repo.claimOrCreateDevice(client, {
      siteId: site.id,
      existingId: existing?.id ?? null,
      input: options.input,
      credentialHash: hashToken(secret),
      approval,
      approvedBy: approval === 'APPROVED' ? 'automatic approval' : null,
      now,
    });
    if (!device) throw new AppError('CONFLICT', { userMessage: `A device named ${options.input.name} registered at the same moment.` });
    // Its collections (All Systems, and those whose rules it matches) take it in within seconds,
    // so an operation or deployment started now reaches it.
    await repo.notifyDeviceRegistered(client, device.id);
    await reportAudit(
      {
        kind: 'performed',
        verb: 'Register',
        userName: `device:${device.name}`,
        address: options.address,
        objectType: 'Device',
        objectName: device.name,
        newValue: { approval, clientVersion: options.input.clientVersion },
      },
      client,
    );
    return device;
  });
  return { deviceId: device.id, secret, approval };
}
