import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetConfig } from '@/lib/config';
import { workerComponents } from '@/lib/sites/server-components';
import { startComponentLifeCycle } from '@/lib/reporting/component-life-cycle';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import { summarizeBatch } from '@/lib/summarizers/summarize-batch';
import { workerNames } from '@/workers/registry';

const log = pino({ level: 'silent' });

describe('startComponentLifeCycle', () => {
  afterEach(() => {
    vi.useRealTimers();
    delete process.env.SITEBOX_SERVER_NAME;
    resetConfig();
  });

  it('reports each component started, running on every heartbeat and stopped, under this server’s name', async () => {
    process.env.SITEBOX_SERVER_NAME = 'ss01.corp.example.com';
    resetConfig();
    const sent: StatusMessage[][] = [];
    // The heartbeat runs on a test clock: three beats pass exactly, and time after the stop too.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const life = startComponentLifeCycle({ components: ['SMS_A', 'SMS_B'], log, heartbeatMs: 20_000, report: async (m) => void sent.push(m) });
    await life.started;
    await vi.advanceTimersByTimeAsync(3 * 20_000);
    expect(sent).toHaveLength(4);
    await life.stop();
    const beatsBefore = sent.length;
    await vi.advanceTimersByTimeAsync(10 * 20_000);
    expect(sent.length).toBe(beatsBefore); // no heartbeat after the stop

    const ids = sent.map((batch) => batch[0].messageId);
    expect(ids[0]).toBe(500);
    expect(ids.at(-1)).toBe(501);
    expect(ids.slice(1, -1)).toHaveLength(3);
    expect(new Set(ids.slice(1, -1))).toEqual(new Set([503]));
    for (const batch of sent) {
      expect(batch.map((m) => [m.component, m.systemName, m.source])).toEqual([
        ['SMS_A', 'ss01.corp.example.com', 'SERVER'],
        ['SMS_B', 'ss01.corp.example.com', 'SERVER'],
      ]);
    }
    expect(sent[0][0].insertionStrings).toEqual(['SMS_A', 'ss01.corp.example.com']);
    expect(sent[1][1].insertionStrings).toEqual(['SMS_B', 'ss01.corp.example.com', String(process.pid)]);

    // The summarizer turns them into the component's state: started and online, then stopped.
    const fold = (batches: StatusMessage[][], at: number) =>
      summarizeBatch({
        messages: batches.flat().map((message, i) => ({ message, receivedAt: new Date(at + i) })),
        timeZones: new Map([['S01', 'UTC']]),
      }).states.map((s) => [s.state, s.availability]);
    expect(fold(sent.slice(0, -1), 0)).toEqual([
      ['STARTED', 'ONLINE'],
      ['STARTED', 'ONLINE'],
    ]);
    expect(fold(sent, 0)).toEqual([
      ['STOPPED', 'OFFLINE'],
      ['STOPPED', 'OFFLINE'],
    ]);
  });

  it('keeps running when a report fails', async () => {
    const life = startComponentLifeCycle({
      components: ['SMS_A'],
      log,
      report: async () => {
        throw new Error('database down');
      },
    });
    await expect(life.started).resolves.toBeUndefined();
    await expect(life.stop()).resolves.toBeUndefined();
  });
});

describe('workerComponents', () => {
  it('names the components of every worker, so each reports that it started', () => {
    expect(Object.keys(workerComponents).sort()).toEqual([...workerNames].sort());
    for (const name of workerNames) expect(workerComponents[name].length).toBeGreaterThan(0);
  });
});
