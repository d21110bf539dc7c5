import pino from 'pino';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '@/lib/clock';
import { pool } from '@/lib/db/pool';
import { appendToInbox } from '@/lib/reporting/inbox-repo';
import { processStatusBatch, type StatusManagerEffects } from '@/lib/status/process-status-batch';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import { resetComponentCounts, updateSummarizerSettings } from '@/lib/summarizers/manage-summarizers';
import { readComponentStatus } from '@/lib/summarizers/read-component-status';
import { readMessageRates } from '@/lib/summarizers/read-message-rates';
import { readSiteStatus } from '@/lib/summarizers/read-site-status';
import { readSiteSystemStatus } from '@/lib/summarizers/read-site-system-status';
import { createStatusSummarizers } from '@/lib/summarizers/status-summarizers';
import type { Actor } from '@/lib/users/actor';
import { useTestDatabase } from '../../support/database';
import { testMessage, testRule } from '../status/fixtures';

const log = pino({ level: 'silent' });
const SYSTEM = 'S01-SS01.corp.example.com';
const actor: Actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' }, address: '127.0.0.1' };
const rules = [testRule({ writeToDatabase: true, retentionDays: 1 })];

const serverMessage = (overrides: Partial<StatusMessage> = {}) =>
  testMessage({ source: 'SERVER', systemName: SYSTEM, component: 'SMS_DISTRIBUTION_MANAGER', messageId: 2300, type: 'MILESTONE', ...overrides });

/** One Status Manager transaction over `messages`, arriving at the clock's time. */
async function process(
  clock: ReturnType<typeof manualClock>,
  messages: StatusMessage[],
  summarizers = createStatusSummarizers({ db: pool(), log, clock }),
) {
  const effects: StatusManagerEffects = { summarizers, eventLog: () => {}, programs: { run: () => {} }, replicationEnabled: false };
  return processStatusBatch({ db: pool(), rules, effects, maxBatches: 10, queued: messages, log, now: clock.now });
}

const many = (n: number, overrides: Partial<StatusMessage>) => Array.from({ length: n }, () => serverMessage(overrides));

async function counts(clock: ReturnType<typeof manualClock>, component = 'SMS_DISTRIBUTION_MANAGER', query: Record<string, string> = {}) {
  const view = await readComponentStatus({ query: { site: 'S01', ...query }, clock });
  const row = view.components.find((c) => c.component === component && c.systemName === SYSTEM);
  return { ...row!.counts, health: row!.health, view, row: row! };
}

