import type pg from 'pg';
import type { DiscoveryUpdate } from './discovery-update';

/** Client activity a management point records on the device: heartbeat discovery. */

/** Applies a discovery record to the device and stamps its heartbeat; false when there is no such device. */
export async function updateDeviceFromDiscovery(db: pg.Pool | pg.ClientBase, deviceId: number, update: DiscoveryUpdate, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE device SET domain = $2, fqdn = $3, ip_address = $4, mac_address = $5, os_name = $6, os_version = $7,
            os_kind = $8::os_kind, client_version = $9, last_heartbeat_at = $10, updated_at = $10
      WHERE id = $1`,
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
    ],
  );
  return rowCount === 1;
}
