// What `sitebox-agent status` counts in the agent's state folder: status messages not yet sent,
// metering runs in progress and finished runs not yet uploaded, and where inventory stands.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../support/temp-dir';
import { describeInventoryState, inventoryStateSchema } from '@/lib/agent/inventory/inventory-state';
import { meteringBacklog } from '@/lib/agent/metering/metering-agent';
import { spooledStatusMessages } from '@/lib/agent/status-reporter';

const tempDir = useTempDir('sitebox-agent-status-');

describe('the agent status backlog', () => {
  it("sums the messages of the reporter's spool files, ignoring anything else there", async () => {
    const spool = path.join(tempDir(), 'spool');
    await mkdir(path.join(spool, 'rejected'), { recursive: true });
    await writeFile(path.join(spool, '000001733500000-000001-0a1b2c3d-n500.batch.json'), '{"messages":[]}');
    await writeFile(path.join(spool, '000001733500001-000002-0a1b2c3e-n3.batch.json'), '{"messages":[]}');
    await writeFile(path.join(spool, '000001733500002-000003-0a1b2c3f-n7.batch.json.tmp'), '');
    await writeFile(path.join(spool, 'rejected', 'x-n9.batch.json'), '');
    expect(await spooledStatusMessages(spool)).toBe(503);
    expect(await spooledStatusMessages(path.join(tempDir(), 'none'))).toBe(0);
  });

  it('counts metering runs in progress and finished runs waiting for upload', async () => {
    const metering = path.join(tempDir(), 'metering');
    await mkdir(path.join(metering, 'usage-spool'), { recursive: true });
    await writeFile(path.join(metering, 'runs-in-progress.json'), JSON.stringify({ bootId: 'b', runs: [{}, {}] }));
    for (const name of ['a.usage.json', 'b.usage.json', 'c.usage.json', 'd.usage.json.tmp'])
      await writeFile(path.join(metering, 'usage-spool', name), '{}');
    expect(await meteringBacklog(metering)).toEqual({ inProgress: 2, waiting: 3 });
    await writeFile(path.join(metering, 'runs-in-progress.json'), '{"runs": [');
    expect(await meteringBacklog(metering)).toEqual({ inProgress: 0, waiting: 3 });
    expect(await meteringBacklog(path.join(tempDir(), 'none'))).toEqual({ inProgress: 0, waiting: 0 });
  });
  it('tells the packages and snaps of the last report, whether the site has it, and when each cycle ran', () => {
    const state = (fields: object) => inventoryStateSchema.parse(fields);
    expect(describeInventoryState(state({}))).toBe('no report yet (the next one is full); software inventoried never, hardware never');
    const snapshot = {
      version: 3,
      hardware: {},
      software: {
        source: 'dpkg',
        packages: [
          ['bash', '5.2', 'amd64', null],
          ['curl', '8.1', 'amd64', null],
          ['firefox', '128.0', 'amd64', '2026-11-30', 'snap'],
        ],
      },
    };
    const lastRun = { software: '2026-12-07T05:52:50.403Z', hardware: '2026-12-06T22:01:09.000Z' };
    expect(describeInventoryState(state({ nextVersion: 4, snapshot, acknowledgedVersion: 3, lastRun }))).toBe(
      '2 packages (dpkg) and 1 snap; report 3, which the site has; software inventoried 2026-12-07 05:52 UTC, hardware 2026-12-06 22:01 UTC',
    );
    expect(describeInventoryState(state({ nextVersion: 4, snapshot, acknowledgedVersion: 2, lastRun }))).toContain(
      'report 3 waiting to be sent (the site has report 2)',
    );
    const bare = { ...snapshot, software: { source: null, packages: [] } };
    expect(describeInventoryState(state({ snapshot: bare, acknowledgedVersion: null }))).toMatch(
      /^0 packages; report 3 waiting to be sent \(the site has none\);/,
    );
  });
});
