import type { StatusMessage } from '../protocol/status-message.schema';

// The wire shape belongs to the protocol, which the agent shares; the reporting core hands it on
// to the server so every component keeps naming one module for the message.
export * from '../protocol/status-message.schema';

/** A validated message as code past the inbox sees it: after JSON, `sourceTime` may be an ISO string. */
export type StatusMessageRecord = Omit<StatusMessage, 'sourceTime'> & { sourceTime: Date | string };
