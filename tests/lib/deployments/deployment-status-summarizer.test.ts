// The deployment status summarizer inside real Status Manager batches: counts kept incrementally,
// never twice for a re-delivered message, newest report winning across batches, a failing batch
// leaving nothing behind, and messages about unknown deployments or devices ignored.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { deploymentStatusSummarizer } from '@/lib/deployments/deployment-status-summarizer';
import { statusMessageIds as ids } from '@/lib/reporting/catalog';
import { appendToInbox } from '@/lib/reporting/inbox-repo';
import { processStatusBatch, type StatusManagerEffects } from '@/lib/status/process-status-batch';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import { composeSummarizers, type Summarizers } from '@/lib/summarizers/summarizer-handoff';
import { useTestDatabase } from '../../support/database';

const log = pino({ level: 'silent' });
const base = Date.parse('2026-11-23T09:00:00Z');

function message(device: string, messageId: number, minute: number, extra: Partial<StatusMessage> = {}): StatusMessage {
  return {
    uid: randomUUID(),
    messageId,
    severity: 'INFORMATIONAL',
    type: 'MILESTONE',
    source: 'CLIENT',
    siteCode: 'S01',
    systemName: device,
    component: 'Software Distribution',
    sourceTime: new Date(base + minute * 60_000),
    insertionStrings: ['S0120001', 'S0100001', 'Install', '0'],
    properties: { AdvertisementID: 'S0120001' },
    ...extra,
  };
}

async function drain(summarizers: Summarizers = deploymentStatusSummarizer) {
  const effects: StatusManagerEffects = { summarizers, eventLog: () => {}, programs: { run: () => {} }, replicationEnabled: false };
  for (;;) {
    const result = await processStatusBatch({ db: pool(), rules: [], effects, maxBatches: 10, log });
    if (!result.messages) return;
  }
}

async function state() {
  const clients = await pool().query(
    `SELECT d.name, s.status, s.exit_code, s.last_message_id FROM deployment_client_status s JOIN device d ON d.id = s.device_id ORDER BY d.name`,
  );
  const summary = await pool().query(`SELECT received, program_started, program_errors, program_succeeded, late_reports FROM deployment_summary`);
  return { clients: clients.rows, summary: summary.rows[0] };
}

describe('deployment status summarizer', () => {
  beforeAll(async () => {
    await useTestDatabase();
    const db = pool();
    const site = (await db.query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now()) RETURNING id`)).rows[0].id;
    for (const name of ['WKS-A', 'WKS-B']) {
      await db.query(
        `INSERT INTO device (site_id, name, os_name, os_version, os_kind, updated_at) VALUES ($1, $2, 'Windows 11', '10.0', 'WORKSTATION', now())`,
        [site, name],
      );
    }
    const collection = (await db.query(`INSERT INTO collection (collection_id, name, updated_at) VALUES ('S0100009', 'Pilot', now()) RETURNING id`))
      .rows[0].id;
    const pkg = (await db.query(`INSERT INTO package (package_id, name, updated_at) VALUES ('S0100001', 'P', now()) RETURNING id`)).rows[0].id;
    const program = (
      await db.query(`INSERT INTO program (package_id, name, command_line, updated_at) VALUES ($1, 'Install', 'setup.exe', now()) RETURNING id`, [
        pkg,
      ])
    ).rows[0].id;
    await db.query(
      `INSERT INTO deployment (deployment_id, name, program_id, collection_id, available_at, created_by, updated_at)
       VALUES ('S0120001', 'D', $1, $2, now(), 'admin', now())`,
      [program, collection],
    );
    // Both devices are targeted, as creating the deployment for their collection records.
    await db.query(`INSERT INTO deployment_client_status (deployment_id, device_id) SELECT dep.id, d.id FROM deployment dep CROSS JOIN device d`);
  });

  it('derives statuses and counts, and never counts a re-delivered message twice', async () => {
    const batch = [
      message('WKS-A', ids.programReceived, 0),
      message('WKS-A', ids.programSucceeded, 2, { properties: { AdvertisementID: 'S0120001', ExitCode: '3010' } }),
      message('WKS-A', ids.programStarted, 1), // out of order within the batch
      message('WKS-B', ids.programReceived, 0),
      message('WKS-B', ids.programFailed, 5, { insertionStrings: ['S0120001', 'S0100001', 'Install', '1603'], properties: {} }),
      message('WKS-Z', ids.programReceived, 0), // no such device
      message('WKS-A', ids.programReceived, 0, { properties: { AdvertisementID: 'S0129999' } }), // no such deployment
      message('WKS-A', ids.meteringRulesReceived, 0), // not program status
    ];
    await appendToInbox({ db: pool(), messages: batch, origin: 'mp' });
    // The reporter retried: the same batch arrives again.
    await appendToInbox({ db: pool(), messages: batch, origin: 'mp' });
    await drain();
    const after = await state();
    expect(after.clients).toEqual([
      { name: 'WKS-A', status: 'SUCCEEDED', exit_code: 3010, last_message_id: ids.programSucceeded },
      { name: 'WKS-B', status: 'FAILED', exit_code: 1603, last_message_id: ids.programFailed },
    ]);
    expect(after.summary).toEqual({ received: 2, program_started: 1, program_errors: 1, program_succeeded: 1, late_reports: 0 });

    // Delivered once more in a later batch: recognised by uid, nothing changes.
    await appendToInbox({ db: pool(), messages: batch.slice(0, 2), origin: 'mp' });
    await drain();
    expect(await state()).toEqual(after);
  });

  it('keeps the newest report across batches and rolls back with a failing batch', async () => {
    await appendToInbox({ db: pool(), messages: [message('WKS-A', ids.programStarted, 1)], origin: 'mp' }); // older than Succeeded
    await drain();
    expect((await state()).clients[0]).toMatchObject({ status: 'SUCCEEDED' });
    expect((await state()).summary.program_started).toBe(2);

    const retry = message('WKS-B', ids.programWillRetry, 10, {
      insertionStrings: ['S0120001', 'S0100001', 'Install', '1603', '1', '3'],
      properties: {},
    });
    await appendToInbox({ db: pool(), messages: [retry], origin: 'mp' });
    const failing = composeSummarizers(deploymentStatusSummarizer, async () => {
      throw new Error('another summarizer failed');
    });
    await expect(drain(failing)).rejects.toThrow('another summarizer failed');
    expect((await state()).clients[1]).toMatchObject({ status: 'FAILED' });
    await drain(); // the batch went back to the inbox; processed once, now
    expect((await state()).clients[1]).toMatchObject({ status: 'RETRYING', exit_code: 1603 });
    const { rows } = await pool().query(`SELECT retrying FROM deployment_summary`);
    expect(rows[0].retrying).toBe(1);
  });
});
