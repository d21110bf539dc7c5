import { describe, expect, it } from 'vitest';
import { lifeCycleMessage } from '@/lib/reporting/component-life-cycle';
import { localStorageMessages } from '@/lib/summarizers/report-site-system-status';
import { summarizeBatch } from '@/lib/summarizers/summarize-batch';

describe('site system status reports', () => {
  it('reports each readable file system as a storage object the summarizer folds in, skipping unreadable paths', async () => {
    const now = new Date('2026-11-23T12:00:00Z');
    const messages = await localStorageMessages({ paths: ['/', '/', '/no/such/path'], systemName: 'S01-SS01', now });
    expect(messages).toHaveLength(1);
    const [m] = messages;
    expect(m).toMatchObject({ messageId: 4700, source: 'SERVER', component: 'SMS_SITE_SYSTEM_STATUS_SUMMARIZER', systemName: 'S01-SS01' });
    expect(BigInt(m.properties.TotalBytes)).toBeGreaterThan(BigInt(m.properties.FreeBytes));
    const summary = summarizeBatch({
      messages: [
        { message: m, receivedAt: now },
        { message: lifeCycleMessage({ kind: 'running', component: 'SMS_SITE_SYSTEM_STATUS_SUMMARIZER', systemName: 'S01-SS01' }), receivedAt: now },
      ],
      timeZones: new Map([['S01', 'UTC']]),
    });
    expect(summary.storage).toEqual([
      {
        siteCode: 'S01',
        systemName: 'S01-SS01',
        name: '/',
        freeBytes: BigInt(m.properties.FreeBytes),
        totalBytes: BigInt(m.properties.TotalBytes),
        reportedAt: now,
      },
    ]);
    expect(summary.states).toMatchObject([{ state: 'STARTED', availability: 'ONLINE', heartbeatAt: now }]);
  });
});
