import { z } from 'zod';
import { int4, int4Id, rawText, safeIsoString } from '../validation/primitives';
import { meteringRulesRevisionSchema } from './metering-policy.schema';

/**
 * The client notification channel's messages (socket.io namespace `/agents`), shared by the
 * notification server and the client agent. Every payload crossing the channel is parsed with
 * these schemas on arrival.
 */

export const clientActions = [
  'DOWNLOAD_COMPUTER_POLICY',
  'QUICK_SCAN',
  'FULL_SCAN',
  'HARDWARE_INVENTORY_CYCLE',
  'SOFTWARE_INVENTORY_CYCLE',
  'DISCOVERY_DATA_COLLECTION_CYCLE',
  'RUN_SCRIPT',
  'LIVE_QUERY',
] as const;
export const clientActionSchema = z.enum(clientActions);
export type ClientAction = z.infer<typeof clientActionSchema>;

export const clientActionLabels: Record<ClientAction, string> = {
  DOWNLOAD_COMPUTER_POLICY: 'Download Computer Policy',
  QUICK_SCAN: 'Quick Scan',
  FULL_SCAN: 'Full Scan',
  HARDWARE_INVENTORY_CYCLE: 'Hardware Inventory Cycle',
  SOFTWARE_INVENTORY_CYCLE: 'Software Inventory Cycle',
  DISCOVERY_DATA_COLLECTION_CYCLE: 'Discovery Data Collection Cycle',
  RUN_SCRIPT: 'Run Script',
  LIVE_QUERY: 'Live Query',
};

/** Event names, server → agent and agent → server. */
export const agentEvents = {
  /** Server → agent, on connect: how often to send keep-alives. */
  settings: 'settings',
  /** Server → agent: perform an action. */
  push: 'operation',
  /** Server → agent: a bare broadcast that measures the channel (no database work). */
  probe: 'probe',
  /** Server → agent: an administrator cancelled the operation; unstarted work is dropped. */
  cancel: 'operation:cancel',
  /** Server → agent: the device was revoked; the connection closes next. */
  revoked: 'revoked',
  /** Agent → server: still here. */
  keepAlive: 'keepalive',
  /** Agent → server: the push arrived (a pushed Download Computer Policy says so with its policy request instead). */
  delivered: 'operation:delivered',
  /** Agent → server, answered through the acknowledgement: this client's policy, now. */
  policyRequest: 'policy:request',
  /** Agent → server, with an acknowledgement once the result is stored: what the action did. */
  result: 'operation:result',
  /** Server → agent: a payload it sent was refused (a PayloadRefusal naming the field). */
  refused: 'payload:refused',
} as const;

/**
 * Agent → server with a policy request (optional): what the agent holds already, so unchanged
 * parts stay out of the answer; and, when a pushed Download Computer Policy made the request, that
 * operation, whose delivery the request acknowledges (one packet where the push would cost two).
 */
export const policyRequestSchema = z
  .object({
    meteringRulesRevision: meteringRulesRevisionSchema.optional(),
    deliveredOperationId: int4Id().optional(),
    /** The agent takes the answer as the UTF-8 bytes of its JSON, a binary attachment (see readPolicyAnswer). */
    answerAsBytes: z.literal(true).optional(),
  })
  .strict();
export type PolicyRequest = z.infer<typeof policyRequestSchema>;

/** Why the server refused an agent's payload: the event, the field and the reason. */
export interface PayloadRefusal {
  event: string;
  field: string;
  message: string;
}

/** The first problem zod found in a payload, as a PayloadRefusal. */
export function payloadRefusal(event: string, error: z.ZodError): PayloadRefusal {
  const issue = error.issues[0];
  return { event, field: issue?.path.map(String).join('.') || 'payload', message: issue?.message ?? 'is not valid' };
}

export const agentSettingsSchema = z.object({
  keepAliveSeconds: z.number().int().positive(),
  /** The notification server (management point process) the agent reached. */
  serverId: z.string(),
});
export type AgentSettings = z.infer<typeof agentSettingsSchema>;

/** The most of each of stdout and stderr a script's result carries; the rest is cut and marked. */
export const SCRIPT_OUTPUT_LIMIT = 64 * 1024;

