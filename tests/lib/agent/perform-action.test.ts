import { syntheticScanner } from '@/lib/agent/scan/synthetic-scanner';
import { describe, expect, it } from 'vitest';
import { performAction } from '@/lib/agent/perform-action';

describe('performAction', () => {
  it('reports an action stopped by a cancel as CANCELLED, not as a failure', async () => {
    const work = new AbortController();
    const outcome = performAction({
      action: 'QUICK_SCAN',
      fetchPolicy: () => Promise.reject(new Error('not used')),
      scanner: syntheticScanner({ quickScanMs: 60_000, fullScanMs: 60_000 }),
      signal: work.signal,
    });
    work.abort();
    expect(await outcome).toMatchObject({ outcome: 'CANCELLED' });
  });

  it('reports an action that could not be done as FAILED with its reason', async () => {
    const outcome = await performAction({
      action: 'DOWNLOAD_COMPUTER_POLICY',
      fetchPolicy: () => Promise.reject(new Error('management point unreachable')),
      scanner: syntheticScanner({ quickScanMs: 1, fullScanMs: 1 }),
      signal: new AbortController().signal,
    });
    expect(outcome).toMatchObject({ outcome: 'FAILED', detail: { message: 'management point unreachable' } });
  });
});

describe('performAction: inventory cycles', () => {
  const base = {
    fetchPolicy: () => Promise.reject(new Error('not used')),
    scanner: syntheticScanner({ quickScanMs: 1, fullScanMs: 1 }),
    signal: new AbortController().signal,
  };

  it('runs the cycle the action names and reports what it sent', async () => {
    const ran: string[] = [];
    const runInventoryCycle = async (task: string) => (ran.push(task), `${task} sent (delta, 3 classes changed).`);
    expect(await performAction({ ...base, action: 'HARDWARE_INVENTORY_CYCLE', runInventoryCycle })).toMatchObject({
      outcome: 'SUCCEEDED',
      detail: { message: 'hardware sent (delta, 3 classes changed).' },
    });
    await performAction({ ...base, action: 'SOFTWARE_INVENTORY_CYCLE', runInventoryCycle });
    await performAction({ ...base, action: 'DISCOVERY_DATA_COLLECTION_CYCLE', runInventoryCycle });
    expect(ran).toEqual(['hardware', 'software', 'discovery']);
  });

  it('fails an inventory action on a client that collects no inventory, instead of scanning', async () => {
    expect(await performAction({ ...base, action: 'HARDWARE_INVENTORY_CYCLE' })).toMatchObject({
      outcome: 'FAILED',
      detail: { message: 'Hardware inventory failed: this client does not collect inventory' },
    });
  });
});
