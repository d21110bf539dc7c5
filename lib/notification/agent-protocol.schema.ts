import { z } from 'zod';

/**
 * The client notification channel's messages (socket.io namespace `/agents`), shared by the
 * notification server and the client agent. Every payload crossing the channel is parsed with
 * these schemas on arrival.
 */

export const clientActions = ['DOWNLOAD_COMPUTER_POLICY', 'QUICK_SCAN', 'FULL_SCAN'] as const;
export const clientActionSchema = z.enum(clientActions);
export type ClientAction = z.infer<typeof clientActionSchema>;

export const clientActionLabels: Record<ClientAction, string> = {
  DOWNLOAD_COMPUTER_POLICY: 'Download Computer Policy',
  QUICK_SCAN: 'Quick Scan',
  FULL_SCAN: 'Full Scan',
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
  /** Agent → server: the push arrived. */
  delivered: 'operation:delivered',
  /** Agent → server, answered through the acknowledgement: this client's policy, now. */
  policyRequest: 'policy:request',
  /** Agent → server, with an acknowledgement once the result is stored: what the action did. */
  result: 'operation:result',
} as const;

export const agentSettingsSchema = z.object({
  keepAliveSeconds: z.number().int().positive(),
  /** The notification server (management point process) the agent reached. */
  serverId: z.string(),
});
export type AgentSettings = z.infer<typeof agentSettingsSchema>;

export const operationPushSchema = z.object({
  operationId: z.number().int().positive(),
  action: clientActionSchema,
  validUntil: z.iso.datetime(),
});
export type OperationPush = z.infer<typeof operationPushSchema>;

export const probeSchema = z.object({ probeId: z.string().max(64), sentAt: z.number() });
export type Probe = z.infer<typeof probeSchema>;

export const operationCancelSchema = z.object({ operationId: z.number().int().positive() });

export const operationDeliveredSchema = z.object({ operationId: z.number().int().positive() });

/** What an agent says its action did; stored as the target's result. */
export const actionResultDetailSchema = z.object({
  message: z.string().max(500),
  durationMs: z.number().int().min(0).max(24 * 3600 * 1000),
  /** Download Computer Policy: the policy's site control serial and deployments received. */
  policySerial: z.number().int().min(0).optional(),
  deployments: z.number().int().min(0).optional(),
  /** Scans: items scanned and threats found. */
  itemsScanned: z.number().int().min(0).optional(),
  threatsFound: z.number().int().min(0).optional(),
});
export type ActionResultDetail = z.infer<typeof actionResultDetailSchema>;

export const operationResultSchema = z.object({
  operationId: z.number().int().positive(),
  /** CANCELLED: the agent stopped the action because the operation was cancelled (not a failure). */
  outcome: z.enum(['SUCCEEDED', 'FAILED', 'CANCELLED']),
  detail: actionResultDetailSchema,
  completedAt: z.iso.datetime(),
});
export type OperationResult = z.infer<typeof operationResultSchema>;
