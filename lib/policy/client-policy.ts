import { prisma } from '../db/prisma';
import type { AuthenticatedDevice } from '../devices/authenticate-device';

/** What a client agent is told to do: its agent settings and what is assigned to it. */
export interface ClientPolicy {
  deviceId: number;
  deviceName: string;
  /** Changes whenever the site control document does; agents skip unchanged policy. */
  siteControlSerial: number;
  clientAgent: {
    policyPollingMinutes: number;
    softwareMetering: boolean;
    clientNotification: boolean;
  };
  deployments: { deploymentId: string; name: string; commandLine: string; availableAt: string; mandatoryAt: string | null; expiresAt: string | null }[];
}

const defaults = { policyPollingMinutes: 60, softwareMetering: true, clientNotification: true };

/** The policy for one authenticated device: site client-agent settings plus its live deployments. */
export async function clientPolicy(device: AuthenticatedDevice, now = new Date()): Promise<ClientPolicy> {
  const [control, deployments] = await Promise.all([
    prisma().siteControl.findUnique({ where: { siteId: device.siteId }, select: { serial: true, document: true } }),
    prisma().deployment.findMany({
      where: {
        expiredAt: null,
        availableAt: { lte: now },
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
        collection: { members: { some: { deviceId: device.id } } },
      },
      select: { deploymentId: true, name: true, availableAt: true, mandatoryAt: true, expiresAt: true, program: { select: { commandLine: true } } },
    }),
  ]);
  const agent = (control?.document as { clientAgent?: Partial<ClientPolicy['clientAgent']> } | null)?.clientAgent ?? {};
  return {
    deviceId: device.id,
    deviceName: device.name,
    siteControlSerial: control?.serial ?? 0,
    clientAgent: { ...defaults, ...agent },
    deployments: deployments.map((d) => ({
      deploymentId: d.deploymentId,
      name: d.name,
      commandLine: d.program.commandLine,
      availableAt: d.availableAt.toISOString(),
      mandatoryAt: d.mandatoryAt?.toISOString() ?? null,
      expiresAt: d.expiresAt?.toISOString() ?? null,
    })),
  };
}
