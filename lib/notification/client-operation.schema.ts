import { z } from 'zod';
import { int4Id, int4IdParam, requiredText, wholeNumberParam } from '../validation/primitives';
import { clientActionSchema, type ActionResultDetail, type ClientAction } from '../protocol/agent-protocol.schema';
import type { OperationCounts, TargetStateCounts } from './operation-counts';

const deviceName = requiredText(63);

/** What the console picks a client operation's targets from: a collection, or devices by id or name. */
export const operationTargetSchema = z
  .object({
    collectionId: z.coerce.number().pipe(int4Id()).optional(),
    deviceIds: z.array(int4Id()).min(1).max(10_000).optional(),
    deviceNames: z.array(deviceName).min(1, 'name at least one device').max(1000).optional(),
  })
  .refine((t) => [t.collectionId, t.deviceIds, t.deviceNames].filter((v) => v !== undefined).length === 1, {
    message: 'pick a collection or devices',
    path: ['collectionId'],
  });
export type OperationTarget = z.infer<typeof operationTargetSchema>;

/** Body of POST /api/client-operations. */
export const startClientOperationSchema = z
  .object({
    action: clientActionSchema,
    target: operationTargetSchema,
    /** Run Script: which approved script, and the value of each of its parameters. */
    script: z
      .object({
        scriptId: int4Id(),
        arguments: z
          .record(z.string().max(63), z.union([z.string().max(65_536), z.number(), z.boolean()], { error: 'must be text, a number, true or false' }))
          .default({}),
      })
      .optional(),
    /** Live Query: the query's text (checked against the language and the entities at the start). */
    liveQuery: z.object({ query: requiredText(4000) }).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.action === 'RUN_SCRIPT' && !input.script)
      ctx.addIssue({ code: 'custom', path: ['script', 'scriptId'], message: 'is required to run a script' });
    if (input.action !== 'RUN_SCRIPT' && input.script) ctx.addIssue({ code: 'custom', path: ['script'], message: 'is only for Run Script' });
    if (input.action === 'LIVE_QUERY' && !input.liveQuery)
      ctx.addIssue({ code: 'custom', path: ['liveQuery', 'query'], message: 'is required to run a live query' });
    if (input.action !== 'LIVE_QUERY' && input.liveQuery) ctx.addIssue({ code: 'custom', path: ['liveQuery'], message: 'is only for Live Query' });
  });
export type StartClientOperationInput = z.infer<typeof startClientOperationSchema>;

/** Query of GET /api/client-operations/estimate: a collection, or device names comma-separated. */
export const estimateQuerySchema = z
  .object({
    collectionId: int4IdParam().optional(),
    deviceNames: z
      .string()
      .max(64_000)
      .transform((s) =>
        s
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean),
      )
      .pipe(z.array(deviceName).min(1, 'name at least one device').max(1000))
      .optional(),
  })
  .refine((q) => (q.collectionId === undefined) !== (q.deviceNames === undefined), {
    message: 'pick a collection or devices',
    path: ['collectionId'],
  });

/** The console's estimate before it confirms: how many clients, and how many are online now. */
export interface OnlineEstimate {
  targetName: string;
  total: number;
  online: number;
  validityMinutes: number;
  /** Names the administrator typed that no device has. */
  unknownDevices: string[];
}

export const listClientOperationsQuerySchema = z.object({
  page: wholeNumberParam(1, 100_000).default(1),
  pageSize: z.coerce
    .number()
    .int()
    .refine((v) => [25, 50, 100].includes(v), 'must be 25, 50 or 100')
    .default(25),
});
export type ListClientOperationsQuery = z.infer<typeof listClientOperationsQuerySchema>;

export const operationIdParamsSchema = z.object({ id: int4IdParam() });

export const targetStates = ['WAITING', 'DELIVERED', 'SUCCEEDED', 'FAILED', 'EXPIRED', 'CANCELLED'] as const;
export type TargetState = (typeof targetStates)[number];

export const listOperationTargetsQuerySchema = z.object({
  state: z.enum(targetStates).optional(),
  page: wholeNumberParam(1, 1_000_000).default(1),
  pageSize: z.coerce
    .number()
    .int()
    .refine((v) => [25, 50, 100].includes(v), 'must be 25, 50 or 100')
    .default(25),
});
export type ListOperationTargetsQuery = z.infer<typeof listOperationTargetsQuerySchema>;

/** A client operation as the Client Operations page shows it. */
export interface ClientOperationRow {
  id: number;
  action: ClientAction;
  /** Run Script: which script ran; null for other actions. */
  scriptName: string | null;
  /** Live Query: the query's text; null for other actions. */
  liveQuery: string | null;
  collectionId: number | null;
  targetName: string;
  startedBy: string;
  startedAt: string;
  validUntil: string;
  cancelledAt: string | null;
  cancelledBy: string | null;
  /** Targets by stored state; the console derives its columns with deriveOperationCounts. */
  states: TargetStateCounts;
  /** When `states` were counted (microseconds since the epoch): a page keeps the later counting. */
  countsAsOf: number;
  total: number;
  onlineAtStart: number;
  counts: OperationCounts;
}

export interface ClientOperationPage {
  rows: ClientOperationRow[];
  total: number;
  page: number;
  pageSize: number;
}

/** One device's part in an operation. */
export interface OperationTargetRow {
  deviceId: number;
  deviceName: string;
  /** WAITING past the validity reads EXPIRED, as the counts do. */
  state: TargetState;
  online: boolean;
  deliveredAt: string | null;
  completedAt: string | null;
  result: ActionResultDetail | null;
}

export interface OperationTargetPage {
  rows: OperationTargetRow[];
  total: number;
  page: number;
  pageSize: number;
}

/** What the console hears over socket.io as results arrive: new per-state counts of operations. */
export interface OperationProgress {
  id: number;
  states: TargetStateCounts;
  /** When `states` were counted, as ClientOperationRow's countsAsOf. */
  asOf: number;
}

/** Identical script results of an operation, grouped: how each ended and what it wrote, with device counts. */
export interface ScriptOutputGroup {
  outcome: string;
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  devices: number;
  /** Up to 20 of the devices, by name. */
  sampleDevices: string[];
}

/** Query of GET /api/client-operations/:id/live-query/rows: rows after a cursor, in the order they arrived. */
export const liveQueryRowsQuerySchema = z.object({
  after: z
    .string()
    .regex(/^\d{1,18}$/, 'must be a row cursor (digits)')
    .optional(),
  limit: wholeNumberParam(1, 1000).default(500),
});

/**
 * What the client-operations NOTIFY channel carries: `changed`, operations started, cancelled or
 * expired (a console refetches its list); `answered`, operations whose targets' states changed (a
 * console counts them for the pages open on it, if any; see lib/live/client-operations-feed.ts).
 */
export const operationNoticeSchema = z.union([
  z.strictObject({ changed: z.array(z.number().int()).max(500) }),
  z.strictObject({ answered: z.array(z.number().int()).max(500) }),
]);
export type OperationNotice = z.infer<typeof operationNoticeSchema>;
