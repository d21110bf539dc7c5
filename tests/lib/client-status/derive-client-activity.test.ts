// Client activity decided without a database: active while the latest policy request, heartbeat or
// hardware inventory is at most the site's number of days old, inactive after, with the reason.
import { describe, expect, it } from 'vitest';
import { activeSince, activityCutoffs, deriveClientActivity, describeAge, latestActivity } from '@/lib/client-status/derive-client-activity';

const DAY = 86_400_000;
const now = new Date('2026-12-02T12:00:00Z');
const settings = { inactiveAfterDays: 7 };
const none = { lastPolicyRequestAt: null, lastHeartbeatAt: null, lastHwInventoryAt: null };
const ago = (ms: number) => new Date(now.getTime() - ms);

describe('deriveClientActivity', () => {
  it('counts a client that never reported as inactive', () => {
    expect(deriveClientActivity(none, { now, settings })).toEqual({ active: false, last: null, reason: 'Inactive: never reported' });
  });

  it('is active at exactly the threshold and inactive one millisecond past it', () => {
    const atEdge = deriveClientActivity({ ...none, lastHeartbeatAt: ago(7 * DAY) }, { now, settings });
    expect(atEdge.active).toBe(true);
    expect(atEdge.reason).toBe('Active: heartbeat 7 days ago');
    const past = deriveClientActivity({ ...none, lastHeartbeatAt: ago(7 * DAY + 1) }, { now, settings });
    expect(past.active).toBe(false);
    expect(past.reason).toBe('Inactive: no policy request, heartbeat or hardware inventory for 7 days (last: heartbeat 2026-11-25)');
  });

  it('follows the site setting', () => {
    const times = { ...none, lastPolicyRequestAt: ago(3 * DAY) };
    expect(deriveClientActivity(times, { now, settings: { inactiveAfterDays: 7 } }).active).toBe(true);
    expect(deriveClientActivity(times, { now, settings: { inactiveAfterDays: 2 } }).active).toBe(false);
    expect(activeSince({ now, settings: { inactiveAfterDays: 2 } })).toEqual(ago(2 * DAY));
  });

  it.each([
    ['policy request', { lastPolicyRequestAt: ago(2 * 3_600_000) }, 'Active: policy request 2 h ago'],
    ['heartbeat', { lastHeartbeatAt: ago(45 * 60_000) }, 'Active: heartbeat 45 min ago'],
    ['hardware inventory', { lastHwInventoryAt: ago(3 * DAY + 5) }, 'Active: hardware inventory 3 days ago'],
  ])('keeps a client active by a %s alone', (_kind, times, reason) => {
    const activity = deriveClientActivity({ ...none, ...times }, { now, settings });
    expect(activity).toMatchObject({ active: true, reason });
  });

  it('judges by the most recent of the three and names it', () => {
    const times = { lastPolicyRequestAt: ago(20 * DAY), lastHeartbeatAt: ago(9 * DAY), lastHwInventoryAt: ago(30 * DAY) };
    const activity = deriveClientActivity(times, { now, settings });
    expect(activity.active).toBe(false);
    expect(activity.last).toEqual({ kind: 'heartbeat', at: times.lastHeartbeatAt });
    expect(activity.reason).toBe('Inactive: no policy request, heartbeat or hardware inventory for 9 days (last: heartbeat 2026-11-23)');
    // A recent hardware inventory alone keeps it active, whatever the others say.
    expect(deriveClientActivity({ ...times, lastHwInventoryAt: ago(DAY) }, { now, settings })).toMatchObject({
      active: true,
      reason: 'Active: hardware inventory 24 h ago',
    });
  });

  it('treats activity stamped after now (a clock ahead) as just now', () => {
    expect(deriveClientActivity({ ...none, lastPolicyRequestAt: ago(-5_000) }, { now, settings }).reason).toBe(
      'Active: policy request less than a minute ago',
    );
  });
});

describe('helpers', () => {
  it('picks the first kind on a tie', () => {
    const at = ago(DAY);
    expect(latestActivity({ lastPolicyRequestAt: at, lastHeartbeatAt: at, lastHwInventoryAt: at })).toEqual({ kind: 'policyRequest', at });
    expect(latestActivity(none)).toBeNull();
  });

  it('describes ages coarsely', () => {
    expect(describeAge(59_999)).toBe('less than a minute ago');
    expect(describeAge(60_000)).toBe('1 min ago');
    expect(describeAge(3_600_000)).toBe('1 h ago');
    expect(describeAge(2 * DAY - 1)).toBe('47 h ago');
    expect(describeAge(2 * DAY)).toBe('2 days ago');
  });

  it('gives each site its own cutoff', () => {
    const cutoffs = activityCutoffs({
      now,
      settings: new Map([
        [1, { inactiveAfterDays: 7 }],
        [2, { inactiveAfterDays: 30 }],
      ]),
    });
    expect(cutoffs).toEqual([
      { siteId: 1, activeSince: ago(7 * DAY) },
      { siteId: 2, activeSince: ago(30 * DAY) },
    ]);
  });
});
