import dgram from 'node:dgram';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { channels } from '@/lib/db/channels';
import { processMetrics } from '@/lib/metrics/registry';
import { createFilterRule } from '@/lib/status/create-filter-rule';
import { appendToInbox } from '@/lib/reporting/inbox-repo';
import { reportServerMessage, serverMessage } from '@/lib/reporting/report-server-message';
import { startStatusManager } from '@/lib/status/status-manager';
import type { SummarizerHandoff } from '@/lib/summarizers/summarizer-handoff';
import { updateFilterRule } from '@/lib/status/update-filter-rule';
import { useTestDatabase } from '../support/database';
import { testMessage, testRuleInput as ruleInput } from '../lib/status/fixtures';
import { siteControlSettings } from '../support/status-manager-settings';

const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };

async function eventually<T>(check: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stored = async (uid: string) => Number((await pool().query(`SELECT count(*) n FROM status_message WHERE uid = $1`, [uid])).rows[0].n);

describe('Status Manager', () => {
  const controller = new AbortController();
  let manager: Awaited<ReturnType<typeof startStatusManager>>;
  let syslog: dgram.Socket;
  const syslogLines: string[] = [];
  const summarized: SummarizerHandoff['messages'][number][] = [];
  let dir: string;

  beforeAll(async () => {
    await useTestDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-status-manager-'));
    syslog = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => syslog.bind(0, '127.0.0.1', resolve));
    syslog.on('message', (m) => syslogLines.push(m.toString('utf8')));
    manager = await startStatusManager({
      db: pool(),
      connectionString: config().databaseUrl,
      log: pino({ level: 'silent' }),
      signal: controller.signal,
      loops: 2,
      batchRows: 5,
      watchSettings: siteControlSettings(config().databaseUrl),
      ledgerDays: 7,
      syslogTarget: `udp://127.0.0.1:${syslog.address().port}`,
      pollMs: 50,
      summarizers: async ({ messages }) => {
        summarized.push(...messages);
      },
    });
  });

  afterAll(async () => {
    controller.abort();
    await manager.stop();
    syslog.close();
  });

  it("processes the inbox, its own process's server messages among them, through the rules", async () => {
    await createFilterRule({ actor, input: ruleInput({ name: 'Write all', writeToDatabase: true, retentionDays: 30 }) });
    const fromClient = testMessage({ messageId: 10002 });
    await appendToInbox({ db: pool(), messages: [fromClient], origin: 'mp' });
    // Status Manager runs in this process: a server component's message goes through the inbox all the same.
    const own = serverMessage({ messageId: 500, component: 'SMS_TEST_COMPONENT', insertionStrings: ['SMS_TEST_COMPONENT', 'here'] });
    await reportServerMessage({ messages: own });
    expect(
      await eventually(
        () => stored(fromClient.uid),
        (n) => n === 1,
      ),
    ).toBe(1);
    expect(
      await eventually(
        () => stored(own.uid),
        (n) => n === 1,
      ),
    ).toBe(1);
    expect(summarized.map((m) => m.message.uid)).toEqual(expect.arrayContaining([fromClient.uid, own.uid]));
    // This process's own figures, which its worker writes with each heartbeat for /api/metrics.
    const figure = async (name: string) => Number(/ (\d+)$/m.exec(await processMetrics().getSingleMetricAsString(name))?.[1]);
    expect(await figure('sitebox_status_manager_batches_processed_total')).toBeGreaterThanOrEqual(1);
    expect(await figure('sitebox_status_manager_messages_stored_total')).toBeGreaterThanOrEqual(2);
  });

  it('applies rule changes without a restart, and runs the event-log and program actions once each', async () => {
    const recorder = path.join(dir, 'record.sh');
    const out = path.join(dir, 'runs.txt');
    await writeFile(recorder, `#!/bin/sh\nprintf '%s|%s\\n' "$1" "$2" >> '${out}'\n`);
    await chmod(recorder, 0o755);
    const rule = await createFilterRule({
      actor,
      input: ruleInput({
        name: 'Failed installs',
        messageId: 10006,
        reportToEventLog: true,
        runProgram: { kind: 'command', file: recorder, args: ['%msgsys', '%msgis03'], timeoutSeconds: 10 },
        stopProcessing: true,
      }),
    });
    // Moved first so it runs before "Write all" and stops it.
    await pool().query(`UPDATE status_filter_rule SET priority = -5 WHERE id = $1`, [rule.id]);
    await pool().query(`SELECT pg_notify($1, '')`, [channels.statusFilterRulesChanged]);

    const hostile = '$(touch /tmp/sitebox-owned); rm -rf /';
    const failed = testMessage({ messageId: 10006, severity: 'ERROR', insertionStrings: ['S0120001', 'S0100003', hostile, '1603'] });
    await appendToInbox({ db: pool(), messages: [failed], origin: 'mp' });
    await appendToInbox({ db: pool(), messages: [failed], origin: 'mp' });
    const runs = await eventually(
      () => readFile(out, 'utf8').catch(() => ''),
      (t) => t.length > 0,
    );
    expect(runs).toBe(`WKS0001|${hostile}\n`);
    await eventually(
      async () => syslogLines.length,
      (n) => n > 0,
    );
    expect(syslogLines.filter((l) => l.includes(failed.uid))).toHaveLength(1);
    expect(syslogLines[0]).toMatch(/^<131>1 /);
    // Stopped before "Write all": not stored.
    expect(await stored(failed.uid)).toBe(0);

    // Disable it: the next message falls through to "Write all" at once.
    await updateFilterRule({ actor, id: rule.id, patch: { enabled: false } });
    const next = testMessage({ messageId: 10006, severity: 'ERROR' });
    await appendToInbox({ db: pool(), messages: [next], origin: 'mp' });
    await manager.flush();
    expect(await stored(next.uid)).toBe(1);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('runs an action that two matching rules ask for once: one event-log line, one program run, one stored row', async () => {
    const recorder = path.join(dir, 'twice.sh');
    const out = path.join(dir, 'twice.txt');
    await writeFile(recorder, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${out}'\n`);
    await chmod(recorder, 0o755);
    const program = { kind: 'command' as const, file: recorder, args: ['%msguid'], timeoutSeconds: 10 };
    for (const name of ['Deployment failures (operators)', 'Deployment failures (auditors)']) {
      const rule = await createFilterRule({
        actor,
        input: ruleInput({
          name,
          messageId: 10007,
          reportToEventLog: true,
          runProgram: program,
          writeToDatabase: true,
          retentionDays: name.includes('auditors') ? 90 : 7,
        }),
      });
      await pool().query(`UPDATE status_filter_rule SET priority = $2 WHERE id = $1`, [rule.id, -20 + (rule.id % 10)]);
    }
    await pool().query(`SELECT pg_notify($1, '')`, [channels.statusFilterRulesChanged]);
    const failed = testMessage({ messageId: 10007, severity: 'ERROR', insertionStrings: ['S0120009', 'S0100009', 'setup.exe'] });
    await appendToInbox({ db: pool(), messages: [failed], origin: 'mp' });
    await manager.flush();
    expect(await stored(failed.uid)).toBe(1);
    await eventually(
      async () => syslogLines.filter((l) => l.includes(failed.uid)).length,
      (n) => n > 0,
    );
    expect(await readFile(out, 'utf8')).toBe(`${failed.uid}\n`);
    expect(syslogLines.filter((l) => l.includes(failed.uid))).toHaveLength(1);
    // Both rules write it; it is stored once and kept as long as the longer retention says.
    const { rows } = await pool().query(
      `SELECT round(extract(epoch FROM expires_at - received_at) / 86400) AS days FROM status_message WHERE uid = $1`,
      [failed.uid],
    );
    expect(Number(rows[0].days)).toBe(90);
  });
});
