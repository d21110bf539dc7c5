// Each live query entity answered from this machine itself, with the entity's columns and types.
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, copyFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { collectEntity, parseSystemctlUnits } from '@/lib/agent/live-query/collect-entity';
import { liveQueryEntities } from '@/lib/live-query/entities';
import { evaluateLiveQuery } from '@/lib/live-query/evaluate-query';
import { readLiveQuery } from '@/lib/live-query/validate-query';

const run = promisify(execFile);

function readable(file: string) {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function expectTyped(entity: string, rows: Record<string, unknown>[]) {
  const columns = liveQueryEntities[entity].columns;
  for (const row of rows) {
    expect(Object.keys(row).sort()).toEqual(Object.keys(columns).sort());
    for (const [name, type] of Object.entries(columns)) if (row[name] !== null) expect(typeof row[name], `${entity}.${name}`).toBe(type);
  }
}

describe('live query entities on this machine', () => {
  it('processes: a name and command line with spaces and in any script, as the process has them', async () => {
    // Read through `ps` in the C locale, such a process was left out, or its name cut at the space.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'live-query-proc-'));
    const program = path.join(dir, 'Web Content 界');
    await copyFile('/bin/sleep', program);
    await chmod(program, 0o755);
    const child = spawn(program, ['300', '60'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const rows = await collectEntity('processes', null);
      const row = rows.find((p) => p.pid === child.pid);
      expect(row).toMatchObject({ name: 'Web Content 界', command: `${program} 300 60`, user: os.userInfo().username });
      expect(row!.memoryMb).toBeGreaterThan(0);
      expectTyped('processes', rows);
      // A kernel thread has no command line: its kernel name, bracketed as ps shows it.
      expect(rows.find((p) => p.pid === 2)).toMatchObject({ name: 'kthreadd', command: '[kthreadd]' });
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('os, processes (this test among them), disks, packages and a file answer with typed columns', async () => {
    const [system] = await collectEntity('os', null);
    expect(system.hostname).toBe(os.hostname());
    expect(system.arch).toBeTruthy();
    expectTyped('os', [system]);

    const processes = await collectEntity('processes', null);
    expect(processes.find((p) => p.pid === process.pid)).toBeDefined();
    expectTyped('processes', processes);

    const disks = await collectEntity('disks', null);
    expect(disks.some((d) => d.mount === '/')).toBe(true);
    expectTyped('disks', disks);

    const packages = await collectEntity('packages', null);
    // This machine is Debian: dpkg itself is installed.
    expect(packages.find((p) => p.name === 'dpkg')).toMatchObject({ source: 'dpkg' });
    expectTyped('packages', packages);

    const target = path.join(os.tmpdir(), `live-query-${process.pid}.txt`);
    await writeFile(target, 'abc');
    expect(await collectEntity('file', target)).toEqual([
      { path: target, exists: true, size: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
    ]);
    expect(await collectEntity('file', `${target}.missing`)).toEqual([{ path: `${target}.missing`, exists: false, size: null, sha256: null }]);
  });

  // /proc/kmsg is a regular file whose read waits for the next kernel message: waited on, it held
  // one of libuv's four threads past any cancel, and four such queries left the agent no thread
  // for its own files (it stopped even acknowledging pushes). Only root may read it, so a FIFO
  // with a writer that sends nothing, which any user can make, stands in for it everywhere: read,
  // it too would wait for good. A wait fails the case by its timeout.
  it('a file whose reading waits for data (a FIFO with an idle writer; /proc/kmsg where readable) is answered at once, not waited on', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'live-query-fifo-'));
    const fifo = path.join(dir, 'pipe');
    await run('mkfifo', [fifo]);
    // Read and write: opens at once and keeps a writer on the FIFO without a reader.
    const writer = await open(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      expect(await collectEntity('file', fifo)).toEqual([{ path: fifo, exists: true, size: 0, sha256: null }]);
      if (readable('/proc/kmsg'))
        await expect(collectEntity('file', '/proc/kmsg')).rejects.toThrow('/proc/kmsg gives data as it comes rather than content to hash');
    } finally {
      await writer.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 10_000);

  it('ports, users and services answer (possibly empty where the machine has none), and a query runs over them', async () => {
    for (const entity of ['ports', 'users', 'services']) expectTyped(entity, await collectEntity(entity, null));
    const query = readLiveQuery('packages | where source = "dpkg" | summarize count() by source');
    const rows = evaluateLiveQuery(query.query!, await collectEntity('packages', null));
    expect(rows).toHaveLength(1);
    expect(rows[0].count).toBeGreaterThan(10);
  });

  it('reads systemctl’s unit list', () => {
    expect(
      parseSystemctlUnits(
        'ssh.service loaded active running OpenBSD Secure Shell server\ncron.service loaded inactive dead Regular jobs\nfoo.socket loaded active listening x\n',
      ),
    ).toEqual([
      { name: 'ssh.service', active: 'active', sub: 'running', description: 'OpenBSD Secure Shell server' },
      { name: 'cron.service', active: 'inactive', sub: 'dead', description: 'Regular jobs' },
    ]);
  });
});
