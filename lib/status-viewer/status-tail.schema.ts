import type { StatusMessageView } from './status-message-filters.schema';

/** New messages for the viewers following the tail: the newest first, and how many were left out. */
export interface StatusTailBatch {
  messages: StatusMessageView[];
  /** Stored since the last batch but not sent (a flood): the viewer offers to reload instead. */
  more: number;
}
