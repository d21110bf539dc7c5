import type { ActivityCutoff, ActivityKind, ClientActivity, ClientActivityTimes, ClientStatusSettings } from './client-status.schema';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const kindLabels: Record<ActivityKind, string> = {
  policyRequest: 'policy request',
  heartbeat: 'heartbeat',
  hardwareInventory: 'hardware inventory',
};

/** The instant from which activity counts: `inactiveAfterDays` whole days before `now`. */
export function activeSince(options: { now: Date; settings: ClientStatusSettings }): Date {
  return new Date(options.now.getTime() - options.settings.inactiveAfterDays * DAY);
}

/** Each site's cutoff, for the queries that count or filter by activity. */
export function activityCutoffs(options: { now: Date; settings: Map<number, ClientStatusSettings> }): ActivityCutoff[] {
  return [...options.settings].map(([siteId, settings]) => ({ siteId, activeSince: activeSince({ now: options.now, settings }) }));
}

/** The most recent of the three activities (the first kind wins a tie), or null when there is none. */
export function latestActivity(times: ClientActivityTimes): ClientActivity['last'] {
  const candidates: [ActivityKind, Date | null][] = [
    ['policyRequest', times.lastPolicyRequestAt],
    ['heartbeat', times.lastHeartbeatAt],
    ['hardwareInventory', times.lastHwInventoryAt],
  ];
  let last: ClientActivity['last'] = null;
  for (const [kind, at] of candidates) if (at && (!last || at.getTime() > last.at.getTime())) last = { kind, at };
  return last;
}

/** "less than a minute", "12 min", "2 h", "3 days": how long ago, coarse enough to read at a glance. */
export function describeAge(ms: number): string {
  if (ms < MINUTE) return 'less than a minute ago';
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min ago`;
  if (ms < 2 * DAY) return `${Math.floor(ms / HOUR)} h ago`;
  return `${Math.floor(ms / DAY)} days ago`;
}

/**
 * Client activity as the reference product defines it: a client is active while its latest
 * policy request, heartbeat discovery record or hardware inventory is at most `inactiveAfterDays`
 * days old (exactly that old still counts), inactive otherwise — including a client that never
 * reported any. The reason names the latest activity, or what has been missing and for how long.
 */
export function deriveClientActivity(times: ClientActivityTimes, options: { now: Date; settings: ClientStatusSettings }): ClientActivity {
  const last = latestActivity(times);
  if (!last) return { active: false, last, reason: 'Inactive: never reported' };
  const age = options.now.getTime() - last.at.getTime();
  if (last.at.getTime() >= activeSince(options).getTime()) {
    return { active: true, last, reason: `Active: ${kindLabels[last.kind]} ${describeAge(Math.max(0, age))}` };
  }
  const days = Math.floor(age / DAY);
  return {
    active: false,
    last,
    reason:
      `Inactive: no policy request, heartbeat or hardware inventory for ${days} ${days === 1 ? 'day' : 'days'} ` +
      `(last: ${kindLabels[last.kind]} ${last.at.toISOString().slice(0, 10)})`,
  };
}
