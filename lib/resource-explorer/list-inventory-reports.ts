import { getDeviceHeaderOrThrow } from './get-device-inventory';
import { findReports } from './repo';
import type { ListReportsQuery, ReportHistoryPage } from './resource-explorer.schema';

/** The device's inventory reports newest first, each with what it changed; NOT_FOUND for an unknown device. */
export async function listInventoryReports(options: { deviceId: number; query: ListReportsQuery }): Promise<ReportHistoryPage> {
  const { deviceId, query } = options;
  await getDeviceHeaderOrThrow(deviceId);
  // One more than asked says whether older reports remain.
  const reports = await findReports(deviceId, { before: query.before, limit: query.limit + 1 });
  const page = reports.slice(0, query.limit);
  return { reports: page, nextBefore: reports.length > query.limit ? page[page.length - 1].id : null };
}
