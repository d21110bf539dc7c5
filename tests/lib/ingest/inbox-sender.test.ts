import { describe, expect, it } from 'vitest';
import { inboxSender } from '@/lib/ingest/4-authenticate-status-sender';
import { senderLockKey } from '@/lib/status/sender-locks-repo';

describe('inboxSender', () => {
  it('names the device or site system a credential proves, whatever name the batch gives', () => {
    expect(inboxSender({ kind: 'device', deviceId: 42, name: 'WKS0042', siteCode: 'S01' })).toBe('device:42');
    expect(inboxSender({ kind: 'site-system', siteSystemId: 7, name: 'C01 link', siteCode: 'C01', childOf: 'S01' })).toBe('site-system:7');
  });

  it('gives each sender one lock key, an int4, and different senders different keys', () => {
    const senders = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? `device:${i}` : `site-system:${i}`));
    const keys = senders.map(senderLockKey);
    expect(senders.map(senderLockKey)).toEqual(keys);
    for (const key of keys) expect(key).toBe(key | 0);
    expect(new Set(keys).size).toBe(senders.length);
  });
});
