// Quick Scan on a real agent process, with ClamAV and a signature database made here (signature
// downloads are not available): a hash signature of a harmless file the scan must find.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listOperationTargets } from '@/lib/notification/list-client-operations';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { useTestDatabase } from '../../support/database';
import { TestManagementPoint } from '../notification/management-point';
import { admin, eventually, targetStates } from '../notification/fleet';
import { ensureSite, startConfiguredAgent, type AgentProcess } from './agent-process';

let mp: TestManagementPoint;
let dir = '';
let infectedFile = '';
const agents: AgentProcess[] = [];

beforeAll(async () => {
  const { url } = await useTestDatabase();
  await ensureSite();
  mp = new TestManagementPoint({ connectionString: url });
  await mp.start();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-scan-'));
  await mkdir(path.join(dir, 'home/ann/Downloads'), { recursive: true });
  await mkdir(path.join(dir, 'signatures'));
  infectedFile = path.join(dir, 'home/ann/Downloads/invoice.pdf.exe');
  await writeFile(infectedFile, 'a harmless file that the test signature names\n');
  await writeFile(path.join(dir, 'home/ann/notes.txt'), 'nothing to see\n');
  const md5 = createHash('md5')
    .update(await readFile(infectedFile))
    .digest('hex');
  await writeFile(path.join(dir, 'signatures/sitebox-test.hdb'), `${md5}:${(await stat(infectedFile)).size}:Sitebox.Test.Signature\n`);
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});

afterAll(async () => {
  await mp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const agentWith = (name: string, scan: Record<string, unknown>) =>
  startConfiguredAgent({ dir, managementPointUrl: mp.url, name, extra: { scan }, agents });

async function quickScan(deviceId: number) {
  const operation = await startClientOperation({
    actor: admin,
    settings: { operationValidityMinutes: 60 },
    input: { action: 'QUICK_SCAN', target: { deviceIds: [deviceId] } },
  });
  await eventually(
    () => targetStates(operation.id),
    (s) => (s.SUCCEEDED ?? 0) + (s.FAILED ?? 0) === 1,
    60_000,
  );
  const { rows } = await listOperationTargets(operation.id, { page: 1, pageSize: 25 });
  return rows[0];
}

describe('Quick Scan on the real agent', () => {
  it('runs clamscan over the configured folders and reports the files scanned and the threat with its path', async () => {
    const { deviceId } = await agentWith('SCAN-01', {
      database: path.join(dir, 'signatures'),
      quickPaths: [path.join(dir, 'home'), path.join(dir, 'no-such-folder')],
    });
    const target = await quickScan(deviceId);
    expect(target.state).toBe('SUCCEEDED');
    expect(target.result).toMatchObject({
      message: 'Quick scan finished: 2 files scanned, 1 threats found.',
      itemsScanned: 2,
      threatsFound: 1,
      threats: [{ path: infectedFile, signature: expect.stringMatching(/^Sitebox\.Test\.Signature/) }],
    });
  });

  it('ends Failed with the reason when no scanner is installed, inventing nothing', async () => {
    const { deviceId } = await agentWith('SCAN-02', {
      clamscan: path.join(dir, 'not-installed/clamscan'),
      database: path.join(dir, 'signatures'),
      quickPaths: [path.join(dir, 'home')],
    });
    const target = await quickScan(deviceId);
    expect(target.state).toBe('FAILED');
    expect(target.result?.message).toBe(
      `Scan failed: no virus scanner: ${path.join(dir, 'not-installed/clamscan')} is not installed (install Debian's clamav package)`,
    );
    expect(target.result?.itemsScanned).toBeUndefined();
  });

  it('ends Failed with ClamAV’s own reason when it cannot load signatures', async () => {
    const { deviceId } = await agentWith('SCAN-03', { database: path.join(dir, 'no-signatures-here'), quickPaths: [path.join(dir, 'home')] });
    const target = await quickScan(deviceId);
    expect(target.state).toBe('FAILED');
    expect(target.result?.message).toMatch(/^Scan failed: clamscan failed \(exit code 2\): .*no-signatures-here/);
  });
});
