import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { channels } from '../db/channels';

/**
 * Data access for notification servers and client presence. A client is online while a
 * presence row of a living notification server holds it; device.online and last_seen_at are
 * kept from these rows in the same statements, so the Devices view reads plain columns.
 */

type Db = pg.Pool | pg.PoolClient;

/**
 * Records that the server is alive. Returns true when its row was missing: at its first beat, or
 * after another server reaped it (its beats failed for a while, e.g. the database was away).
 */
export async function beatNotificationServer(db: Db, server: { instanceId: string; host: string; pid: number; startedAt: Date }): Promise<boolean> {
  const { rows } = await db.query<{ inserted: boolean }>(
    `INSERT INTO notification_server (instance_id, host, pid, started_at, last_beat_at)
     VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (instance_id) DO UPDATE SET last_beat_at = now(), stopped_at = NULL
     RETURNING (xmax = 0) AS inserted`,
    [server.instanceId, server.host, server.pid, server.startedAt],
  );
  return rows[0].inserted;
}

/**
 * One batch of presence changes of one notification server: clients that connected, clients
 * whose last connection closed, and clients that sent a keep-alive. Returns how many changed.
 */
export async function recordPresence(
  db: pg.Pool,
  batch: { instanceId: string; connected: { deviceId: number; at: Date }[]; disconnected: number[]; seen: number[]; now: Date },
): Promise<number> {
  return inTransaction(db, async (client) => {
    let changed = 0;
    if (batch.connected.length) {
      await client.query(
        `INSERT INTO device_presence (device_id, instance_id, connected_at)
         SELECT c.device_id, $1, c.at FROM unnest($2::int[], $3::timestamptz[]) AS c(device_id, at)
         ON CONFLICT (device_id, instance_id) DO UPDATE SET connected_at = excluded.connected_at`,
        [batch.instanceId, batch.connected.map((c) => c.deviceId), batch.connected.map((c) => c.at)],
      );
      const { rowCount } = await client.query(`UPDATE device SET online = true, last_seen_at = $2 WHERE id = ANY($1::int[])`, [
        batch.connected.map((c) => c.deviceId),
        batch.now,
      ]);
      changed += rowCount ?? 0;
    }
    if (batch.disconnected.length) {
      await client.query(`DELETE FROM device_presence WHERE instance_id = $1 AND device_id = ANY($2::int[])`, [batch.instanceId, batch.disconnected]);
      // Still connected to another notification server (a client that moved): stays online.
      const { rowCount } = await client.query(
        `UPDATE device d SET online = EXISTS (SELECT 1 FROM device_presence p WHERE p.device_id = d.id), last_seen_at = $2
          WHERE d.id = ANY($1::int[])`,
        [batch.disconnected, batch.now],
      );
      changed += rowCount ?? 0;
    }
    if (batch.seen.length) {
      await client.query(`UPDATE device SET last_seen_at = $2 WHERE id = ANY($1::int[])`, [batch.seen, batch.now]);
    }
    if (changed) await client.query(`SELECT pg_notify($1, $2)`, [channels.devicePresence, String(changed)]);
    return changed;
  });
}

/**
 * Removes notification servers that stopped beating (or stopped cleanly) with their presence
 * rows, and takes their clients offline unless another server holds them. One that stopped
 * beating may have stored answers it never told the consoles of (it tells them a moment after,
 * see ProgressNotifier): the consoles are then told to read the operations again. Safe to run
 * from several processes at once: each dead server is claimed by one (SKIP LOCKED).
 */
export async function reapNotificationServers(
  db: pg.Pool,
  options: { staleSeconds: number; exceptInstanceId?: string; now: Date; only?: string },
): Promise<{ servers: string[]; offline: number }> {
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<{ instance_id: string; silent: boolean }>(
      options.only
        ? `SELECT instance_id, false AS silent FROM notification_server WHERE instance_id = $1 FOR UPDATE SKIP LOCKED`
        : `SELECT instance_id, stopped_at IS NULL AS silent FROM notification_server
            WHERE (last_beat_at < now() - make_interval(secs => $1) OR stopped_at IS NOT NULL)
              AND instance_id <> $2
            FOR UPDATE SKIP LOCKED`,
      options.only ? [options.only] : [options.staleSeconds, options.exceptInstanceId ?? ''],
    );
    const servers = rows.map((r) => r.instance_id);
    let offline = 0;
    if (servers.length) {
      const gone = await client.query<{ device_id: number }>(`DELETE FROM device_presence WHERE instance_id = ANY($1::text[]) RETURNING device_id`, [
        servers,
      ]);
      const ids = [...new Set(gone.rows.map((r) => r.device_id))];
      if (ids.length) {
        const { rowCount } = await client.query(
          `UPDATE device d SET online = false, last_seen_at = greatest(d.last_seen_at, $2)
            WHERE d.id = ANY($1::int[]) AND d.online AND NOT EXISTS (SELECT 1 FROM device_presence p WHERE p.device_id = d.id)`,
          [ids, options.now],
        );
        offline = rowCount ?? 0;
        if (offline) await client.query(`SELECT pg_notify($1, $2)`, [channels.devicePresence, String(offline)]);
      }
      await client.query(`DELETE FROM notification_server WHERE instance_id = ANY($1::text[])`, [servers]);
      // A server removing itself (`only`) has told what it stored. No operation named: every
      // console reads its lists and counts again.
      if (rows.some((r) => r.silent))
        await client.query(`SELECT pg_notify($1, $2)`, [channels.clientOperationProgress, JSON.stringify({ changed: [] })]);
    }
    return { servers, offline };
  });
}

/**
 * Devices marked online that no presence row holds (left behind by a database restored from a
 * backup, or by a version without presence rows): offline. Returns how many.
 */
export async function clearOrphanedOnline(db: Db, now: Date): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE device d SET online = false, last_seen_at = coalesce(d.last_seen_at, $1)
      WHERE d.online AND NOT EXISTS (SELECT 1 FROM device_presence p WHERE p.device_id = d.id)`,
    [now],
  );
  return rowCount ?? 0;
}
