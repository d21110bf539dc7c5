import type { StatusMessageView } from './status-message-filters.schema';

/** socket.io events of the Status Message Viewer's live tail, on the console namespace. */
export const statusTailEvents = {
  /** Browser → server: start receiving new messages (ack: `{ ok }`). */
  follow: 'statusMessages:follow',
  /** Browser → server: stop. */
  unfollow: 'statusMessages:unfollow',
  /** Server → browser: a StatusTailBatch. */
  stored: 'statusMessages:stored',
} as const;

/** New messages for the viewers following the tail: the newest first, and how many were left out. */
export interface StatusTailBatch {
  messages: StatusMessageView[];
  /** Stored since the last batch but not sent (a flood): the viewer offers to reload instead. */
  more: number;
}
