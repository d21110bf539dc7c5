import { statusMessageIds } from '../reporting/catalog';
import type { InboxMessage } from '../reporting/inbox-repo';
import type { Severity } from '../reporting/status-message.schema';
import { startOfLocalDay, startOfLocalHour, startOfMinute } from './local-time';

/** What the summarizers need of a message Status Manager hands over. */
export interface SummarizedMessage {
  message: Pick<InboxMessage, 'uid' | 'messageId' | 'severity' | 'source' | 'siteCode' | 'systemName' | 'component' | 'properties'>;
  receivedAt: Date;
}

export type ComponentState = 'STARTED' | 'STOPPED' | 'PAUSED' | 'INSTALLING' | 'UNKNOWN';
export type Availability = 'ONLINE' | 'OFFLINE' | 'UNKNOWN';

export interface ComponentKey {
  siteCode: string;
  systemName: string;
  component: string;
}

export interface BatchSummary {
  /** Per component and local day: severity counts and the last message's arrival. */
  days: { key: string; dayStart: Date; info: number; warning: number; error: number; lastMessageAt: Date }[];
  /** Per component, local hour, message ID and severity. */
  hours: { key: string; hourStart: Date; messageId: number; severity: Severity; count: number }[];
  /** Per site, minute and severity, for the rate chart. */
  minutes: { siteCode: string; minuteStart: Date; severity: Severity; count: number }[];
  /** The last life-cycle message of each component in the batch. */
  states: { key: string; state: ComponentState; availability: Availability; heartbeatAt: Date | null; at: Date }[];
  /** Latest arrival per site system. */
  systems: { siteCode: string; systemName: string; lastReportedAt: Date }[];
  /** Latest storage report per site system and storage object. */
  storage: { siteCode: string; systemName: string; name: string; freeBytes: bigint; totalBytes: bigint; reportedAt: Date }[];
  /** Every component the batch names, by key. */
  components: Map<string, ComponentKey>;
}

export const componentKey = (k: ComponentKey) => `${k.siteCode}\u0000${k.systemName}\u0000${k.component}`;

const lifeCycle: Record<number, { state: ComponentState; availability: Availability }> = {
  [statusMessageIds.componentStarted]: { state: 'STARTED', availability: 'ONLINE' },
  [statusMessageIds.componentHeartbeat]: { state: 'STARTED', availability: 'ONLINE' },
  [statusMessageIds.componentStopped]: { state: 'STOPPED', availability: 'OFFLINE' },
  [statusMessageIds.componentStartFailed]: { state: 'STOPPED', availability: 'OFFLINE' },
};

const byteCount = (v: string | undefined): bigint | null => (v !== undefined && /^\d{1,19}$/.test(v) ? BigInt(v) : null);

/**
 * Folds one batch into summary increments. Only site-system messages count (server components
 * and the provider); client messages belong to the deployment status summarizer. Messages are
 * bucketed by when they arrived, in the local hour and day of their site's time zone; messages
 * of a site this database does not know are left out.
 */
export function summarizeBatch(options: { messages: readonly SummarizedMessage[]; timeZones: ReadonlyMap<string, string> }): BatchSummary {
  const days = new Map<string, BatchSummary['days'][number]>();
  const hours = new Map<string, BatchSummary['hours'][number]>();
  const minutes = new Map<string, BatchSummary['minutes'][number]>();
  const states = new Map<string, BatchSummary['states'][number]>();
  const systems = new Map<string, BatchSummary['systems'][number]>();
  const storage = new Map<string, BatchSummary['storage'][number]>();
  const components = new Map<string, ComponentKey>();
  // Local bucket starts repeat across a batch: compute each once per zone and minute.
  const buckets = new Map<string, { day: Date; hour: Date }>();

  for (const { message: m, receivedAt } of options.messages) {
    if (m.source === 'CLIENT') continue;
    const timeZone = options.timeZones.get(m.siteCode);
    if (!timeZone) continue;
    const k: ComponentKey = { siteCode: m.siteCode, systemName: m.systemName, component: m.component };
    const key = componentKey(k);
    components.set(key, k);

    const minuteStart = startOfMinute(receivedAt);
    const bucketKey = `${timeZone}|${minuteStart.getTime()}`;
    let bucket = buckets.get(bucketKey);
    if (!bucket) {
      bucket = { day: startOfLocalDay(receivedAt, timeZone), hour: startOfLocalHour(receivedAt, timeZone) };
      buckets.set(bucketKey, bucket);
    }

    const dayKey = `${key}|${bucket.day.getTime()}`;
    let day = days.get(dayKey);
    if (!day) days.set(dayKey, (day = { key, dayStart: bucket.day, info: 0, warning: 0, error: 0, lastMessageAt: receivedAt }));
    if (m.severity === 'ERROR') day.error++;
    else if (m.severity === 'WARNING') day.warning++;
    else day.info++;
    if (receivedAt > day.lastMessageAt) day.lastMessageAt = receivedAt;

    const hourKey = `${key}|${bucket.hour.getTime()}|${m.messageId}|${m.severity}`;
    const hour = hours.get(hourKey);
    if (hour) hour.count++;
    else hours.set(hourKey, { key, hourStart: bucket.hour, messageId: m.messageId, severity: m.severity, count: 1 });

    const minuteKey = `${m.siteCode}|${minuteStart.getTime()}|${m.severity}`;
    const minute = minutes.get(minuteKey);
    if (minute) minute.count++;
    else minutes.set(minuteKey, { siteCode: m.siteCode, minuteStart, severity: m.severity, count: 1 });

    const change = lifeCycle[m.messageId];
    if (change) {
      const previous = states.get(key);
      if (!previous || receivedAt >= previous.at) {
        const heartbeatAt = change.availability === 'ONLINE' ? receivedAt : (previous?.heartbeatAt ?? null);
        states.set(key, { key, ...change, heartbeatAt, at: receivedAt });
      }
    }

    const systemKey = `${m.siteCode}\u0000${m.systemName}`;
    const system = systems.get(systemKey);
    if (!system) systems.set(systemKey, { siteCode: m.siteCode, systemName: m.systemName, lastReportedAt: receivedAt });
    else if (receivedAt > system.lastReportedAt) system.lastReportedAt = receivedAt;

    if (m.messageId === statusMessageIds.siteSystemStorageReported) {
      const name = m.properties.StorageObject;
      const freeBytes = byteCount(m.properties.FreeBytes);
      const totalBytes = byteCount(m.properties.TotalBytes);
      if (name && freeBytes !== null && totalBytes !== null) {
        const storageKey = `${systemKey}\u0000${name}`;
        const previous = storage.get(storageKey);
        if (!previous || receivedAt >= previous.reportedAt) {
          storage.set(storageKey, { siteCode: m.siteCode, systemName: m.systemName, name, freeBytes, totalBytes, reportedAt: receivedAt });
        }
      }
    }
  }

  return {
    days: [...days.values()],
    hours: [...hours.values()],
    minutes: [...minutes.values()],
    states: [...states.values()],
    systems: [...systems.values()],
    storage: [...storage.values()],
    components,
  };
}
