// Deployment changes reach the console over socket.io: a processed client report, a new
// deployment and an expiry each announce the deployment, after their transaction commits.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import pino from 'pino';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { createDeployment } from '@/lib/deployments/create-deployment';
import { notifyDeploymentsChanged } from '@/lib/deployments/notify-deployments-changed';
import { deploymentStatusSummarizer } from '@/lib/deployments/deployment-status-summarizer';
import { expireDeployments } from '@/lib/deployments/expire-deployments';
import { attachConsoleNamespace } from '@/lib/live/console-namespace';
import { attachDeploymentFeed } from '@/lib/live/deployments-feed';
import { joinEvent, liveEvents, liveRooms } from '@/lib/live/rooms';
import { statusMessageIds as ids } from '@/lib/reporting/catalog';
import { appendToInbox } from '@/lib/reporting/inbox-repo';
import { processStatusBatch } from '@/lib/status/process-status-batch';
import { connectConsoleSocket } from '../../support/console-socket';
import { useTestDatabase } from '../../support/database';

const log = pino({ level: 'silent' });

describe('deployment live feed', () => {
  const io = new Server(createServer());
  let feed: ReturnType<typeof attachDeploymentFeed>;
  let socket: Socket;
  const received: number[][] = [];
  let programId: number;
  let collectionId: number;

  const until = async (check: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    feed = attachDeploymentFeed({ nsp: attachConsoleNamespace({ io, log }), connectionString: url, coalesceMs: 50 });
    socket = await connectConsoleSocket(io);
    socket.on(liveEvents.deploymentsChanged, (p: { deployments: number[] }) => received.push(p.deployments));
    expect(await socket.timeout(5000).emitWithAck(joinEvent, { room: liveRooms.deployments })).toEqual({ ok: true });
    await feed.listening;

    const site = (await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now()) RETURNING id`)).rows[0].id;
    const device = (
      await pool().query(
        `INSERT INTO device (site_id, name, os_name, os_version, os_kind, updated_at) VALUES ($1, 'WKS-1', 'Windows 11', '10.0', 'WORKSTATION', now()) RETURNING id`,
        [site],
      )
    ).rows[0].id;
    collectionId = (await pool().query(`INSERT INTO collection (collection_id, name, updated_at) VALUES ('S0100009', 'Pilot', now()) RETURNING id`))
      .rows[0].id;
    await pool().query(`INSERT INTO collection_member (collection_id, device_id) VALUES ($1, $2)`, [collectionId, device]);
    const pkg = (await pool().query(`INSERT INTO package (package_id, name, updated_at) VALUES ('S0100001', 'P', now()) RETURNING id`)).rows[0].id;
    programId = (
      await pool().query(`INSERT INTO program (package_id, name, command_line, updated_at) VALUES ($1, 'Install', 'setup.exe', now()) RETURNING id`, [
        pkg,
      ])
    ).rows[0].id;
  });

  afterAll(async () => {
    socket?.close();
    await feed?.close();
    void io.close();
  });

  it('announces a new deployment, a processed report and an expiry', async () => {
    const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };
    const deployment = await createDeployment({
      actor,
      input: {
        name: 'Live',
        comment: '',
        programId,
        collectionId,
        availableAt: new Date(Date.now() - 60_000),
        mandatoryAt: null,
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    await until(() => received.some((d) => d.includes(deployment.id)));
    received.length = 0;

    await appendToInbox({
      db: pool(),
      origin: 'mp',
      messages: [
        {
          uid: randomUUID(),
          messageId: ids.programSucceeded,
          severity: 'INFORMATIONAL',
          type: 'MILESTONE',
          source: 'CLIENT',
          siteCode: 'S01',
          systemName: 'WKS-1',
          component: 'Software Distribution',
          sourceTime: new Date(),
          insertionStrings: [deployment.deploymentId, 'S0100001', 'Install', '0'],
          properties: {},
        },
      ],
    });
    // Nothing is announced before Status Manager has processed (and committed) the report: a
    // marker announced after the append arrives alone (notifications arrive in commit order).
    const marker = 2_147_483_647;
    await notifyDeploymentsChanged(pool(), [marker]);
    await until(() => received.some((d) => d.includes(marker)));
    expect(received).toEqual([[marker]]);
    received.length = 0;
    await processStatusBatch({
      db: pool(),
      rules: [],
      maxBatches: 10,
      log,
      effects: { summarizers: deploymentStatusSummarizer, eventLog: () => {}, programs: { run: () => {} }, replicationEnabled: false },
    });
    await until(() => received.some((d) => d.includes(deployment.id)));
    received.length = 0;

    await pool().query(`UPDATE deployment SET expires_at = now() - interval '1 second' WHERE id = $1`, [deployment.id]);
    await expireDeployments();
    await until(() => received.some((d) => d.includes(deployment.id)));
  });
});
