import { z } from 'zod';
import { int4Id } from '../validation/primitives';

/** The part of GET /api/mp/policy the agent acts on, parsed on arrival (the rest passes through). */
export const clientPolicySchema = z
  .object({
    deviceId: int4Id(),
    deviceName: z.string(),
    siteControlSerial: z.number().int().min(0),
    clientAgent: z
      .object({
        policyPollingMinutes: z.number().int().min(1),
        clientNotification: z.boolean(),
      })
      .passthrough(),
    deployments: z.array(z.object({ deploymentId: z.string() }).passthrough()),
    /** Absent from older sites: no resync asked. */
    inventory: z.object({ resync: z.boolean() }).passthrough().optional(),
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
