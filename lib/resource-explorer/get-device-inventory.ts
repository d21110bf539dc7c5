import { notFoundOrThrow } from '../errors';
import { classOrder } from './collapse-changes';
import { findDeviceHeader as findDeviceHeaderRow, findHardwareClasses } from './repo';
import type { DeviceInventory, DeviceInventoryHeader } from './resource-explorer.schema';

/** The device's header; NOT_FOUND when there is no such device. */
export async function getDeviceHeaderOrThrow(deviceId: number): Promise<DeviceInventoryHeader> {
  return notFoundOrThrow(await findDeviceHeaderRow(deviceId), `Device ${deviceId}`);
}

/** The device's header and its hardware classes in the protocol's order; NOT_FOUND when there is no such device. */
export async function getDeviceInventoryOrThrow(deviceId: number): Promise<DeviceInventory> {
  const [device, hardware] = await Promise.all([getDeviceHeaderOrThrow(deviceId), findHardwareClasses(deviceId)]);
  hardware.sort((a, b) => classOrder(a.className) - classOrder(b.className) || (a.className < b.className ? -1 : 1));
  return { device, hardware };
}

/** The device's header, or null when there is no such device (for a page that answers 404 itself). */
export async function findDeviceHeader(deviceId: number): Promise<DeviceInventoryHeader | null> {
  return findDeviceHeaderRow(deviceId);
}