describe('status summarizers', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });
  beforeEach(async () => {
    await pool().query(`TRUNCATE status_message, status_inbox, status_processed_uid, status_counter, component_summary, component_message_count,
      component_count_reset, status_rate_minute, summarizer_batch, summarizer_setting, site_system_storage_object, summarizer_threshold,
      site_control, site_system_role, site_system, site CASCADE`);
    await pool().query(`INSERT INTO site (code, name, time_zone, updated_at) VALUES ('S01', 'Central', 'America/New_York', now())`);
    await pool().query(`INSERT INTO site_system (site_id, name, updated_at) SELECT id, $1, now() FROM site`, [SYSTEM]);
    await pool().query(`INSERT INTO summarizer_threshold (summarizer, severity, warning_at, critical_at, updated_at)
      VALUES ('COMPONENT', 'INFORMATIONAL', 2000, 5000, now()), ('COMPONENT', 'WARNING', 10, 50, now()), ('COMPONENT', 'ERROR', 3, 5, now())`);
  });

  it('counts each severity, registers new components and turns them Warning and Critical at the thresholds', async () => {
    const clock = manualClock(new Date('2026-11-23T15:00:00Z'));
    await process(clock, [...many(2, { severity: 'ERROR' }), ...many(4, { severity: 'WARNING' }), ...many(7, {})]);
    expect(await counts(clock)).toMatchObject({ informational: 7, warning: 4, error: 2, health: 'OK' });
    await process(clock, many(1, { severity: 'ERROR' }));
    expect(await counts(clock)).toMatchObject({ error: 3, health: 'WARNING' });
    await process(clock, many(1, { severity: 'ERROR' }));
    expect(await counts(clock)).toMatchObject({ error: 4, health: 'WARNING' });
    await process(clock, many(1, { severity: 'ERROR' }));
    expect(await counts(clock)).toMatchObject({ error: 5, health: 'CRITICAL' });
    // Client messages belong to the deployment status summarizer, not to site system components.
    await process(clock, [testMessage({ severity: 'ERROR' })]);
    expect((await counts(clock)).view.components.map((c) => c.component)).toEqual(['SMS_DISTRIBUTION_MANAGER']);
  });

  it('never counts a batch twice: a retried report, the same messages after a restart, a failed batch', async () => {
    const clock = manualClock(new Date('2026-11-23T15:00:00Z'));
    const messages = many(5, { severity: 'WARNING' });
    // A batch and its retry arrive together, then once more later.
    await appendToInbox({ db: pool(), messages, origin: 'mp' });
    await appendToInbox({ db: pool(), messages, origin: 'mp' });
    await process(clock, []);
    await process(clock, messages);
    expect(await counts(clock)).toMatchObject({ warning: 5 });

    // A "restart": a new summarizer with nothing in memory, the same messages handed over again.
    await process(clock, messages, createStatusSummarizers({ db: pool(), log, clock }));
    expect(await counts(clock)).toMatchObject({ warning: 5 });

    // The hand-off itself repeated with the same messages (the batch id is their digest).
    const summarizers = createStatusSummarizers({ db: pool(), log, clock });
    const again = many(2, { severity: 'WARNING' });
    const client = await pool().connect();
    try {
      await client.query('BEGIN');
      const handoff = {
        client,
        batchId: 'x',
        messages: again.map((m) => ({
          message: { ...m, sourceTime: new Date(m.sourceTime).toISOString() },
          receivedAt: clock.now(),
          actions: {} as never,
        })),
      };
      await summarizers(handoff);
      await summarizers(handoff);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await counts(clock)).toMatchObject({ warning: 7 });

    // A batch whose transaction fails counts nothing; its retry counts once.
    const failing: StatusManagerEffects['summarizers'] = async (handoff) => {
      await createStatusSummarizers({ db: pool(), log, clock })(handoff);
      throw new Error('disk full');
    };
    const lost = many(3, { severity: 'WARNING' });
    await expect(process(clock, lost, failing)).rejects.toThrow('disk full');
    expect(await counts(clock)).toMatchObject({ warning: 7 });
    await process(clock, lost);
    expect(await counts(clock)).toMatchObject({ warning: 10 });
  });

  it('starts "since midnight" at the site\'s midnight and "since Sunday" at its Sunday, not the server\'s or UTC\'s', async () => {
    // 2026-11-22 is a Sunday. New York is UTC-5.
    const clock = manualClock(new Date('2026-11-21T23:30:00-05:00')); // Saturday evening
    await process(clock, many(1, { severity: 'ERROR' }));
    clock.set(new Date('2026-11-22T04:59:59.999Z')); // Saturday 23:59:59.999 local, Sunday in UTC
    await process(clock, many(2, { severity: 'ERROR' }));
    expect(await counts(clock)).toMatchObject({ error: 3 });
    expect(await counts(clock, undefined, { interval: 'SINCE_SUNDAY' })).toMatchObject({ error: 3 });

    clock.set(new Date('2026-11-22T05:00:00Z')); // Sunday 00:00 local
    expect(await counts(clock)).toMatchObject({ error: 0, health: 'OK' });
    expect(await counts(clock, undefined, { interval: 'SINCE_SUNDAY' })).toMatchObject({ error: 0 });
    await process(clock, many(1, { severity: 'ERROR' }));

    clock.set(new Date('2026-11-23T04:00:00Z')); // Sunday 23:00 local, Monday in UTC
    await process(clock, many(1, { severity: 'ERROR' }));
    expect(await counts(clock)).toMatchObject({ error: 2 });

    clock.set(new Date('2026-11-23T05:00:01Z')); // Monday 00:00:01 local
    await process(clock, many(1, { severity: 'ERROR' }));
    expect(await counts(clock)).toMatchObject({ error: 1 });
    expect(await counts(clock, undefined, { interval: 'SINCE_SUNDAY' })).toMatchObject({ error: 3 });
    // A chosen local hour on Sunday evening: Sunday 23:00 and Monday's message.
    expect(await counts(clock, undefined, { interval: 'SINCE_DATE', since: '2026-11-22T23:00' })).toMatchObject({ error: 2 });
    expect(await counts(clock, undefined, { interval: 'SINCE_DATE', since: '2026-11-21T23:00' })).toMatchObject({ error: 6 });

    // The site's display interval setting is what views use by default.
    await updateSummarizerSettings({ actor, input: { site: 'S01', displayInterval: 'SINCE_SUNDAY', since: null } });
    expect(await counts(clock)).toMatchObject({ error: 3 });
    expect((await counts(clock)).view.interval).toMatchObject({
      kind: 'SINCE_SUNDAY',
      start: '2026-11-22T05:00:00.000Z',
      localStart: '2026-11-22T00:00',
    });
  });

  it('resets counts: since reset starts at the reset, exactly, even within the same hour; audited', async () => {
    const clock = manualClock(new Date('2026-11-23T15:10:00Z'));
    await process(clock, many(4, { severity: 'ERROR' }));
    await process(clock, many(2, { severity: 'ERROR', component: 'SMS_OFFER_MANAGER' }));
    clock.set(new Date('2026-11-23T15:20:00Z'));
    const result = await resetComponentCounts({ actor, input: { site: 'S01', systemName: SYSTEM, component: 'SMS_DISTRIBUTION_MANAGER' }, clock });
    expect(result.components).toBe(1);
    const reset = { interval: 'SINCE_RESET' };
    expect(await counts(clock, undefined, reset)).toMatchObject({ error: 0, health: 'OK' });
    // Another component was not reset: since reset is everything it ever counted.
    expect(await counts(clock, 'SMS_OFFER_MANAGER', reset)).toMatchObject({ error: 2 });
    clock.set(new Date('2026-11-23T15:30:00Z'));
    await process(clock, many(1, { severity: 'ERROR' }));
    clock.set(new Date('2026-11-24T15:30:00Z'));
    await process(clock, many(2, { severity: 'ERROR' }));
    const after = await counts(clock, undefined, reset);
    expect(after).toMatchObject({ error: 3, health: 'WARNING' });
    expect(after.row.resetBy).toBe('admin');
    expect(after.row.since).toBe('2026-11-23T15:20:00.000Z');
    // Since midnight is unaffected by the reset.
    expect(await counts(clock)).toMatchObject({ error: 2 });
    // The audit message and the summarizer's 4611 went through Status Manager with the batches above.
    const { rows } = await pool().query(
      `SELECT message_id, insertion_strings FROM status_message WHERE message_id IN (30003, 4611) ORDER BY message_id`,
    );
    expect(rows).toEqual([
      { message_id: 4611, insertion_strings: ['SMS_DISTRIBUTION_MANAGER', SYSTEM, 'admin'] },
      { message_id: 30003, insertion_strings: ['admin', 'ResetCounts', 'ComponentStatus', `S01/${SYSTEM}/SMS_DISTRIBUTION_MANAGER`] },
    ]);
  });

  it('keeps component state, availability, storage objects and last report; rolls a site up green, yellow, red', async () => {
    const clock = manualClock(new Date('2026-11-23T15:00:00Z'));
    await pool().query(`INSERT INTO site_control (site_id, serial, document, updated_at)
      SELECT id, 1, '{"summarizers":{"siteSystemStatus":{"freeSpaceWarningMb":100,"freeSpaceCriticalMb":50,"pollingMinutes":10}}}', now() FROM site`);
    const mb = 1_048_576;
    const storage = (free: number) =>
      serverMessage({
        messageId: 4700,
        component: 'SMS_SITE_SYSTEM_STATUS_SUMMARIZER',
        properties: { StorageObject: 'D:', FreeBytes: String(free * mb), TotalBytes: String(500 * mb) },
      });
    await process(clock, [serverMessage({ messageId: 500 }), storage(200)]);
    const status = await counts(clock);
    expect(status.row).toMatchObject({ state: 'STARTED', availability: 'ONLINE' });
    let systems = await readSiteSystemStatus({ site: 'S01', clock });
    expect(systems.siteSystems[0]).toMatchObject({
      name: SYSTEM,
      reporting: 'OK',
      health: 'OK',
      storage: [{ name: 'D:', freeBytes: 200 * mb, health: 'OK' }],
    });
    expect((await readSiteStatus({ clock })).sites[0]).toMatchObject({ code: 'S01', colour: 'green' });

    await process(clock, [serverMessage({ messageId: 501 }), storage(100)]);
    expect((await counts(clock)).row).toMatchObject({ state: 'STOPPED', availability: 'OFFLINE' });
    expect((await readSiteSystemStatus({ site: 'S01', clock })).siteSystems[0].health).toBe('WARNING');
    expect((await readSiteStatus({ clock })).sites[0].colour).toBe('yellow');

    await process(clock, [storage(50)]);
    expect((await readSiteSystemStatus({ site: 'S01', clock })).siteSystems[0].storage[0].health).toBe('CRITICAL');
    expect((await readSiteStatus({ clock })).sites[0].colour).toBe('red');

    await process(clock, [storage(400), ...many(3, { severity: 'ERROR' })]);
    const site = (await readSiteStatus({ clock })).sites[0];
    expect(site).toMatchObject({ colour: 'yellow', components: { warning: 1 }, messages: { error: 3 } });

    // Heartbeats keep a component online; silence past the window makes it offline.
    await process(clock, [serverMessage({ messageId: 503 })]);
    expect((await counts(clock)).row).toMatchObject({ state: 'STARTED', availability: 'ONLINE' });
    clock.advance(16 * 60_000);
    expect((await counts(clock)).row.availability).toBe('OFFLINE');
    // And the silent site system turns Critical after two polling intervals.
    systems = await readSiteSystemStatus({ site: 'S01', clock });
    clock.advance(5 * 60_000);
    systems = await readSiteSystemStatus({ site: 'S01', clock });
    expect(systems.siteSystems[0].reporting).toBe('CRITICAL');
    expect((await readSiteStatus({ clock })).sites[0].colour).toBe('red');
  });

  it('keeps per-minute rates for the charts', async () => {
    const clock = manualClock(new Date('2026-11-23T15:00:30Z'));
    await process(clock, [...many(2, { severity: 'ERROR' }), ...many(3, {})]);
    clock.set(new Date('2026-11-23T15:05:10Z'));
    await process(clock, many(1, { severity: 'WARNING' }));
    const rates = await readMessageRates({ site: 'S01', clock });
    expect(rates.lastHour).toHaveLength(60);
    const points = rates.lastHour!.filter((p) => p.informational + p.warning + p.error > 0);
    expect(points).toEqual([
      { at: '2026-11-23T15:00:00.000Z', informational: 3, warning: 0, error: 2 },
      { at: '2026-11-23T15:05:00.000Z', informational: 0, warning: 1, error: 0 },
    ]);
    expect(rates.lastDay.at(-1)).toEqual({ at: '2026-11-23T15:00:00.000Z', informational: 3, warning: 1, error: 2 });
  });
});
