import { AppError } from '../errors';
import { collapseChanges } from './collapse-changes';
import { getDeviceHeaderOrThrow } from './get-device-inventory';
import { findChangesBetween, findReportHeads } from './repo';
import type { CompareReportsQuery, ReportComparison } from './resource-explorer.schema';

/**
 * What changed on the device between two of its reports, given in either order: the changes of
 * every report after the older up to and including the newer, collapsed (collapseChanges).
 * NOT_FOUND for an unknown device or a report that is not the device's.
 */
export async function compareInventoryReports(options: { deviceId: number; query: CompareReportsQuery }): Promise<ReportComparison> {
  const { deviceId, query } = options;
  await getDeviceHeaderOrThrow(deviceId);
  const heads = await findReportHeads(deviceId, [query.from, query.to]);
  for (const field of ['from', 'to'] as const) {
    if (!heads.has(query[field])) {
      throw new AppError('NOT_FOUND', {
        userMessage: `${field}: inventory report ${query[field]} of device ${deviceId} was not found.`,
        details: { fields: [{ path: field, message: 'is not a report of this device' }] },
      });
    }
  }
  const [olderId, newerId] = BigInt(query.from) <= BigInt(query.to) ? [query.from, query.to] : [query.to, query.from];
  const between = await findChangesBetween(deviceId, olderId, newerId);
  const changes = collapseChanges(between.map((r) => r.changes ?? unreadable));
  return {
    from: heads.get(olderId)!,
    to: heads.get(newerId)!,
    reportsBetween: between.length,
    // A report whose changes cannot be read leaves a gap, as a baseline does.
    changes: { ...changes, partial: changes.partial || between.some((r) => r.changes === null) },
  };
}

const unreadable = { baseline: false, hardware: [], software: { added: [], removed: [], upgraded: [] } };
