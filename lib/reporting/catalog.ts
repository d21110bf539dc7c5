import { clientMessageIds } from '../protocol/client-message-ids';
import { DIRECTION_CONTROLS } from '../validation/site-name';
import { auditMessageIds } from './audit-message-ids';
import type { MessageSource, MessageType, Severity } from './status-message.schema';

/** What Sitebox knows about one message ID: how to describe it and what it usually is. */
export interface CatalogEntry {
  id: number;
  severity: Severity;
  type: MessageType;
  source: MessageSource;
  /** Description with %1..%n replaced by the message's insertion strings. */
  template: string;
}

/**
 * Message IDs Sitebox components and agents report. Ranges follow the console Sitebox is
 * modelled on: 500s component life cycle, 2700s inventory loading, 2800s site control, 4600s Status Manager and
 * summarizers, 6000s client notification, 10000s client agents, 30000s provider audit.
 */
export const statusMessageIds = {
  componentStarted: 500,
  componentStopped: 501,
  componentStartFailed: 502,
  componentHeartbeat: 503,

  inventoryBatchLoaded: 2700,
  inventoryDeltaRefused: 2710,

  siteControlChangeHandedOff: 2800,
  siteControlChangeApplied: 2801,
  siteControlTablesUpdated: 2802,
  siteControlDeltaApplied: 2810,
  siteControlDeltaRejected: 2811,
  siteControlHeartbeat: 2812,
  siteControlSentToParent: 2820,
  siteControlReceivedFromChild: 2821,

  deploymentExpired: 3903,

  summarizerWarningThreshold: 4609,
  summarizerCriticalThreshold: 4610,
  summarizerCountsReset: 4611,
  siteSystemStorageReported: 4700,
  inboxBacklogOverLimit: 4620,
  inboxBacklogCleared: 4621,
  replicationDelayed: 4630,
  replicationCredentialRefused: 4631,
  agedMessagesDeleted: 4640,
  programActionFailed: 4650,
  itemQuarantined: 4660,

  clientOperationStarted: 6000,
  clientOperationCancelled: 6001,
  clientOperationExpired: 6002,
  clientOnline: 6010,
  clientOffline: 6011,
  notificationPortListening: 6020,
  notificationPortUnavailable: 6021,

  ...clientMessageIds,

  auditCreated: auditMessageIds.created,
  auditModified: auditMessageIds.modified,
  auditDeleted: auditMessageIds.deleted,
  auditPerformed: auditMessageIds.performed,
  auditSignedIn: auditMessageIds.signedIn,
  auditSignInFailed: auditMessageIds.signInFailed,
  auditSignedOut: auditMessageIds.signedOut,
} as const;

const ids = statusMessageIds;
const entry = (id: number, severity: Severity, type: MessageType, source: MessageSource, template: string): CatalogEntry => ({
  id,
  severity,
  type,
  source,
  template,
});

