import { AppError } from '../errors';
import { countSoftware, findSoftwarePage } from './repo';
import type { ListSoftwareQuery, SoftwarePage } from './resource-explorer.schema';

/** One page of the device's installed software, searched and sorted by the database; NOT_FOUND for an unknown device. */
export async function listDeviceSoftware(options: { deviceId: number; query: ListSoftwareQuery }): Promise<SoftwarePage> {
  const { deviceId, query } = options;
  const page = await findSoftwarePage(deviceId, query);
  if (!page) throw new AppError('NOT_FOUND', { userMessage: `Device ${deviceId} was not found.` });
  // An empty page past the first carries no count; only then is it counted apart.
  const total = page.total ?? (query.offset === 0 ? 0 : await countSoftware(deviceId, query.search));
  return { rows: page.rows, total, offset: query.offset, limit: query.limit };
}
