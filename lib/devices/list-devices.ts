import type { DeviceActivityJudge, DevicePage, ListDevicesQuery } from './list-devices.schema';
import { findDevicePage } from './repo';

/** One page of devices: filtered, searched, sorted on the server, each with its client activity. */
export async function listDevices(query: ListDevicesQuery, activity: DeviceActivityJudge): Promise<DevicePage> {
  const { rows, total } = await findDevicePage(query, activity.activeSince);
  return {
    rows: rows.map(({ siteId, lastPolicyRequestAt, lastHeartbeatAt, lastHwInventoryAt, ...row }) => ({
      ...row,
      clientActivity: activity.judge({ siteId, lastPolicyRequestAt, lastHeartbeatAt, lastHwInventoryAt }),
    })),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}