/**
 * What a Run Script push names: the approved script by the SHA-256 of its text (the agent fetches
 * the text from the management point and checks the hash), its timeout and the checked argument
 * values, handed to the script as arguments and environment, never into its text.
 */
export const scriptRunSchema = z.object({
  name: rawText(100),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  timeoutSeconds: int4(1, 24 * 3600),
  arguments: z.array(z.object({ name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/), value: rawText(65_536) })).max(30),
});
export type ScriptRun = z.infer<typeof scriptRunSchema>;

/** What a Live Query push carries: the query's text, checked by the console; the agent parses it again. */
export const liveQueryRunSchema = z.object({ text: rawText(4000) });
export type LiveQueryRun = z.infer<typeof liveQueryRunSchema>;

export const operationPushSchema = z.object({
  operationId: int4Id(),
  action: clientActionSchema,
  validUntil: safeIsoString(),
  /** Run Script only. */
  script: scriptRunSchema.optional(),
  /** Live Query only. */
  liveQuery: liveQueryRunSchema.optional(),
});
export type OperationPush = z.infer<typeof operationPushSchema>;

export const probeSchema = z.object({ probeId: z.string().max(64), sentAt: z.number() });
export type Probe = z.infer<typeof probeSchema>;

export const operationCancelSchema = z.object({ operationId: int4Id() });

export const operationDeliveredSchema = z.object({ operationId: int4Id() });

/**
 * The most rows one device answers a live query with (its own rows; the site keeps every device's,
 * uncapped), and the most characters of one value. A machine with more says so: truncated.
 */
export const LIVE_QUERY_DEVICE_ROWS = 10_000;
export const LIVE_QUERY_VALUE_LIMIT = 1024;

const liveQueryValue = z.union([rawText(LIVE_QUERY_VALUE_LIMIT), z.number(), z.boolean(), z.null()], {
  error: 'must be text, a number, true, false or null',
});

/**
 * The longest an action's result may say it took: a Full Scan runs up to its time limit, which an
 * agent's configuration sets up to 7 days (a script's timeout is at most 24 h), and a day more
 * for what comes before and after. A result refused for its duration would be lost whole.
 */
export const MAX_ACTION_DURATION_MS = 8 * 24 * 3600 * 1000;

/** What an agent says its action did; stored as the target's result. */
export const actionResultDetailSchema = z.object({
  message: rawText(500),
  durationMs: z.number().int().min(0).max(MAX_ACTION_DURATION_MS),
  /** Download Computer Policy: the policy's site control serial and deployments received. */
  policySerial: int4(0).optional(),
  deployments: int4(0).optional(),
  /** Scans: items scanned and threats found. */
  itemsScanned: int4(0).optional(),
  threatsFound: int4(0).optional(),
  /** Scans: the infected files (the first 50) and the signature each matched. */
  threats: z
    .array(z.object({ path: rawText(1024), signature: rawText(200) }))
    .max(50)
    .optional(),
  /** Run Script: how the script ended and what it wrote (each stream cut at SCRIPT_OUTPUT_LIMIT characters). */
  script: z
    .object({
      exitCode: z.number().int().min(-1).max(255).nullable(),
      signal: rawText(20).nullable(),
      timedOut: z.boolean(),
      stdout: rawText(SCRIPT_OUTPUT_LIMIT),
      stderr: rawText(SCRIPT_OUTPUT_LIMIT),
      stdoutTruncated: z.boolean(),
      stderrTruncated: z.boolean(),
    })
    .optional(),
  /**
   * Live Query: the device's rows (moved by the site into live_query_row, so a stored result keeps
   * only the count), how many it had, and whether it had more than it sent.
   */
  liveQuery: z
    .object({
      rows: z.array(z.record(rawText(63), liveQueryValue)).max(LIVE_QUERY_DEVICE_ROWS),
      rowCount: int4(0),
      truncated: z.boolean(),
    })
    .optional(),
});
export type ActionResultDetail = z.infer<typeof actionResultDetailSchema>;

export const operationResultSchema = z.object({
  operationId: int4Id(),
  /** CANCELLED: the agent stopped the action because the operation was cancelled (not a failure). */
  outcome: z.enum(['SUCCEEDED', 'FAILED', 'CANCELLED']),
  detail: actionResultDetailSchema,
  completedAt: safeIsoString(),
});
export type OperationResult = z.infer<typeof operationResultSchema>;
