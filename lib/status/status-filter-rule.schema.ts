import { z } from 'zod';
import { INT4_MAX, rawText, requiredText, safeDate, safeText } from '../validation/primitives';
import { messageSourceSchema, messageTypeSchema, severitySchema, statusMessageSchema } from '../reporting/status-message.schema';

export const replicationPrioritySchema = z.enum(['NONE', 'LOW', 'MEDIUM', 'HIGH']);
export type ReplicationPriority = z.infer<typeof replicationPrioritySchema>;

const timeoutSeconds = z.number().int('must be a whole number').min(1, 'must be 1 to 600 seconds').max(600, 'must be 1 to 600 seconds').default(30);

/**
 * The "run a program" action: a command run without a shell (file + argv, each argument a
 * template whose placeholders are replaced inside that one argument), or a webhook that
 * receives the message as JSON. Placeholders: see lib/status/run-program.ts.
 */
export const programActionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('command'),
    file: rawText(1024)
      .min(1, 'is required')
      .refine((f) => f.startsWith('/'), 'must be an absolute path'),
    args: z.array(rawText(1024)).max(32).default([]),
    timeoutSeconds,
  }),
  z.object({
    kind: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2048),
    timeoutSeconds,
  }),
]);
export type ProgramAction = z.infer<typeof programActionSchema>;

const optionalText = (max: number) =>
  z
    .preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), safeText(max).nullable())
    .optional()
    .transform((v) => v ?? null);

/** What an administrator sends to create a rule; every criterion left out matches anything. */
export const filterRuleInputSchema = z
  .object({
    name: requiredText(200),
    enabled: z.boolean().default(true),
    source: messageSourceSchema.nullable().default(null),
    siteCode: z
      .string()
      .regex(/^[A-Z0-9]{3}$/, 'must be a 3-character site code')
      .nullable()
      .default(null),
    systemName: optionalText(255),
    component: optionalText(128),
    messageType: messageTypeSchema.nullable().default(null),
    severity: severitySchema.nullable().default(null),
    messageId: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(INT4_MAX, 'is too large').nullable().default(null),
    propertyName: optionalText(64),
    propertyValue: optionalText(4096),
    writeToDatabase: z.boolean().default(false),
    retentionDays: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be 1 to 3650 days')
      .max(3650, 'must be 1 to 3650 days')
      .nullable()
      .default(null),
    reportToEventLog: z.boolean().default(false),
    replicateToParent: replicationPrioritySchema.default('NONE'),
    forwardToSummarizers: z.boolean().default(true),
    runProgram: programActionSchema.nullable().default(null),
    stopProcessing: z.boolean().default(false),
  })
  .superRefine((rule, ctx) => {
    if (rule.propertyValue !== null && rule.propertyName === null) {
      ctx.addIssue({ code: 'custom', path: ['propertyName'], message: 'is required when a property value is given' });
    }
    if (rule.writeToDatabase && rule.retentionDays === null) {
      ctx.addIssue({ code: 'custom', path: ['retentionDays'], message: 'is required when messages are written to the database' });
    }
  });
export type FilterRuleInput = z.infer<typeof filterRuleInputSchema>;

/**
 * A partial change to a rule (PATCH); the merged rule is validated again as a whole. The console's
 * form also names the version it was made from (`baseUpdatedAt`, `updatedAt` as read), so a form
 * opened before someone else's change never overwrites it unseen.
 */
export const filterRulePatchSchema = z
  .object({ baseUpdatedAt: safeDate().optional() })
  .catchall(z.unknown())
  .refine((v) => Object.keys(v).some((k) => k !== 'baseUpdatedAt'), 'nothing to change');
export type FilterRulePatch = z.infer<typeof filterRulePatchSchema>;

export const moveFilterRuleSchema = z.object({ direction: z.enum(['up', 'down']) });

/** A rule as Status Manager evaluates it. */
export interface FilterRule {
  id: number;
  name: string;
  /** Lower numbers are evaluated first. */
  priority: number;
  enabled: boolean;
  builtIn: boolean;
  source: FilterRuleInput['source'];
  siteCode: string | null;
  systemName: string | null;
  component: string | null;
  messageType: FilterRuleInput['messageType'];
  severity: FilterRuleInput['severity'];
  messageId: number | null;
  propertyName: string | null;
  propertyValue: string | null;
  writeToDatabase: boolean;
  retentionDays: number | null;
  reportToEventLog: boolean;
  replicateToParent: ReplicationPriority;
  forwardToSummarizers: boolean;
  runProgram: ProgramAction | null;
  stopProcessing: boolean;
  /** When the stored rule was last changed or moved: the version an edit names as `baseUpdatedAt` (absent on a rule made in code). */
  updatedAt?: Date;
}

/** The rules page's "test a message" box: a message as a source would report it; uid and time optional. */
export const testFilterRulesSchema = z.object({
  message: statusMessageSchema.extend({
    uid: z.uuid().default(() => crypto.randomUUID()),
    sourceTime: safeDate().default(() => new Date()),
  }),
});