const entries: CatalogEntry[] = [
  entry(ids.componentStarted, 'INFORMATIONAL', 'MILESTONE', 'SERVER', 'Component %1 started on %2.'),
  entry(ids.componentStopped, 'INFORMATIONAL', 'MILESTONE', 'SERVER', 'Component %1 stopped on %2.'),
  entry(ids.componentStartFailed, 'ERROR', 'MILESTONE', 'SERVER', 'Component %1 could not start on %2: %3'),
  entry(ids.componentHeartbeat, 'INFORMATIONAL', 'DETAIL', 'SERVER', 'Component %1 on %2 is running (process %3).'),

  entry(
    ids.inventoryBatchLoaded,
    'INFORMATIONAL',
    'DETAIL',
    'SERVER',
    'Inventory Data Loader loaded %1 inventory reports into the site database (%2 full, %3 delta), writing %4 software rows.',
  ),
  entry(
    ids.inventoryDeltaRefused,
    'WARNING',
    'MILESTONE',
    'SERVER',
    'Inventory Data Loader did not apply delta inventory report %1 from device %2: it builds on version %3, while the site database holds version %4. The device will be asked for a full inventory with its next policy.',
  ),
  entry(
    ids.siteControlChangeHandedOff,
    'INFORMATIONAL',
    'MILESTONE',
    'SERVER',
    'Hierarchy Manager found settings change %1 from %2 to site %3 (made from serial %4) and handed it to Site Control Manager.',
  ),
  entry(
    ids.siteControlChangeApplied,
    'INFORMATIONAL',
    'MILESTONE',
    'SERVER',
    'Hierarchy Manager updated the site database with site control serial %1 of site %2 (settings change %3) and told the components that depend on %4.',
  ),
  entry(
    ids.siteControlTablesUpdated,
    'INFORMATIONAL',
    'DETAIL',
    'SERVER',
    'Hierarchy Manager found the site database out of step with site control serial %1 of site %2 and updated it.',
  ),
  entry(
    ids.siteControlDeltaApplied,
    'INFORMATIONAL',
    'MILESTONE',
    'SERVER',
    'Site Control Manager applied the settings change from %1 to site %2; the site control serial is now %3. It merged change %4 (%5) and kept the previous document in history as %6.',
  ),
  entry(ids.siteControlDeltaRejected, 'ERROR', 'MILESTONE', 'SERVER', 'Site Control Manager rejected the settings change from %1 to site %2: %3'),
  entry(
    ids.siteControlHeartbeat,
    'INFORMATIONAL',
    'DETAIL',
    'SERVER',
    'Site Control Manager heartbeat: the site control of site %1 is at serial %2, with %3 documents in history.',
  ),
  entry(
    ids.siteControlSentToParent,
    'INFORMATIONAL',
    'DETAIL',
    'SERVER',
    'Hierarchy Manager sent site control serial %1 of site %2 to the parent site %3.',
  ),
  entry(
    ids.siteControlReceivedFromChild,
    'INFORMATIONAL',
    'DETAIL',
    'SERVER',
    'Hierarchy Manager received site control serial %1 from child site %2.',
  ),

  entry(
    ids.deploymentExpired,
    'INFORMATIONAL',
    'MILESTONE',
    'SERVER',
    'Deployment %1 ("%2") expired and was withdrawn from its clients; the last status each of its %3 clients reported is kept.',
  ),

  entry(
    ids.summarizerWarningThreshold,
    'WARNING',
    'MILESTONE',
    'SERVER',
    'Component Status Summarizer: component %1 on %2 reported %3 %4 messages in the current interval, reaching the warning threshold of %5.',
  ),
  entry(
    ids.summarizerCriticalThreshold,
    'ERROR',
    'MILESTONE',
    'SERVER',
    'Component Status Summarizer: component %1 on %2 reported %3 %4 messages in the current interval, reaching the critical threshold of %5.',
  ),
  entry(ids.summarizerCountsReset, 'INFORMATIONAL', 'AUDIT', 'SERVER', 'The status message counts of component %1 on %2 were reset by %3.'),
  entry(ids.siteSystemStorageReported, 'INFORMATIONAL', 'DETAIL', 'SERVER', 'Site system %1 reports storage object %2: %3 MB free of %4 MB.'),
  entry(
    ids.inboxBacklogOverLimit,
    'WARNING',
    'MILESTONE',
    'SERVER',
    'Status Manager is behind: %1 messages wait in its inbox, over the limit of %2. Management points ask reporters to retry later until the backlog shrinks.',
  ),
  entry(
    ids.inboxBacklogCleared,
    'INFORMATIONAL',
    'MILESTONE',
    'SERVER',
    'Status Manager caught up: %1 messages wait in its inbox, under the limit of %2.',
  ),
  entry(
    ids.replicationDelayed,
    'WARNING',
    'DETAIL',
    'SERVER',
    'Status Manager could not forward %1 status messages to the parent site at %2 (%3); it will retry.',
  ),
  entry(
    ids.replicationCredentialRefused,
    'ERROR',
    'MILESTONE',
    'SERVER',
    "The parent site at %1 refuses this site's credential (%2): status messages wait in the outbox until the credential is issued again on the parent and set here.",
  ),
  entry(
    ids.agedMessagesDeleted,
    'INFORMATIONAL',
    'DETAIL',
    'SERVER',
    'Delete Aged Status Messages removed %1 status messages past their retention period.',
  ),
  entry(ids.programActionFailed, 'WARNING', 'DETAIL', 'SERVER', 'Status filter rule "%1" could not run its program %2: %3'),
  entry(
    ids.itemQuarantined,
    'ERROR',
    'MILESTONE',
    'SERVER',
    "Component %1 could not process item %3 of its queue %2 and set it aside in quarantine: %4. The rest of the queue keeps flowing; retry or discard the item from Status Manager's Quarantine in the console.",
  ),

  entry(ids.clientOperationStarted, 'INFORMATIONAL', 'AUDIT', 'SERVER', 'User %1 started client operation %2 (%3) on collection %4 for %5 clients.'),
  entry(ids.clientOperationCancelled, 'INFORMATIONAL', 'AUDIT', 'SERVER', 'User %1 cancelled client operation %2.'),
  entry(ids.clientOperationExpired, 'INFORMATIONAL', 'DETAIL', 'SERVER', 'Client operation %1 expired; %2 of %3 clients had not answered.'),
  entry(ids.clientOnline, 'INFORMATIONAL', 'DETAIL', 'SERVER', 'Client %1 connected to notification server %2.'),
  entry(ids.clientOffline, 'INFORMATIONAL', 'DETAIL', 'SERVER', 'Client %1 disconnected from notification server %2.'),
  entry(ids.notificationPortListening, 'INFORMATIONAL', 'MILESTONE', 'SERVER', 'The notification server is listening for clients on port %1.'),
  entry(
    ids.notificationPortUnavailable,
    'ERROR',
    'MILESTONE',
    'SERVER',
    'The notification server could not listen for clients on port %1: %2. Clients reach it on the console port meanwhile; it tries the port again every heartbeat.',
  ),

  entry(ids.programReceived, 'INFORMATIONAL', 'MILESTONE', 'CLIENT', 'The program "%3" of package %2 for deployment %1 has been received.'),
  entry(ids.programStarted, 'INFORMATIONAL', 'MILESTONE', 'CLIENT', 'The program "%3" of package %2 for deployment %1 has started.'),
  entry(ids.programFailed, 'ERROR', 'MILESTONE', 'CLIENT', 'The program "%3" of package %2 for deployment %1 failed with exit code %4.'),
  entry(
    ids.programFailedMif,
    'ERROR',
    'MILESTONE',
    'CLIENT',
    'The program "%3" of package %2 for deployment %1 failed, as its status MIF reported: %4',
  ),
  entry(
    ids.programSucceeded,
    'INFORMATIONAL',
    'MILESTONE',
    'CLIENT',
    'The program "%3" of package %2 for deployment %1 completed successfully with exit code %4.',
  ),
  entry(
    ids.programSucceededMif,
    'INFORMATIONAL',
    'MILESTONE',
    'CLIENT',
    'The program "%3" of package %2 for deployment %1 completed successfully, as its status MIF reported: %4',
  ),
  entry(ids.programExpired, 'WARNING', 'MILESTONE', 'CLIENT', 'Deployment %1 expired before the program "%3" of package %2 ran.'),
  entry(
    ids.programWillRetry,
    'WARNING',
    'MILESTONE',
    'CLIENT',
    'The program "%3" of package %2 for deployment %1 failed with exit code %4; it will be retried (attempt %5 of %6).',
  ),
  entry(ids.meteringRulesReceived, 'INFORMATIONAL', 'DETAIL', 'CLIENT', 'The Software Metering Agent received software metering rule %1 for %2.'),
  entry(
    ids.meteringPolicyReceived,
    'INFORMATIONAL',
    'DETAIL',
    'CLIENT',
    'The Software Metering Agent received software metering policy with %1 rules: %2.',
  ),
  entry(ids.clientActionSucceeded, 'INFORMATIONAL', 'MILESTONE', 'CLIENT', 'The client notification agent completed %2 for client operation %1: %3'),
  entry(ids.clientActionFailed, 'ERROR', 'MILESTONE', 'CLIENT', 'The client notification agent could not complete %2 for client operation %1: %3'),
  entry(
    ids.clientActionCancelled,
    'INFORMATIONAL',
    'MILESTONE',
    'CLIENT',
    'The client notification agent stopped %2 for client operation %1 because an administrator cancelled the operation: %3',
  ),

  entry(ids.auditCreated, 'INFORMATIONAL', 'AUDIT', 'PROVIDER', 'User %1 created %3 "%4".'),
  entry(ids.auditModified, 'INFORMATIONAL', 'AUDIT', 'PROVIDER', 'User %1 modified %3 "%4".'),
  entry(ids.auditDeleted, 'INFORMATIONAL', 'AUDIT', 'PROVIDER', 'User %1 deleted %3 "%4".'),
  entry(ids.auditPerformed, 'INFORMATIONAL', 'AUDIT', 'PROVIDER', 'User %1 performed %2 on %3 "%4".'),
  entry(ids.auditSignedIn, 'INFORMATIONAL', 'AUDIT', 'PROVIDER', 'User %1 signed in to the console from %2.'),
  entry(ids.auditSignInFailed, 'WARNING', 'AUDIT', 'PROVIDER', 'A console sign-in as %1 from %2 failed.'),
  entry(ids.auditSignedOut, 'INFORMATIONAL', 'AUDIT', 'PROVIDER', 'User %1 signed out of the console from %2.'),
];

