import type pg from 'pg';
import { AppError } from '../errors';

/** Who sent a status message batch. */
export type StatusReporter = { kind: 'device'; deviceId: number; name: string } | { kind: 'site-system' };

const CACHE_MS = 30_000;
const cache = new Map<string, { deviceId: number | null; at: number }>();

/**
 * PLACEHOLDER for device authentication on the ingest endpoint. It trusts the device the batch
 * names: accepted if a device of that name exists and is not REVOKED. A batch naming no device
 * is taken as coming from a site system or child site, also unauthenticated for now.
 *
 * Replace this with a check of the request's credential (lib/devices/authenticate-device.ts
 * parses `Authorization: Device <id>.<secret>`) and, for site systems and child sites, their
 * own credential; the ingest route calls only this function, so the swap is one place.
 * Lookups are cached briefly: a flood from 500 clients costs 500 queries, not 250,000.
 */
export async function resolveReportingDevice(options: {
  request: Request;
  device: string | undefined;
  db: pg.Pool;
  now?: number;
}): Promise<StatusReporter> {
  if (options.device === undefined) return { kind: 'site-system' };
  const now = options.now ?? Date.now();
  let hit = cache.get(options.device);
  if (!hit || now - hit.at > CACHE_MS) {
    const { rows } = await options.db.query<{ id: number }>(
      `SELECT id FROM device WHERE name = $1 AND approval <> 'REVOKED' ORDER BY id LIMIT 1`,
      [options.device],
    );
    hit = { deviceId: rows[0]?.id ?? null, at: now };
    if (cache.size > 100_000) cache.clear();
    cache.set(options.device, hit);
  }
  if (hit.deviceId === null) {
    throw new AppError('FORBIDDEN', {
      userMessage: 'This device is not known to the site, or has been revoked.',
      details: { fields: [{ path: 'device', message: 'is unknown or revoked' }] },
    });
  }
  return { kind: 'device', deviceId: hit.deviceId, name: options.device };
}

/** Forgets cached device lookups (tests, and after a device is revoked). */
export function clearReportingDeviceCache(): void {
  cache.clear();
}
