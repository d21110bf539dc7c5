/**
 * Every PostgreSQL NOTIFY channel of Sitebox, named `sitebox_<domain>_<event>`. A NOTIFY inside a
 * transaction is delivered when it commits, so a listener never reads ahead of the data.
 * The site control delta trigger (migration 20261123081944_site_control_flow) sends on
 * `hierarchyManager`, `siteControlManager` and `siteControlDelta` by name: renaming one of those
 * takes a migration that replaces `site_control_delta_notify()`.
 */
export const channels = {
  /** A client operation was queued for the notification servers (payload: notification_push id). */
  notificationPush: 'sitebox_notification_push',
  /** A channel probe for every notification server (payload: probe id): each broadcasts it to its own agents at once. */
  notificationProbe: 'sitebox_notification_probe',
  /** Client operation counts moved: `{ progress: [{ id, states }] }` or `{ changed: [id] }`. */
  clientOperationProgress: 'sitebox_client_operation_progress',
  /** Clients came online or went offline (payload: how many). */
  devicePresence: 'sitebox_device_presence',
  /** A device was revoked (payload: its id): every notification server drops its connection. */
  deviceRevoked: 'sitebox_device_revoked',
  /** Wakes Hierarchy Manager (payload: delta id, or `heartbeat` for a full pass). Sent by the trigger. */
  hierarchyManager: 'sitebox_hierarchy_manager',
  /** Wakes Site Control Manager (payload: delta id). Sent by the trigger. */
  siteControlManager: 'sitebox_site_control_manager',
  /** A settings change entered a state (payload: DeltaEvent JSON). Sent by the trigger. */
  siteControlDelta: 'sitebox_site_control_delta',
  /** A site control serial is in effect (payload: SiteControlApplied JSON). */
  siteControlApplied: 'sitebox_site_control_applied',
  /** Status messages were appended to the inbox: Status Manager drains it now, not at its next poll. */
  statusInbox: 'sitebox_status_inbox',
  /** Status Manager stored messages (payload: StoredNotice JSON). */
  statusMessagesStored: 'sitebox_status_messages_stored',
  /** Status filter rules changed: Status Manager reloads them. */
  statusFilterRulesChanged: 'sitebox_status_filter_rules_changed',
  /** Status summaries changed (payload: site codes, comma-separated; empty: every site). */
  statusSummariesChanged: 'sitebox_status_summaries_changed',
  /** Deployments' statuses or definitions changed (payload: ids, comma-separated; empty: any). */
  deploymentsChanged: 'sitebox_deployments_changed',
  /** A collection's rules changed: the collection evaluator runs a full pass. */
  collectionsChanged: 'sitebox_collections_changed',
  /** An evaluation pass stored new membership (from whichever process ran it). */
  collectionsEvaluated: 'sitebox_collections_evaluated',
  /** A device registered (payload: its id): the collection evaluator places it at once. */
  deviceRegistered: 'sitebox_device_registered',
  /** A management point stored an inventory report: the inventory loader takes it. */
  inventoryInbox: 'sitebox_inventory_inbox',
  /** The inventory loader loaded reports (payload: how many devices changed). */
  inventoryLoaded: 'sitebox_inventory_loaded',
  /** A management point stored metering usage: the metering summarizer counts it. */
  meteringUsage: 'sitebox_metering_usage',
} as const;

export type Channel = (typeof channels)[keyof typeof channels];
