// A full disk, as the reporter's spool writes meet it: its temporary files cannot be opened
// (ENOSPC) while `disk.full` is set. The rest of the file system works as ever.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as ingest } from '@/app/api/mp/status-messages/route';
import { pool } from '@/lib/db/pool';
import { createStatusReporter } from '@/lib/agent/status-reporter';
import { useTestDatabase } from '../../support/database';
import { INBOX_MESSAGES } from '../../support/inbox';
import { seedReportingClient, testMessage } from '../status/fixtures';
import { RouteServer } from '../status/serve-route';

const disk = vi.hoisted(() => ({ full: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof actual.open = async (file, ...rest) => {
    if (disk.full && String(file).endsWith('.tmp'))
      throw Object.assign(new Error(`ENOSPC: no space left on device, open '${String(file)}'`), { code: 'ENOSPC' });
    return actual.open(file, ...rest);
  };
  return { ...actual, open, default: { ...actual, open } };
});

describe('status reporter on a full disk', () => {
  const mp = new RouteServer({ '/api/mp/status-messages': ingest });
  let authorization = '';
  beforeAll(async () => {
    await useTestDatabase();
    authorization = await seedReportingClient();
    await mp.start();
  });
  afterAll(() => mp.stop());

  it('keeps reports in memory until the spool has room, then sends them in the order made', async () => {
    const warnings: string[] = [];
    const line = (_fields: object, msg?: string) => warnings.push(msg ?? '');
    const reporter = createStatusReporter({
      managementPointUrl: mp.url,
      spoolDir: await mkdtemp(path.join(os.tmpdir(), 'sitebox-spool-')),
      log: { debug() {}, info() {}, warn: line },
      headers: () => ({ authorization }),
      initialBackoffMs: 50,
      maxBackoffMs: 200,
    });
    try {
      disk.full = true;
      const first = [testMessage(), testMessage()];
      const second = [testMessage()];
      await reporter.report(first);
      await reporter.report(second);
      expect(await reporter.pending()).toBe(3);
      expect(warnings).toEqual(['the disk is full: status messages are kept in memory until the spool has room']);
      reporter.start();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await reporter.pending()).toBe(3);

      disk.full = false;
      await reporter.flush();
      expect(await reporter.pending()).toBe(0);
      const { rows } = await pool().query<{ uid: string }>(
        `SELECT m->>'uid' AS uid FROM status_inbox, json_array_elements(${INBOX_MESSAGES}) WITH ORDINALITY AS e(m, n) ORDER BY status_inbox.id, n`,
      );
      expect(rows.map((r) => r.uid)).toEqual([...first, ...second].map((m) => m.uid));
    } finally {
      disk.full = false;
      await reporter.stop();
    }
  }, 30_000);
});
