import { z } from 'zod';
import { int4Id } from '../validation/primitives';
import { meteringPolicySchema } from './metering-policy.schema';

/** An agent cycle as policy carries it (site settings' clientAgent.inventory and the like). */
export const agentCycleSchema = z
  .object({
    enabled: z.boolean().default(true),
    every: z.number().int().min(1).max(999).default(7),
    unit: z.enum(['hours', 'days', 'weeks']).default('days'),
  })
  // A cycle this agent cannot read falls back to the default rather than losing the whole policy.
  .catch({ enabled: true, every: 7, unit: 'days' })
  .prefault({});
export type AgentCycle = z.infer<typeof agentCycleSchema>;

/** The milliseconds between two runs of a cycle. */
export function cycleMs(cycle: AgentCycle): number {
  const hours = { hours: 1, days: 24, weeks: 7 * 24 }[cycle.unit];
  return cycle.every * hours * 3_600_000;
}

const scanPaths = z.array(z.string().min(1).max(4096).startsWith('/')).max(256);

/** The part of GET /api/mp/policy the agent acts on, parsed on arrival (the rest passes through). */
export const clientPolicySchema = z
  .object({
    deviceId: int4Id(),
    deviceName: z.string(),
    /** The device's site, for the status messages it reports; absent from older sites. */
    siteCode: z
      .string()
      .regex(/^[A-Z0-9]{3}$/)
      .optional()
      .catch(undefined),
    siteControlSerial: z.number().int().min(0),
    clientAgent: z
      .object({
        policyPollingMinutes: z.number().int().min(1),
        clientNotification: z.boolean(),
        // Cycles and scan paths arrived later: an older server's policy has none, and gets the defaults.
        inventory: agentCycleSchema,
        softwareInventory: agentCycleSchema,
        heartbeatDiscovery: agentCycleSchema,
        /** Where Quick Scan and Full Scan look (site settings); absent: the agent's own configuration. */
        scan: z.object({ quickPaths: scanPaths, fullPaths: scanPaths, exclusions: scanPaths }).optional().catch(undefined),
      })
      .passthrough(),
    deployments: z.array(z.object({ deploymentId: z.string() }).passthrough()),
    /** Absent from older sites: no resync asked. */
    inventory: z.object({ resync: z.boolean() }).passthrough().optional(),
    /** The Software Metering Agent's settings and the site's enabled rules; absent from older sites. */
    metering: meteringPolicySchema.optional().catch(undefined),
  })
  .passthrough();
export type AgentPolicy = z.infer<typeof clientPolicySchema>;

/** What the agent keeps on disk after registering. */
export const agentCredentialSchema = z.object({
  deviceId: int4Id(),
  secret: z.string().min(20),
  name: z.string().min(1),
});
export type AgentCredential = z.infer<typeof agentCredentialSchema>;

export const registrationAnswerSchema = z.object({
  deviceId: int4Id(),
  secret: z.string().min(20),
  approval: z.enum(['PENDING', 'APPROVED']),
});
