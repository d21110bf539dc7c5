// What `sitebox-agent status` counts in the agent's state folder: status messages not yet sent,
// metering runs in progress and finished runs not yet uploaded.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../support/temp-dir';
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
});