/** The catalog, by message ID. */
export const catalog: ReadonlyMap<number, CatalogEntry> = new Map(entries.map((e) => [e.id, e]));

/**
 * The description a viewer shows for a message: the catalog's template with %1..%n replaced
 * by the insertion strings (in one pass, so an insertion string containing "%2" stays as it
 * is). A placeholder without a string stays visible. A message ID the catalog does not know
 * still shows its raw insertion strings.
 */
export function renderDescription(message: { messageId: number; insertionStrings?: readonly string[] | null }): string {
  const strings = message.insertionStrings ?? [];
  const known = catalog.get(message.messageId);
  if (!known) {
    const raw = strings.map((s) => `"${isolated(s)}"`).join(', ');
    return `Message ID ${message.messageId} is not in the catalog.${raw ? ` Insertion strings: ${raw}.` : ''}`;
  }
  return known.template.replace(/%(\d{1,2})/g, (placeholder, n: string) => isolated(strings[Number(n) - 1]) ?? placeholder);
}

/**
 * A value holding direction controls, set in a Unicode isolate (FSI … PDI): an insertion string's
 * right-to-left override, say, no longer turns the rest of the sentence around it backwards.
 */
function isolated(value: string | undefined): string | undefined {
  return value !== undefined && DIRECTION_CONTROLS.test(value) ? `\u2068${value}\u2069` : value;
}
