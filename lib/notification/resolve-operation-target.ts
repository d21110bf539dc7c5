import { pool } from '../db/pool';
import { AppError, notFoundOrThrow } from '../errors';
import * as repo from './repo';

export type ResolvedTarget = { target: { collectionId: number } | { deviceIds: number[] }; targetName: string; unknownDevices: string[] };

/**
 * What the administrator picked, as the notification manager stores it: a collection, or
 * devices (by id or by name; names no device has are returned, not silently dropped).
 */
export async function resolveOperationTarget(picked: {
  collectionId?: number;
  deviceIds?: number[];
  deviceNames?: string[];
}): Promise<ResolvedTarget> {
  const db = pool();
  if (picked.collectionId !== undefined) {
    const collection = notFoundOrThrow(await repo.findCollection(db, picked.collectionId), 'The collection');
    return { target: { collectionId: collection.id }, targetName: collection.name, unknownDevices: [] };
  }
  const found = picked.deviceIds ? await repo.findDevicesById(db, picked.deviceIds) : await repo.findDevicesByName(db, picked.deviceNames ?? []);
  const known = new Set(found.map((d) => d.name.toLowerCase()));
  const unknownDevices = (picked.deviceNames ?? []).filter((n) => !known.has(n.toLowerCase()));
  if (!found.length) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'None of the devices picked can receive client operations.',
      details: { fields: [{ path: picked.deviceIds ? 'target.deviceIds' : 'target.deviceNames', message: 'names no registered device' }] },
    });
  }
  const targetName = found.length === 1 ? found[0].name : `${found.length} devices`;
  return { target: { deviceIds: found.map((d) => d.id) }, targetName, unknownDevices };
}
