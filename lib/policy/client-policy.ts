import { prisma } from '../db/prisma';
import type { PolicyDeployment } from '../deployments/deployment.schema';
import { policyDeployments } from '../deployments/policy-deployments';
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
  const [control, site, deployments] = await Promise.all([
    prisma().siteControl.findUnique({ where: { siteId: device.siteId }, select: { serial: true, document: true } }),
    prisma().site.findUnique({ where: { id: device.siteId }, select: { code: true } }),
    policyDeployments({ deviceId: device.id, now }),
  ]);
  const agent = readSettingsSection(control?.document, 'clientAgent');
  return {
    deviceId: device.id,
    deviceName: device.name,
    siteCode: site?.code ?? '',
    siteControlSerial: control?.serial ?? 0,
    clientAgent: agent,
    deployments,
  };
}
