import type http from 'node:http';
import os from 'node:os';
import si from 'systeminformation';
import { discoveryRecordSchema, type DiscoveryRecord } from '../../protocol/inventory.schema';
import { httpRequest } from '../http';
import type { TlsTrust } from '../tls-pin';

const ZERO_MAC = '00:00:00:00:00:00';

/** This machine's addresses and MAC addresses (loopback left out), each once. */
export function machineAddresses(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): {
  ipAddresses: string[];
  macAddresses: string[];
} {
  const ips = new Set<string>();
  const macs = new Set<string>();
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      ips.add(a.address);
      if (a.mac && a.mac !== ZERO_MAC) macs.add(a.mac.toUpperCase());
    }
  }
  return { ipAddresses: [...ips].slice(0, 64), macAddresses: [...macs].slice(0, 64) };
}

/** The heartbeat discovery record: who this machine is, as the site should know it. */
export async function collectDiscoveryRecord(options: {
  deviceId: number;
  name: string;
  osKind: 'WORKSTATION' | 'SERVER';
  agentVersion: string;
  now?: Date;
}): Promise<DiscoveryRecord> {
  const osInfo = await si.osInfo().catch(() => null);
  const fqdn = (osInfo?.fqdn || os.hostname()).trim().slice(0, 255) || null;
  const dot = fqdn?.indexOf('.') ?? -1;
  const record = {
    deviceId: options.deviceId,
    name: options.name,
    domain: fqdn && dot > 0 ? fqdn.slice(dot + 1) : null,
    fqdn,
    ...machineAddresses(),
    osName: (osInfo?.distro || os.type()).slice(0, 128),
    osVersion: (osInfo?.release || os.release()).slice(0, 64),
    osKind: options.osKind,
    agentVersion: options.agentVersion,
    sentAt: (options.now ?? new Date()).toISOString(),
  };
  // Drops what the site would refuse (an address in an odd form) rather than the whole record.
  const parsed = discoveryRecordSchema.safeParse(record);
  if (parsed.success) return parsed.data;
  return discoveryRecordSchema.parse({
    ...record,
    ipAddresses: record.ipAddresses.filter((a) => discoveryRecordSchema.shape.ipAddresses.element.safeParse(a).success),
    macAddresses: record.macAddresses.filter((a) => discoveryRecordSchema.shape.macAddresses.element.safeParse(a).success),
  });
}

/**
 * POSTs a discovery record to /api/mp/heartbeat, trying the management points in order (the next
 * on a network error or a 5xx). Rejects with the reason when none recorded it.
 */
export async function sendDiscoveryRecord(options: {
  record: DiscoveryRecord;
  managementPointUrls: string[];
  authorization: string;
  httpAgent?: http.Agent;
  tls?: TlsTrust;
  signal?: AbortSignal;
}): Promise<{ managementPointUrl: string }> {
  let reason = 'no management point';
  for (const base of options.managementPointUrls) {
    try {
      const answer = await httpRequest({
        url: new URL('/api/mp/heartbeat', base).toString(),
        method: 'POST',
        headers: { authorization: options.authorization },
        body: JSON.stringify(options.record),
        agent: options.httpAgent,
        tls: options.tls,
        signal: options.signal,
      });
      if (answer.status === 200 || answer.status === 202) return { managementPointUrl: base };
      reason = `${new URL(base).origin} answered ${answer.status}${answer.body ? `: ${answer.body.slice(0, 200)}` : ''}`;
      if (answer.status < 500) throw new HeartbeatRefusedError(reason, answer.status);
    } catch (error) {
      if (error instanceof HeartbeatRefusedError) throw error;
      reason = `${new URL(base).origin} unreachable: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  throw new Error(reason);
}

/** The management point answered, and refused the record (4xx): sending it again now would not help. */
export class HeartbeatRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}
