// Every feed, watcher and worker of a process shares one LISTEN connection; each subscriber
// hears its own channels, catches up after the connection is lost, and the last one out closes it.
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { channels } from '@/lib/db/channels';
import { listenShared } from '@/lib/db/listen-shared';
import { useTestDatabase } from '../../support/database';

const listenConnections = async () =>
  Number(
    (await pool().query(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'sitebox-listen'`)).rows[0]
      .count,
  );

const notify = (channel: string, payload: string) => pool().query('SELECT pg_notify($1, $2)', [channel, payload]);

function subscriber(subscribed: readonly (typeof channels)[keyof typeof channels][]) {
  const heard: string[] = [];
  let reconnects = 0;
  let listening!: () => void;
  const firstListen = new Promise<void>((resolve) => (listening = resolve));
  const handle = listenShared({
    channels: subscribed,
    onNotification: (channel, payload) => heard.push(`${channel}:${payload}`),
    onReconnect: () => void reconnects++,
    onListening: () => listening(),
  });
  return { heard, reconnects: () => reconnects, firstListen, handle };
}

describe('the process LISTEN connection', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });

  it('serves every subscriber on one connection, each with only its own channels', async () => {
    const deployments = subscriber([channels.deploymentsChanged]);
    const summaries = subscriber([channels.statusSummariesChanged, channels.deploymentsChanged]);
    await Promise.all([deployments.firstListen, summaries.firstListen]);
    expect(await listenConnections()).toBe(1);

    await notify(channels.statusSummariesChanged, 'S01');
    await notify(channels.deploymentsChanged, '7');
    await expect.poll(() => summaries.heard).toEqual([`${channels.statusSummariesChanged}:S01`, `${channels.deploymentsChanged}:7`]);
    expect(deployments.heard).toEqual([`${channels.deploymentsChanged}:7`]);

    // A subscriber that joins the open connection is told once its own LISTEN is in place.
    const late = subscriber([channels.collectionsChanged]);
    await late.firstListen;
    await notify(channels.collectionsChanged, '');
    await expect.poll(() => late.heard).toEqual([`${channels.collectionsChanged}:`]);
    expect(await listenConnections()).toBe(1);

    await Promise.all([deployments.handle.close(), summaries.handle.close(), late.handle.close()]);
    await expect.poll(listenConnections).toBe(0);
  });

  it('tells each subscriber to catch up after the connection is lost, and listens again', async () => {
    const a = subscriber([channels.deploymentsChanged]);
    const b = subscriber([channels.siteControlApplied]);
    await Promise.all([a.firstListen, b.firstListen]);
    await pool().query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'sitebox-listen'`,
    );
    await expect.poll(() => [a.reconnects(), b.reconnects()], { timeout: 10_000 }).toEqual([1, 1]);
    await notify(channels.siteControlApplied, 'after');
    await expect.poll(() => b.heard).toEqual([`${channels.siteControlApplied}:after`]);
    expect(a.heard).toEqual([]);
    await Promise.all([a.handle.close(), b.handle.close()]);
  });
});
