import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '@/lib/clock';
import { pool } from '@/lib/db/pool';
import { inTransaction } from '@/lib/db/transaction';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import { syncSiteRow, type SiteControlRow } from '@/lib/sitecontrol/repo';
import { processStatusBatch, type StatusManagerEffects } from '@/lib/status/process-status-batch';
import { readComponentStatus } from '@/lib/summarizers/read-component-status';
import { createStatusSummarizers } from '@/lib/summarizers/status-summarizers';
import { useTestDatabase } from '../../support/database';
import { testMessage, testRule } from '../status/fixtures';

const log = pino({ level: 'silent' });
const SYSTEM = 'S01-SS01.corp.example.com';
const rules = [testRule({ writeToDatabase: true, retentionDays: 1 })];
// Recent enough to lie inside the hour counts' retention, whatever day the suite runs.
const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
const at = (hhmm: string, offsetDays = 0) => new Date(new Date(`${day}T${hhmm}:00Z`).getTime() + offsetDays * 86_400_000);

async function arrive(when: Date, n: number, severity: StatusMessage['severity']) {
  const clock = manualClock(when);
  const effects: StatusManagerEffects = {
    summarizers: createStatusSummarizers({ db: pool(), log, clock }),
    eventLog: () => {},
    programs: { run: () => {} },
    replicationEnabled: false,
  };
  const messages = Array.from({ length: n }, () =>
    testMessage({ source: 'SERVER', systemName: SYSTEM, component: 'SMS_DISTRIBUTION_MANAGER', messageId: 2300, severity, sourceTime: when }),
  );
  await processStatusBatch({ db: pool(), rules, effects, maxBatches: 10, queued: messages, log, now: clock.now });
}

async function counts(now: Date, query: Record<string, string>) {
  const view = await readComponentStatus({ query: { site: 'S01', ...query }, clock: manualClock(now) });
  const { informational, warning, error } = view.components.find((c) => c.component === 'SMS_DISTRIBUTION_MANAGER')!.counts;
  return [informational, warning, error];
}

async function changeTimeZone(timeZone: string) {
  await inTransaction(pool(), async (client) => {
    const { rows } = await client.query<{ id: number; name: string }>(`SELECT id, name FROM site WHERE code = 'S01'`);
    const control = { siteId: rows[0].id, document: { site: { name: rows[0].name, timeZone, parentSiteCode: null } } } as unknown as SiteControlRow;
    await syncSiteRow(client, control);
  });
}

describe('a site time-zone change', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await pool().query(`INSERT INTO site (code, name, time_zone, updated_at) VALUES ('S01', 'Central', 'America/New_York', now())`);
  });

  it('keeps since midnight, since Sunday and a chosen date and hour exact, there and back', async () => {
    // New York is UTC-5 in winter, McMurdo UTC+13 (summer there): 18 hours apart.
    await arrive(at('03:00'), 3, 'INFORMATIONAL'); // NY: the day before, 22:00. McMurdo: this day, 16:00.
    await arrive(at('12:00'), 1, 'ERROR'); // NY 07:00; McMurdo next day 01:00.
    await arrive(at('14:00'), 2, 'WARNING'); // NY 09:00; McMurdo next day 03:00.
    const now = at('15:00');

    expect(await counts(now, { interval: 'SINCE_MIDNIGHT' })).toEqual([0, 2, 1]);
    const nySunday = await counts(now, { interval: 'SINCE_SUNDAY' });

    await changeTimeZone('Antarctica/McMurdo');
    // McMurdo's midnight is 11:00 UTC.
    expect(await counts(now, { interval: 'SINCE_MIDNIGHT' })).toEqual([0, 2, 1]);
    const mcmSince = (hhmm: string) => `${at('15:00', 1).toISOString().slice(0, 10)}T${hhmm}`;
    expect(await counts(now, { interval: 'SINCE_DATE', since: mcmSince('00:00') })).toEqual([0, 2, 1]);
    expect(await counts(now, { interval: 'SINCE_DATE', since: mcmSince('02:00') })).toEqual([0, 2, 0]);
    const sunday = await counts(now, { interval: 'SINCE_SUNDAY' });
    expect(sunday.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(3);

    // More messages under the new zone, then back.
    await arrive(at('14:30'), 4, 'INFORMATIONAL');
    expect(await counts(now, { interval: 'SINCE_MIDNIGHT' })).toEqual([4, 2, 1]);
    await changeTimeZone('America/New_York');
    expect(await counts(now, { interval: 'SINCE_MIDNIGHT' })).toEqual([4, 2, 1]);
    expect(await counts(now, { interval: 'SINCE_DATE', since: `${at('03:00', -1).toISOString().slice(0, 10)}T22:00` })).toEqual([7, 2, 1]);
    const back = await counts(now, { interval: 'SINCE_SUNDAY' });
    expect(back[0] - 4).toBe(nySunday[0]);
    expect(back.slice(1)).toEqual(nySunday.slice(1));
  });
});
