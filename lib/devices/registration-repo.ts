import type pg from 'pg';
import { pool } from '../db/pool';
import { channels } from '../db/channels';
import { notify } from '../db/notify';
import { inTransaction } from '../db/transaction';
import type { RegisterDeviceInput } from '../protocol/registration.schema';

/** Data access for device registration, credentials and approval. */

/** Tells the collection evaluator a device registered, so it places it at once (on a transaction's client, at its commit). */
export async function notifyDeviceRegistered(db: pg.Pool | pg.ClientBase, deviceId: number): Promise<void> {
  await notify(db, channels.deviceRegistered, String(deviceId));
}

export interface DeviceAuthRow {
  id: number;
  name: string;
  approval: 'PENDING' | 'APPROVED' | 'REVOKED';
  credentialHash: string | null;
  siteId: number;
}

/**
 * What a device credential is checked against. Every client request asks this (thousands a second
 * in a flood), so it is one named statement on the pg pool: parsed once per connection.
 */
export async function findDeviceForAuth(id: number): Promise<DeviceAuthRow | null> {
  const { rows } = await pool().query<DeviceAuthRow>({
    name: 'device-for-auth',
    text: `SELECT id, name, approval::text AS approval, credential_hash AS "credentialHash", site_id AS "siteId" FROM device WHERE id = $1`,
    values: [id],
  });
  return rows[0] ?? null;
}

/**
 * Runs `work` in a transaction holding the site's lock on this computer name, case ignored: two
 * registrations of one name in different cases ("WS1", "ws1") arriving at once run one after the
 * other, so the second finds the first's device instead of creating another of the same name.
 */
export function withDeviceNameLocked<T>(siteId: number, name: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool(), async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`device name ${siteId}:${name.toLowerCase()}`]);
    return work(client);
  });
}

/** What registration needs to know of a device already holding a name. */
export interface NamedDevice {
  id: number;
  name: string;
  approval: 'PENDING' | 'APPROVED' | 'REVOKED';
  credentialHash: string | null;
}

/**
 * The site's device of this computer name, case ignored as computer names are (and as a status
 * message's system name is checked against its device's): one that holds a credential or was
 * revoked when there is one, so no second device takes the name in another case; else the one
 * of exactly this name, else another case of it.
 */
export async function findDeviceByName(siteId: number, name: string, db: pg.Pool | pg.ClientBase = pool()): Promise<NamedDevice | null> {
  const { rows: devices } = await db.query<NamedDevice>(
    `SELECT id, name, approval::text AS approval, credential_hash AS "credentialHash" FROM device
      WHERE site_id = $1 AND name ILIKE $2 ORDER BY id`,
    [siteId, name.replace(/[\\%_]/g, (c) => `\\${c}`)],
  );
  return devices.find((d) => d.credentialHash || d.approval === 'REVOKED') ?? devices.find((d) => d.name === name) ?? devices[0] ?? null;
}

/**
 * Gives the device record `existingId` (one nobody has claimed yet) or a new one the registering
 * client's details and credential, on `client` inside the caller's transaction. Null when the
 * record was claimed meanwhile or the name taken by a concurrent registration.
 */
export async function claimOrCreateDevice(
  client: pg.ClientBase,
  options: {
    siteId: number;
    existingId: number | null;
    input: RegisterDeviceInput;
    credentialHash: string;
    approval: 'PENDING' | 'APPROVED';
    approvedBy: string | null;
    now: Date;
  },
): Promise<{ id: number; name: string } | null> {
  const { input } = options;
  // A real agent that takes a demo device's name makes it a real client (is_demo false).
  const values = [
    input.domain ?? null,
    input.osName,
    input.osVersion,
    input.osKind,
    input.ipAddress ?? null,
    input.macAddress ?? null,
    input.clientVersion,
    options.credentialHash,
    options.now,
    options.approval,
    options.approvedBy,
  ];
  if (options.existingId !== null) {
    // Only a device record nobody has claimed yet: a concurrent claim finds no row.
    const { rows } = await client.query<{ id: number; name: string }>(
      `UPDATE device SET domain = $2, os_name = $3, os_version = $4, os_kind = $5, ip_address = $6, mac_address = $7, client_version = $8,
              credential_hash = $9, registered_at = $10, last_seen_at = $10, is_demo = false, approval = $11, approved_by = $12, updated_at = now()
        WHERE id = $1 AND credential_hash IS NULL RETURNING id, name`,
      [options.existingId, ...values],
    );
    return rows[0] ?? null;
  }
  const { rows } = await client.query<{ id: number; name: string }>(
    `INSERT INTO device (site_id, name, domain, os_name, os_version, os_kind, ip_address, mac_address, client_version,
                         credential_hash, registered_at, last_seen_at, is_demo, approval, approved_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, false, $12, $13, now())
     ON CONFLICT (site_id, name) DO NOTHING RETURNING id, name`,
    [options.siteId, input.name, ...values],
  );
  return rows[0] ?? null;
}

/**
 * Approves or revokes the device on `client`, inside the caller's transaction (the row locked from
 * the read of its approval to the write). Null when there is no such device.
 */
export async function setDeviceApproval(
  client: pg.ClientBase,
  options: { id: number; approval: 'APPROVED' | 'REVOKED'; by: string; now: Date },
): Promise<{ before: { approval: string }; after: { id: number; name: string; approval: string } } | null> {
  const { rows } = await client.query<{ approval: string }>(`SELECT approval::text AS approval FROM device WHERE id = $1 FOR UPDATE`, [options.id]);
  if (!rows[0]) return null;
  const set =
    options.approval === 'APPROVED'
      ? `approval = 'APPROVED', approved_by = $2, revoked_at = NULL`
      : `approval = 'REVOKED', revoked_at = $2, online = false`;
  const after = await client.query<{ id: number; name: string; approval: string }>(
    `UPDATE device SET ${set}, updated_at = now() WHERE id = $1 RETURNING id, name, approval::text AS approval`,
    [options.id, options.approval === 'APPROVED' ? options.by : options.now],
  );
  return { before: rows[0], after: after.rows[0] };
}
