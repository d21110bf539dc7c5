import type { DevicePage, ListDevicesQuery } from './list-devices.schema';
import { findDevicePage } from './repo';

/** One page of devices: filtered, searched, sorted on the server. */
export async function listDevices(query: ListDevicesQuery): Promise<DevicePage> {
  const { rows, total } = await findDevicePage(query);
  return { rows, total, page: query.page, pageSize: query.pageSize };
}
