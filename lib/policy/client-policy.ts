import { prisma } from '../db/prisma';
import type { PolicyDeployment } from '../protocol/policy-deployment.schema';
import { policyDeploymentsForDevices } from '../deployments/policy-deployments';
import type { AuthenticatedDevice } from '../devices/authenticate-device';
import { readSettingsSection, type SiteSettings } from '../sitecontrol/site-control.schema';

/** What a client agent is told to do: its agent settings and what is assigned to it. */
export interface ClientPolicy {
  deviceId: number;
  deviceName: string;
  /** The site the device is assigned to, for the status messages it reports. */
  siteCode: string;
  /** Changes whenever the site control document does; agents skip unchanged policy. */
  siteControlSerial: number;
  /** The site's client agent settings (site setting "Client Agents"). */
  clientAgent: SiteSettings['clientAgent'];
  /** Deployments targeted at the device's collections, available and not expired (lib/deployments). */
  deployments: PolicyDeployment[];
}

/** The policy for one authenticated device: site client-agent settings plus its live deployments. */
export async function clientPolicy(device: AuthenticatedDevice, now = new Date()): Promise<ClientPolicy> {
  return (await clientPolicies([device], now)).get(device.id)!;
}

/**
 * Policies for many devices with three queries in all, by device id: what a notification server
 * answers when thousands of clients ask at once (Download Computer Policy on a collection).
 */
export async function clientPolicies(devices: AuthenticatedDevice[], now = new Date()): Promise<Map<number, ClientPolicy>> {
  const siteIds = [...new Set(devices.map((d) => d.siteId))];
  const [controls, sites, deployments] = await Promise.all([
    prisma().siteControl.findMany({ where: { siteId: { in: siteIds } }, select: { siteId: true, serial: true, document: true } }),
    prisma().site.findMany({ where: { id: { in: siteIds } }, select: { id: true, code: true } }),
    policyDeploymentsForDevices({ deviceIds: devices.map((d) => d.id), now }),
  ]);
  const controlBySite = new Map(controls.map((c) => [c.siteId, c]));
  const agentBySite = new Map(siteIds.map((id) => [id, readSettingsSection(controlBySite.get(id)?.document, 'clientAgent')]));
  const codeBySite = new Map(sites.map((s) => [s.id, s.code]));
  return new Map(
    devices.map((device) => {
      const control = controlBySite.get(device.siteId);
      const policy: ClientPolicy = {
        deviceId: device.id,
        deviceName: device.name,
        siteCode: codeBySite.get(device.siteId) ?? '',
        siteControlSerial: control?.serial ?? 0,
        clientAgent: agentBySite.get(device.siteId)!,
        deployments: deployments.get(device.id) ?? [],
      };
      return [device.id, policy];
    }),
  );
}
