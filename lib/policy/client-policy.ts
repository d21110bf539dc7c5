import { prisma } from '../db/prisma';
import type { PolicyDeployment } from '../deployments/deployment.schema';
import { policyDeployments } from '../deployments/policy-deployments';
import type { AuthenticatedDevice } from '../devices/authenticate-device';

/** What a client agent is told to do: its agent settings and what is assigned to it. */
export interface ClientPolicy {
  deviceId: number;
  deviceName: string;
  /** The site the device is assigned to, for the status messages it reports. */
  siteCode: string;
  /** Changes whenever the site control document does; agents skip unchanged policy. */
  siteControlSerial: number;
  clientAgent: {
    policyPollingMinutes: number;
    softwareMetering: boolean;
    clientNotification: boolean;
  };
  /** Deployments targeted at the device's collections, available and not expired (lib/deployments). */
  deployments: PolicyDeployment[];
}

const defaults = { policyPollingMinutes: 60, softwareMetering: true, clientNotification: true };

/** The policy for one authenticated device: site client-agent settings plus its live deployments. */
export async function clientPolicy(device: AuthenticatedDevice, now = new Date()): Promise<ClientPolicy> {
  const [control, site, deployments] = await Promise.all([
    prisma().siteControl.findUnique({ where: { siteId: device.siteId }, select: { serial: true, document: true } }),
    prisma().site.findUnique({ where: { id: device.siteId }, select: { code: true } }),
    policyDeployments({ deviceId: device.id, now }),
  ]);
  const agent = (control?.document as { clientAgent?: Partial<ClientPolicy['clientAgent']> } | null)?.clientAgent ?? {};
  return {
    deviceId: device.id,
    deviceName: device.name,
    siteCode: site?.code ?? '',
    siteControlSerial: control?.serial ?? 0,
    clientAgent: { ...defaults, ...agent },
    deployments,
  };
}
