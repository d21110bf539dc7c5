import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { processStatusBatch } from '@/lib/status/process-status-batch';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import { createStatusSummarizers } from '@/lib/summarizers/status-summarizers';
import { thresholdCrossings } from '@/lib/summarizers/threshold-crossings';
import { createThresholdWatcher } from '@/lib/summarizers/watch-thresholds';
import { useTestDatabase } from '../../support/database';
import { testRule } from '../status/fixtures';

const log = pino({ level: 'silent' });
const finding = (health: 'WARNING' | 'CRITICAL', count: number, threshold: number) => ({
  health,
  severity: 'ERROR' as const,
  messageId: null,
  count,
  threshold,
});

describe('threshold crossings', () => {
  it('reports a component once per crossing into Warning or Critical, with the threshold it reached', () => {
    const c = (health: 'OK' | 'WARNING' | 'CRITICAL', findings = [] as ReturnType<typeof finding>[]) => ({
      id: 1,
      systemName: 'S',
      component: 'C',
      health,
      findings,
    });
    let { crossed, next } = thresholdCrossings(new Map(), [c('WARNING', [finding('WARNING', 1, 1)])]);
    expect(crossed.map((x) => x.finding)).toEqual([finding('WARNING', 1, 1)]);
    ({ crossed, next } = thresholdCrossings(next, [c('WARNING', [finding('WARNING', 2, 1)])]));
    expect(crossed).toEqual([]);
    ({ crossed, next } = thresholdCrossings(next, [c('CRITICAL', [finding('CRITICAL', 5, 5)])]));
    expect(crossed.map((x) => x.finding.threshold)).toEqual([5]);
    ({ crossed, next } = thresholdCrossings(next, [c('OK')]));
    expect(crossed).toEqual([]);
    ({ crossed } = thresholdCrossings(next, [c('CRITICAL', [finding('CRITICAL', 6, 5)])]));
    expect(crossed).toHaveLength(1);
  });
});

describe('threshold watcher', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await pool().query(`INSERT INTO site (code, name, time_zone, updated_at) VALUES ('S01', 'Central', 'UTC', now())`);
    await pool().query(
      `INSERT INTO summarizer_threshold (summarizer, severity, warning_at, critical_at, updated_at) VALUES ('COMPONENT', 'ERROR', 1, 3, now())`,
    );
  });

  const errors = (n: number, component: string): StatusMessage[] =>
    Array.from({ length: n }, () => ({
      uid: randomUUID(),
      messageId: 2300,
      severity: 'ERROR',
      type: 'MILESTONE',
      source: 'SERVER',
      siteCode: 'S01',
      systemName: 'S01-SS01',
      component,
      sourceTime: new Date(),
      insertionStrings: [],
      properties: {},
    }));
  const process = (messages: StatusMessage[]) =>
    processStatusBatch({
      db: pool(),
      rules: [testRule({})],
      maxBatches: 10,
      queued: messages,
      log,
      effects: {
        summarizers: createStatusSummarizers({ db: pool(), log }),
        eventLog: () => {},
        programs: { run: () => {} },
        replicationEnabled: false,
      },
    });

  it('learns silently at first, then reports 4609 and 4610 as components cross, once each', async () => {
    await process(errors(1, 'SMS_ALREADY_WARNING'));
    const watcher = createThresholdWatcher({ db: pool() });
    expect(await watcher.tick()).toEqual([]);

    await process([...errors(1, 'SMS_NEW'), ...errors(2, 'SMS_ALREADY_WARNING')]);
    const reported = await watcher.tick();
    expect(reported.map((m) => [m.messageId, m.insertionStrings])).toEqual([
      [4610, ['SMS_ALREADY_WARNING', 'S01-SS01', '3', 'error', '3']],
      [4609, ['SMS_NEW', 'S01-SS01', '1', 'error', '1']],
    ]);
    expect(await watcher.tick()).toEqual([]);
    // Reported like any server message: into Status Manager's inbox.
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM status_inbox WHERE messages::text LIKE '%"messageId":4610%'`);
    expect(rows[0].n).toBe(1);
  });
});
