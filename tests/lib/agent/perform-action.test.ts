import { syntheticScanner } from '@/lib/agent/scan/synthetic-scanner';
import { describe, expect, it } from 'vitest';
import { performAction } from '@/lib/agent/perform-action';
import { clientPolicySchema } from '@/lib/protocol/policy.schema';
import { operationResultSchema } from '@/lib/protocol/agent-protocol.schema';
import { scanSettingsSchema } from '@/lib/agent/scan/scan-settings';

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

describe('performAction: Download Computer Policy', () => {
  const policy = (metering?: { enabled: boolean; rules: number }) =>
    clientPolicySchema.parse({
      deviceId: 7,
      deviceName: 'PC7',
      siteControlSerial: 12,
      clientAgent: { policyPollingMinutes: 60, clientNotification: true },
      deployments: [{ deploymentId: 'S0100001' }],
      ...(metering && {
        metering: {
          enabled: metering.enabled,
          acknowledgements: 'per-policy',
          processPollSeconds: 30,
          uploadMinutes: 15,
          rules: Array.from({ length: metering.rules }, (_, i) => ({
            ruleId: i + 1,
            ruleName: `S01${String(i + 1).padStart(5, '0')}`,
            productName: 'Product',
            fileName: 'program',
            originalFileName: '',
            version: '*',
            revision: 'r1',
          })),
        },
      }),
    });
  const run = (p: ReturnType<typeof policy>) =>
    performAction({
      action: 'DOWNLOAD_COMPUTER_POLICY',
      fetchPolicy: () => Promise.resolve(p),
      scanner: syntheticScanner({ quickScanMs: 1, fullScanMs: 1 }),
      signal: new AbortController().signal,
    });

  it('says what the policy brought: its serial, deployments and the metering rules the client holds', async () => {
    expect(await run(policy({ enabled: true, rules: 2 }))).toMatchObject({
      outcome: 'SUCCEEDED',
      detail: {
        message: 'Received policy for site control serial 12 with 1 deployment and 2 software metering rules.',
        policySerial: 12,
        deployments: 1,
      },
    });
    expect((await run(policy({ enabled: true, rules: 1 }))).detail.message).toBe(
      'Received policy for site control serial 12 with 1 deployment and 1 software metering rule.',
    );
  });

  it('leaves metering out where the site turned it off or sends none', async () => {
    expect((await run(policy({ enabled: false, rules: 3 }))).detail.message).toBe('Received policy for site control serial 12 with 1 deployment.');
    expect((await run(policy())).detail.message).toBe('Received policy for site control serial 12 with 1 deployment.');
  });
});

describe('performAction: text the site cannot store', () => {
  it('answers a live query whose value is cut inside a surrogate pair with a whole, storable value', async () => {
    const command = `${'x'.repeat(1023)}😀 and more`;
    const outcome = await performAction({
      action: 'LIVE_QUERY',
      fetchPolicy: () => Promise.reject(new Error('not used')),
      scanner: syntheticScanner({ quickScanMs: 1, fullScanMs: 1 }),
      liveQuery: { text: 'processes | project command' },
      collectEntity: () => Promise.resolve([{ pid: 1, name: 'p', user: 'u', cpu: 0, memoryMb: 0, command }]),
      signal: new AbortController().signal,
    });
    expect(outcome.outcome).toBe('SUCCEEDED');
    expect(outcome.detail.liveQuery?.rows).toEqual([{ command: `${'x'.repeat(1023)}\uFFFD` }]);
    expect(operationResultSchema.safeParse({ operationId: 1, ...outcome, completedAt: new Date().toISOString() }).success).toBe(true);
  });
});

describe('performAction: a live query answer within the channel', () => {
  it('cuts an answer at 3 MB of UTF-8, however many characters that is, so it fits the 4 MB message', async () => {
    // 5,000 command lines of 1,000 CJK characters: 5 M characters, 15 MB of UTF-8.
    const rows = Array.from({ length: 5000 }, (_, pid) => ({ pid, name: 'p', user: 'u', cpu: 0, memoryMb: 0, command: '界'.repeat(1000) }));
    const outcome = await performAction({
      action: 'LIVE_QUERY',
      fetchPolicy: () => Promise.reject(new Error('not used')),
      scanner: syntheticScanner({ quickScanMs: 1, fullScanMs: 1 }),
      liveQuery: { text: 'processes | project pid, command' },
      collectEntity: () => Promise.resolve(rows),
      signal: new AbortController().signal,
    });
    expect(outcome.outcome).toBe('SUCCEEDED');
    expect(outcome.detail.liveQuery).toMatchObject({ rowCount: 5000, truncated: true });
    const sent = outcome.detail.liveQuery!.rows.length;
    expect(sent).toBeGreaterThan(900);
    expect(outcome.detail.message).toBe(`Answered 5000 rows; sent the first ${sent}.`);
    const message = Buffer.byteLength(JSON.stringify({ operationId: 1, ...outcome, completedAt: new Date().toISOString() }));
    expect(message).toBeLessThan(4_000_000);
  });
});

describe('an action result at its longest', () => {
  it('is accepted for a Full Scan stopped at the longest time limit an agent may set, and for a script at its 24 h timeout', () => {
    // The longest Full Scan time limit an agent's configuration takes.
    const longestScanMinutes = 7 * 1440;
    expect(scanSettingsSchema.safeParse({ fullTimeoutMinutes: longestScanMinutes }).success).toBe(true);
    expect(scanSettingsSchema.safeParse({ fullTimeoutMinutes: longestScanMinutes + 1 }).success).toBe(false);
    const result = (durationMs: number, message: string) =>
      operationResultSchema.safeParse({ operationId: 1, outcome: 'FAILED', detail: { message, durationMs }, completedAt: new Date().toISOString() });
    // The scanner's timer, and the few seconds before and after it.
    expect(result(longestScanMinutes * 60_000 + 5_000, `Scan failed: stopped after its time limit of ${longestScanMinutes} minutes`).success).toBe(
      true,
    );
    expect(result(24 * 3600 * 1000 + 2_500, 'Timed out after 86400 s; the script’s processes were killed.').success).toBe(true);
  });
});
