import { withoutZone, type DiscoveryRecord } from '../protocol/inventory.schema';

/** The device columns a heartbeat discovery record sets. */
export interface DiscoveryUpdate {
  domain: string | null;
  fqdn: string | null;
  ipAddress: string | null;
  macAddress: string | null;
  osName: string;
  osVersion: string;
  osKind: 'WORKSTATION' | 'SERVER';
  clientVersion: string;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * What a discovery record changes on its device. The name is not among them: a device keeps the
 * name it registered with (collections and status messages know it by that name); a machine
 * renamed since shows its new name in fqdn and domain. The device's address is its first IPv4
 * address (or, with none, its first address, without a zone), its MAC the first one listed.
 */
export function discoveryUpdate(record: DiscoveryRecord): DiscoveryUpdate {
  return {
    domain: record.domain,
    fqdn: record.fqdn,
    ipAddress: record.ipAddresses.find((a) => IPV4.test(a)) ?? (record.ipAddresses.length ? withoutZone(record.ipAddresses[0]) : null),
    macAddress: record.macAddresses[0] ?? null,
    osName: record.osName,
    osVersion: record.osVersion,
    osKind: record.osKind,
    clientVersion: record.agentVersion,
  };
}
