import { reportAudit } from '../audit/report-audit';
import { channels } from '../db/channels';
import { notify } from '../db/notify';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import { deleteDeviceWithData } from './deletion-repo';

/**
 * Deletes a device and what the site holds about it (deletion-repo.ts says what goes and what
 * stays), so that its computer name can register again: a client that lost its credential, or a
 * machine rebuilt, gets a new device id and credential. Demo devices are deleted the same way.
 * The deletion commits with its audit, or neither is made. After the commit every management
 * point process drops the device's open notification connection (as a revocation does), and its
 * credential no longer authenticates: the row is gone.
 */
export async function deleteDevice(options: { actor: Actor; deviceId: number }): Promise<{ id: number; name: string }> {
  return inTransaction(pool(), async (client) => {
    const device = notFoundOrThrow(await deleteDeviceWithData(client, options.deviceId), 'The device');
    await notify(client, channels.deviceRevoked, String(device.id));
    await reportAudit(
      {
        kind: 'performed',
        verb: 'Delete',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'Device',
        objectName: device.name,
        oldValue: {
          id: device.id,
          approval: device.approval,
          demo: device.isDemo,
          registeredAt: device.registeredAt?.toISOString() ?? null,
          lastSeenAt: device.lastSeenAt?.toISOString() ?? null,
        },
      },
      client,
    );
    return { id: device.id, name: device.name };
  });
}
