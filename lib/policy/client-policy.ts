import type { PolicyDeployment } from '../protocol/policy-deployment.schema';
import { meteringAgentSettingsSchema, type MeteringPolicy } from '../protocol/metering-policy.schema';
import { enabledRulesBySite, meteringRulesRevision } from '../metering/policy-rules-repo';
import { policyDeploymentsForDevices } from '../deployments/policy-deployments';
import type { AuthenticatedDevice } from '../devices/authenticate-device';
import type { AgentPolicy } from '../protocol/policy.schema';
import { findSiteCodes, recordPolicyRequests } from './repo';

/** What a client agent is told to do: its agent settings and what is assigned to it. */
export interface ClientPolicy {
  deviceId: number;
  deviceName: string;
  /** The site the device is assigned to, for the status messages it reports. */
  siteCode: string;
  /** Changes whenever the site control document does; agents skip unchanged policy. */
  siteControlSerial: number;
  /** The site's client agent settings (site setting "Client Agents"). */
  clientAgent: AgentPolicy['clientAgent'];
  /** Deployments targeted at the device's collections, available and not expired (lib/deployments). */
  deployments: PolicyDeployment[];
  /** `resync`: the site refused an inventory delta and asks for a full report (device.inventory_resync). */
  inventory: { resync: boolean };
  /** The Software Metering Agent's settings and the enabled rules of the device's site. */
  metering: MeteringPolicy;
}

/** What policy carries from a site's settings: the site control serial and the client agent settings. */
export interface PolicySiteSettings {
  serial: number;
  clientAgent: AgentPolicy['clientAgent'];
}

/** Reads PolicySiteSettings for each of these sites; the face that serves policy provides it (from site control). */
export type ReadPolicySiteSettings = (siteIds: number[]) => Promise<Map<number, PolicySiteSettings>>;

/** The policy for one authenticated device: site client-agent settings plus its live deployments. */
export async function clientPolicy(
  device: AuthenticatedDevice,
  options: { siteSettings: ReadPolicySiteSettings; now?: Date; knownMeteringRulesRevision?: string },
): Promise<ClientPolicy> {
  return policyForHolder((await clientPolicies([device], options)).get(device.id)!, options.knownMeteringRulesRevision);
}

/**
 * Policies for many devices with four queries in all, by device id: what a notification server
 * answers when thousands of clients ask at once (Download Computer Policy on a collection).
 * Asking for policy is client activity: every device's last policy request is stamped, in one
 * statement that also reads whether its inventory needs a resync.
 */
export async function clientPolicies(
  devices: AuthenticatedDevice[],
  options: { siteSettings: ReadPolicySiteSettings; now?: Date },
): Promise<Map<number, ClientPolicy>> {
  const siteIds = [...new Set(devices.map((d) => d.siteId))];
  const now = options.now ?? new Date();
  const deviceIds = devices.map((d) => d.id);
  const [settingsBySite, sites, deployments, resync] = await Promise.all([
    options.siteSettings(siteIds),
    findSiteCodes(siteIds),
    policyDeploymentsForDevices({ deviceIds, now }),
    recordPolicyRequests(deviceIds, now),
  ]);
  const codeBySite = new Map(sites.map((s) => [s.id, s.code]));
  const rulesBySite = await enabledRulesBySite(sites.map((s) => s.code));
  const revisionBySite = new Map([...rulesBySite].map(([code, rules]) => [code, meteringRulesRevision(rules)]));
  return new Map(
    devices.map((device) => {
      const settings = settingsBySite.get(device.siteId)!;
      const policy: ClientPolicy = {
        deviceId: device.id,
        deviceName: device.name,
        siteCode: codeBySite.get(device.siteId) ?? '',
        siteControlSerial: settings.serial,
        clientAgent: settings.clientAgent,
        deployments: deployments.get(device.id) ?? [],
        inventory: { resync: resync.get(device.id) ?? false },
        metering: {
          enabled: settings.clientAgent.softwareMetering !== false,
          ...meteringAgentSettingsSchema.parse(settings.clientAgent.meteringAgent ?? {}),
          rules: settings.clientAgent.softwareMetering !== false ? (rulesBySite.get(codeBySite.get(device.siteId) ?? '') ?? []) : [],
          rulesRevision: settings.clientAgent.softwareMetering !== false ? revisionBySite.get(codeBySite.get(device.siteId) ?? '') : undefined,
        },
      };
      return [device.id, policy];
    }),
  );
}

/**
 * The policy as answered to an agent that holds the metering rules of `knownRulesRevision`: the
 * same policy without the rules (`rulesUnchanged`) when that revision is still current.
 */
export function policyForHolder(policy: ClientPolicy, knownRulesRevision: string | undefined): ClientPolicy {
  const { metering } = policy;
  if (!knownRulesRevision || metering.rulesRevision !== knownRulesRevision) return policy;
  return { ...policy, metering: { ...metering, rules: [], rulesUnchanged: true } };
}
