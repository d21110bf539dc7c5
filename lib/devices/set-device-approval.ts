import { reportAudit } from '../audit/report-audit';
import { pool } from '../db/pool';
import { notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import * as repo from './registration-repo';
import { channels } from '../db/channels';
import { notify } from '../db/notify';

/**
 * Approves or revokes a device. Revoking also tells every management point process,
 * through NOTIFY, to drop the device's open notification connection.
 */
export async function setDeviceApproval(options: { actor: Actor; deviceId: number; approval: 'APPROVED' | 'REVOKED' }) {
  const before = notFoundOrThrow(await repo.findDeviceForAuth(options.deviceId), 'The device');
  const device = await repo.setDeviceApproval({
    id: options.deviceId,
    approval: options.approval,
    by: options.actor.principal.userName,
    now: new Date(),
  });
  if (options.approval === 'REVOKED') {
    await notify(pool(), channels.deviceRevoked, String(device.id));
  }
  await reportAudit({
    kind: 'performed',
    verb: options.approval === 'APPROVED' ? 'Approve' : 'Revoke',
    userName: options.actor.principal.userName,
    address: options.actor.address,
    objectType: 'Device',
    objectName: device.name,
    oldValue: { approval: before.approval },
    newValue: { approval: device.approval },
  });
  return { id: device.id, approval: device.approval };
}
