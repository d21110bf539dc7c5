import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OperationPush } from '@/lib/protocol/agent-protocol.schema';
import { createResultSpool } from '@/lib/agent/result-spool';
import { resumeUnfinished } from '@/lib/agent/unfinished-operation';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const now = new Date('2026-12-07T12:00:00Z');
const push = (operationId: number, action: OperationPush['action'], validUntil = '2026-12-07T13:00:00Z'): OperationPush => ({
  operationId,
  action,
  validUntil,
});
const result = (operationId: number) => ({
  operationId,
  outcome: 'SUCCEEDED' as const,
  detail: { message: 'done', durationMs: 5 },
  completedAt: now.toISOString(),
});

describe('the agent’s record of operations it took on', () => {
  it('finds the pushes an earlier run took on and did not finish, and not those with a result', async () => {
    const spool = createResultSpool(dir);
    await spool.begin(push(1, 'QUICK_SCAN'), 1000);
    await spool.begin(push(2, 'FULL_SCAN'), 2000);
    await spool.save(result(2));
    const earlier = await spool.load();
    expect(earlier.unfinished).toEqual([{ push: push(1, 'QUICK_SCAN'), receivedAt: 1000 }]);
    expect(earlier.results.map((r) => r.operationId)).toEqual([2]);
    // A push whose result is on disk needs no record of its own any more.
    expect((await readdir(dir)).sort()).toEqual(['1.push.json', '2.json']);
    await spool.remove(1);
    await spool.remove(2);
    expect(await readdir(dir)).toEqual([]);
  });

  it('sets aside a file it cannot read, names it once, and keeps the rest', async () => {
    const spool = createResultSpool(dir);
    await spool.save(result(3));
    await writeFile(path.join(dir, '4.json'), '{"operationId":4,"outc');
    await writeFile(path.join(dir, '5.push.json'), 'not json');
    const earlier = await spool.load();
    expect(earlier.results.map((r) => r.operationId)).toEqual([3]);
    expect(earlier.setAside.sort()).toEqual(['4.json', '5.push.json']);
    expect((await readdir(dir)).sort()).toEqual(['3.json', '4.json.unreadable', '5.push.json.unreadable']);
    expect((await spool.load()).setAside).toEqual([]);
  });
});

describe('an action found unfinished at a start', () => {
  it('runs again an action that only reads the machine or asks the site, within the validity', () => {
    for (const action of ['DOWNLOAD_COMPUTER_POLICY', 'QUICK_SCAN', 'FULL_SCAN', 'HARDWARE_INVENTORY_CYCLE', 'LIVE_QUERY'] as const)
      expect(resumeUnfinished({ push: push(7, action), receivedAt: now.getTime() - 2000 }, now)).toEqual({ run: true });
  });

  it('never runs a script twice: reported failed with why', () => {
    const next = resumeUnfinished({ push: push(8, 'RUN_SCRIPT'), receivedAt: now.getTime() - 2000 }, now);
    expect(next).toMatchObject({ run: false, result: { operationId: 8, outcome: 'FAILED', detail: { durationMs: 2000 } } });
    expect(next.run === false && next.result.detail.message).toMatch(/a script is not run twice/);
  });

  it('does not run an action whose operation ended while the agent was down', () => {
    const next = resumeUnfinished({ push: push(9, 'QUICK_SCAN', '2026-12-07T11:59:59Z'), receivedAt: now.getTime() - 3_600_000 * 48 }, now);
    expect(next).toMatchObject({ run: false, result: { outcome: 'FAILED', detail: { durationMs: 24 * 3600 * 1000 } } });
    expect(next.run === false && next.result.detail.message).toMatch(/operation had ended/);
  });
});
