import type pg from 'pg';
import type { DiscoveryUpdate } from './discovery-update';

/** Client activity a management point records on the device: heartbeat discovery. */

/**
 * Applies a discovery record sent at `sentAt` to the device and stamps its heartbeat at `at`:
 * 'updated', 'superseded' (the device holds a record sent later, left as it is) or 'unknown' (no
 * such device). A sentAt past the arrival counts as the arrival, so a clock that ran ahead and was
 * put right does not leave every later record superseded.
 */
export async function updateDeviceFromDiscovery(
  db: pg.Pool | pg.ClientBase,
  deviceId: number,
  update: DiscoveryUpdate,
  sentAt: string,
  at: Date,
): Promise<'updated' | 'superseded' | 'unknown'> {
  // The condition is read again on the newest row once a concurrent heartbeat commits, so of two
  // racing records the later sent wins whichever commits first.
  const { rowCount } = await db.query(
    `UPDATE device SET domain = $2, fqdn = $3, ip_address = $4, mac_address = $5, os_name = $6, os_version = $7,
            os_kind = $8::os_kind, client_version = $9, last_heartbeat_at = $10, updated_at = $10,
            last_heartbeat_sent_at = LEAST($11::timestamptz(3), $10::timestamptz(3))
      WHERE id = $1 AND (last_heartbeat_sent_at IS NULL OR last_heartbeat_sent_at <= LEAST($11::timestamptz(3), $10::timestamptz(3)))`,
    [
      deviceId,
      update.domain,
      update.fqdn,
      update.ipAddress,
      update.macAddress,
      update.osName,
      update.osVersion,
      update.osKind,
      update.clientVersion,
      at,
      sentAt,
    ],
  );
  if (rowCount === 1) return 'updated';
  const { rowCount: found } = await db.query(`SELECT 1 FROM device WHERE id = $1`, [deviceId]);
  return found === 1 ? 'superseded' : 'unknown';
}
