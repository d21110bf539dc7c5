// The console channel's contract, shared by server and browser: rooms, their events and payloads.
import type { OperationProgress } from '../notification/client-operation.schema';
import type { DeltaEvent } from '../sitecontrol/site-control-change.schema';
import type { StatusTailBatch } from '../status-viewer/status-tail.schema';

/** The console's socket.io namespace. */
export const CONSOLE_NAMESPACE = '/console';

/** Browser → server: join a room (`{ room }`, acknowledged with `{ ok }`) or leave it. */
export const joinEvent = 'live:join';
export const leaveEvent = 'live:leave';

/** Each live page joins its room and hears only that room's events. */
export const liveRooms = {
  deployments: 'deployments',
  clientOperations: 'client-operations',
  devices: 'devices',
  collections: 'collections',
  siteControl: 'site-control',
  statusSummaries: 'status-summaries',
  statusMessages: 'status-messages',
} as const;
export type LiveRoom = (typeof liveRooms)[keyof typeof liveRooms];

/** Server → browser events, by name. */
export const liveEvents = {
  /** Deployments whose status or definition changed (coalesced; empty: any). */
  deploymentsChanged: 'deployments:changed',
  /** Client operation counts moved, or operations to reload. */
  clientOperationsProgress: 'client-operations:progress',
  /** Clients came online or went offline (at most once a second). */
  devicePresence: 'devices:presence',
  /** An evaluation stored new collection membership. */
  collectionsEvaluated: 'collections:evaluated',
  /** A settings change entered a state. */
  siteControlDelta: 'siteControl:delta',
  /** Sites whose status summaries changed (coalesced; empty: every site). */
  statusSummariesChanged: 'status-summaries:changed',
  /** Newly stored status messages for the viewer's live tail. */
  statusMessagesStored: 'statusMessages:stored',
} as const;

/** The payload of each event. */
export interface LiveEventPayloads {
  'deployments:changed': { deployments: number[] };
  'client-operations:progress': { progress?: OperationProgress[]; changed?: number[] };
  'devices:presence': { changed: number };
  'collections:evaluated': Record<string, never>;
  'siteControl:delta': DeltaEvent;
  'status-summaries:changed': { sites: string[] };
  'statusMessages:stored': StatusTailBatch;
}
export type LiveEvent = keyof LiveEventPayloads;
