import type pg from 'pg';
import { pool } from '../db/pool';
import { type Db, prisma } from '../db/prisma';
import { channels } from '../db/channels';
import type { RegisterDeviceInput } from '../protocol/registration.schema';

/** Data access for device registration, credentials and approval. */

/** Tells the collection evaluator a device registered, so it places it at once. */
export async function notifyDeviceRegistered(deviceId: number): Promise<void> {
  await pool().query(`SELECT pg_notify($1, $2)`, [channels.deviceRegistered, String(deviceId)]);
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
export function withDeviceNameLocked<T>(siteId: number, name: string, work: (tx: Db.Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return prisma().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`device name ${siteId}:${name.toLowerCase()}`}))`;
    return work(tx);
  });
}

/**
 * The site's device of this computer name, case ignored as computer names are (and as a status
 * message's system name is checked against its device's): one that holds a credential or was
 * revoked when there is one, so no second device takes the name in another case; else the one
 * of exactly this name, else another case of it.
 */
export async function findDeviceByName(siteId: number, name: string, tx: Db.Prisma.TransactionClient = prisma()) {
  const devices = await tx.device.findMany({ where: { siteId, name: { equals: name, mode: 'insensitive' } }, orderBy: { id: 'asc' } });
  return devices.find((d) => d.credentialHash || d.approval === 'REVOKED') ?? devices.find((d) => d.name === name) ?? devices[0] ?? null;
}

export function claimOrCreateDevice(options: {
  tx?: Db.Prisma.TransactionClient;
  siteId: number;
  existingId: number | null;
  input: RegisterDeviceInput;
  credentialHash: string;
  approval: 'PENDING' | 'APPROVED';
  approvedBy: string | null;
  now: Date;
}) {
  const { input } = options;
  const tx = options.tx ?? prisma();
  const data = {
    domain: input.domain ?? null,
    osName: input.osName,
    osVersion: input.osVersion,
    osKind: input.osKind,
    ipAddress: input.ipAddress ?? null,
    macAddress: input.macAddress ?? null,
    clientVersion: input.clientVersion,
    credentialHash: options.credentialHash,
    registeredAt: options.now,
    lastSeenAt: options.now,
    // A real agent that takes a demo device's name makes it a real client.
    isDemo: false,
  };
  if (options.existingId !== null) {
    // Only a device record nobody has claimed yet: a concurrent claim finds no row and fails.
    return tx.device.update({
      where: { id: options.existingId, credentialHash: null },
      data: { ...data, approval: options.approval, approvedBy: options.approvedBy },
    });
  }
  return tx.device.create({
    data: { ...data, siteId: options.siteId, name: input.name, approval: options.approval, approvedBy: options.approvedBy },
  });
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
