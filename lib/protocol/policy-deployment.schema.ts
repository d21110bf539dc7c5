import { z } from 'zod';
import { int4 } from '../validation/primitives';

/** A whole number in a range; one out of it (99999999999999999999 too) is told the range before anything else. */
const whole = (min: number, max: number, tooSmall: string) =>
  z.number({ error: 'must be a whole number' }).min(min, tooSmall).max(max, `must be at most ${max}`).int('must be a whole number');

/** When and how a program may run on a client: set on the program, carried to the agent in policy. */
export const runConditionsSchema = z.object({
  /** Whether the program needs a signed-in user, or runs whether or not one is. */
  userLogon: z.enum(['whether-or-not', 'only-when-logged-on', 'only-when-no-user']).default('whether-or-not'),
  runMode: z.enum(['administrative', 'user']).default('administrative'),
  /** The agent stops a run that takes longer and reports it failed. */
  maxRunMinutes: whole(1, 1440, 'must be at least 1').default(120),
  /** Runs after a failure before the client reports Failed (each retry is reported as Retrying). */
  retries: whole(0, 10, 'must be 0 or more').default(0),
  retryIntervalMinutes: whole(1, 1440, 'must be at least 1').default(10),
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
