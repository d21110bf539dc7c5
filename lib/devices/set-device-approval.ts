import { reportAudit } from '../audit/report-audit';
import { channels } from '../db/channels';
import { notify } from '../db/notify';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import * as repo from './registration-repo';

/**
 * Approves or revokes a device, in one transaction with its audit: neither stands without the
 * other. Revoking also tells every management point process, through NOTIFY (sent at the
 * commit), to drop the device's open notification connection.
 */
export async function setDeviceApproval(options: { actor: Actor; deviceId: number; approval: 'APPROVED' | 'REVOKED' }) {
  return inTransaction(pool(), async (client) => {
    const { before, after: device } = notFoundOrThrow(
      await repo.setDeviceApproval(client, {
        id: options.deviceId,
        approval: options.approval,
        by: options.actor.principal.userName,
        now: new Date(),
      }),
      'The device',
    );
    if (options.approval === 'REVOKED') await notify(client, channels.deviceRevoked, String(device.id));
    await reportAudit(
      {
        kind: 'performed',
        verb: options.approval === 'APPROVED' ? 'Approve' : 'Revoke',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'Device',
        objectName: device.name,
        oldValue: { approval: before.approval },
        newValue: { approval: device.approval },
      },
      client,
    );
    return { id: device.id, approval: device.approval };
  });
}
