import { z } from 'zod';
import { int4 } from '../validation/primitives';

/** When and how a program may run on a client: set on the program, carried to the agent in policy. */
export const runConditionsSchema = z.object({
  /** Whether the program needs a signed-in user, or runs whether or not one is. */
  userLogon: z.enum(['whether-or-not', 'only-when-logged-on', 'only-when-no-user']).default('whether-or-not'),
  runMode: z.enum(['administrative', 'user']).default('administrative'),
  /** The agent stops a run that takes longer and reports it failed. */
  maxRunMinutes: z.number().int().min(1, 'must be at least 1').max(1440, 'must be at most 1440').default(120),
  /** Runs after a failure before the client reports Failed (each retry is reported as Retrying). */
  retries: z.number().int().min(0, 'must be 0 or more').max(10, 'must be at most 10').default(0),
  retryIntervalMinutes: z.number().int().min(1, 'must be at least 1').max(1440, 'must be at most 1440').default(10),
  /** Exit codes that mean success. */
  successExitCodes: z.array(int4()).min(1, 'needs at least one code').max(20).default([0, 3010]),
});
export type RunConditions = z.infer<typeof runConditionsSchema>;

/** A deployment as a client agent receives it in policy. */
export const policyDeploymentSchema = z.object({
  deploymentId: z.string(),
  name: z.string(),
  packageId: z.string(),
  packageName: z.string(),
  programName: z.string(),
  commandLine: z.string(),
  runConditions: runConditionsSchema,
  availableAt: z.string(),
  mandatoryAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
});
export type PolicyDeployment = z.infer<typeof policyDeploymentSchema>;
