import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { decideQuarantinedItem } from '@/lib/quarantine-review/decide-quarantined-item';
import { createReplicationForwarder } from '@/lib/status/forward-replication';
import { enqueueReplication } from '@/lib/status/message-repo';
import { useTestDatabase } from '../../support/database';
import { testMessage, wire } from './fixtures';

const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.9' };

/** A parent site whose ingest endpoint refuses, as too large, any batch holding message ID 99. */
let server: Server;
let port = 0;
const received: string[] = [];

const outbox = async () => (await pool().query<{ uid: string }>(`SELECT uid FROM replication_outbox ORDER BY id`)).rows.map((r) => r.uid);

describe('replication with a message the parent cannot take', () => {
  beforeAll(async () => {
    await useTestDatabase();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        // The child's link reports (its backlog) are taken and otherwise ignored here.
        if (req.url === '/api/mp/child-site-link')
          return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"recorded"}');
        const messages = JSON.parse(body).messages as { uid: string; messageId: number }[];
        if (messages.some((m) => m.messageId === 99)) return void res.writeHead(413).end();
        received.push(...messages.map((m) => m.uid));
        res.writeHead(202, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('halves down to the one message, sets it aside in quarantine and forwards the rest', async () => {
    const poison = testMessage({ messageId: 99, severity: 'ERROR' });
    const others = [testMessage({ messageId: 1 }), testMessage({ messageId: 2 }), testMessage({ messageId: 3 })];
    const client = await pool().connect();
    await enqueueReplication(client, [
      { message: wire(poison), priority: 'HIGH' },
      ...others.map((m) => ({ message: wire(m), priority: 'LOW' as const })),
    ]);
    client.release();
    const forwarder = createReplicationForwarder({
      db: pool(),
      parentUrl: `http://127.0.0.1:${port}`,
      parentCredential: `SiteSystem 7.${'k'.repeat(43)}`,
      log: pino({ level: 'silent' }),
      batchSize: 4,
      timeoutMs: 5000,
      initialRetryMs: 1,
    });

    // Each tick is one answer from the parent; the halved batches come due within milliseconds.
    for (let tick = 0; tick < 50 && (await outbox()).length; tick++) await forwarder.tick();
    expect(await outbox()).toEqual([]);
    expect(received.sort()).toEqual(others.map((m) => m.uid).sort());

    const { rows } = await pool().query(`SELECT id::text, item_key, payload FROM quarantined_item WHERE source = 'status-manager.replication'`);
    expect(rows).toEqual([{ id: expect.any(String), item_key: poison.uid, payload: expect.any(String) }]);
    expect(JSON.parse(rows[0].payload)).toEqual({ priority: 'HIGH', message: wire(poison) });

    // Retry puts it back in the outbox with its priority.
    await decideQuarantinedItem({ id: rows[0].id, action: 'retry', actor });
    expect((await pool().query(`SELECT uid, priority::text FROM replication_outbox`)).rows).toEqual([{ uid: poison.uid, priority: 'HIGH' }]);
  });
});
