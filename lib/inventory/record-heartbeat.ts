import type pg from 'pg';
import { systemClock, type Clock } from '../clock';
import { pool } from '../db/pool';
import { AppError } from '../errors';
import type { DiscoveryRecord } from '../protocol/inventory.schema';
import { updateDeviceFromDiscovery } from './activity-repo';
import { discoveryUpdate } from './discovery-update';

/**
 * POST /api/mp/heartbeat for an authenticated device: its heartbeat discovery record updates the
 * device (addresses, OS, agent version) and counts as client activity, unless the device already
 * holds a record sent later (a heartbeat delayed or replayed): that one stands, activity included.
 * Another device's id is 403.
 */
export async function recordHeartbeat(options: {
  device: { id: number };
  record: DiscoveryRecord;
  db?: pg.Pool;
  clock?: Clock;
}): Promise<{ status: 'recorded' }> {
  if (options.record.deviceId !== options.device.id) {
    throw new AppError('FORBIDDEN', {
      userMessage: `deviceId: must be the sending device's own id (${options.device.id})`,
      details: { fields: [{ path: 'deviceId', message: `must be the sending device's own id (${options.device.id})` }] },
    });
  }
  const at = (options.clock ?? systemClock).now();
  const applied = await updateDeviceFromDiscovery(
    options.db ?? pool(),
    options.device.id,
    discoveryUpdate(options.record),
    options.record.sentAt,
    at,
  );
  // A superseded record is answered as recorded too: sent again, it would be superseded again.
  if (applied === 'unknown') throw new AppError('UNAUTHENTICATED', { userMessage: 'Unknown device.' });
  return { status: 'recorded' };
}
