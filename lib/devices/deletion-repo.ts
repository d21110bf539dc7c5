import type pg from 'pg';
import { channels } from '../db/channels';
import { notify } from '../db/notify';

/** Data access for deleting a device and what the site holds about it (plain pg, in the caller's transaction). */

export interface DeletedDevice {
  id: number;
  name: string;
  approval: 'PENDING' | 'APPROVED' | 'REVOKED';
  isDemo: boolean;
  registeredAt: Date | null;
  lastSeenAt: Date | null;
}

/**
 * Deletes the device and its rows on `client`, inside the caller's transaction, or returns null when there is no such device (a delete that
 * lost a race to another finds none). The device row is locked first: an inventory load holding it
 * finishes, and the statements below (each with a snapshot of its own) see what it wrote; a delete
 * of metering runs the summarizer is counting waits for that pass, then its last-run rows go too.
 *
 * With the row go, through their foreign keys: presence, collection members, direct-membership
 * rules naming it, deployment client statuses. Deleted here, from the tables that hold device_id
 * without a foreign key, each through an index that begins with device_id (per partition on the
 * partitioned ones): installed software, hardware classes, inventory reports not loaded yet and the
 * inventory history, raw metering runs (counted or not) and its per-rule last runs, its client
 * operation results and live query rows (and its place in each operation's total and in the target
 * ids of one whose rows are not written yet). Kept: the per-rule period summaries (distinct computers,
 * runs, time, runs at once) and their member rows, per-user last runs, deployment summary counts
 * and status messages: history of what happened, counted when it happened, which no report lists
 * by this device. metering_summary_computer has no index on device_id (a delete would read the
 * whole table) and its ids are never handed out again, so its rows are left as the counts' record.
 */
export async function deleteDeviceWithData(client: pg.ClientBase, id: number): Promise<DeletedDevice | null> {
  const { rows } = await client.query<DeletedDevice>(
    `SELECT d.id, d.name, d.approval::text AS approval, d.is_demo AS "isDemo",
            d.registered_at AS "registeredAt", d.last_seen_at AS "lastSeenAt"
       FROM device d WHERE d.id = $1 FOR UPDATE`,
    [id],
  );
  const device = rows[0];
  if (!device) return null;

  // Collections keep their member count without waiting for the evaluator's next pass.
  const members = await client.query<{ collection_id: number }>(`DELETE FROM collection_member WHERE device_id = $1 RETURNING collection_id`, [id]);
  if (members.rows.length) {
    await client.query(`UPDATE collection SET member_count = greatest(member_count - 1, 0) WHERE id = ANY($1::int[])`, [
      members.rows.map((r) => r.collection_id),
    ]);
  }
  const statuses = await client.query<{ deployment_id: number }>(
    `DELETE FROM deployment_client_status WHERE device_id = $1 RETURNING deployment_id`,
    [id],
  );
  await client.query(`DELETE FROM device WHERE id = $1`, [id]);

  await client.query(`DELETE FROM device_software WHERE device_id = $1`, [id]);
  await client.query(`DELETE FROM device_hardware_class WHERE device_id = $1`, [id]);
  await client.query(`DELETE FROM inventory_inbox WHERE device_id = $1`, [id]);
  await client.query(`DELETE FROM inventory_report WHERE device_id = $1`, [id]);
  await client.query(`DELETE FROM metering_usage WHERE device_id = $1`, [id]);
  await client.query(`DELETE FROM metering_computer_last_run WHERE device_id = $1`, [id]);
  // An operation's columns add up to its total: the device leaves the total of each operation it
  // was a target of. Operations whose target rows are not written yet lose it from their ids
  // first (this waits for a materializeTargets under way, whose rows the delete below then sees).
  const pending = await client.query<{ id: number }>(
    `UPDATE client_operation SET pending_target_ids = array_remove(pending_target_ids, $1), total = greatest(total - 1, 0)
      WHERE pending_target_ids IS NOT NULL AND $1 = ANY(pending_target_ids) RETURNING id`,
    [id],
  );
  // live_query_row's keys begin with operation_id: its rows are found through the operations
  // the device was a target of, so each partition is read by its key, not scanned.
  const operations = await client.query<{ operation_id: number }>(`DELETE FROM client_operation_target WHERE device_id = $1 RETURNING operation_id`, [
    id,
  ]);
  if (operations.rows.length) {
    await client.query(`DELETE FROM live_query_row WHERE operation_id = ANY($1::int[]) AND device_id = $2`, [
      operations.rows.map((r) => r.operation_id),
      id,
    ]);
    await client.query(`UPDATE client_operation SET total = greatest(total - 1, 0) WHERE id = ANY($1::int[])`, [
      operations.rows.map((r) => r.operation_id),
    ]);
  }
  const changed = [...new Set([...pending.rows.map((r) => r.id), ...operations.rows.map((r) => r.operation_id)])];
  if (changed.length) {
    await notify(client, channels.clientOperationProgress, JSON.stringify({ changed: changed.slice(0, 500) }));
  }
  if (statuses.rows.length) {
    await notify(client, channels.deploymentsChanged, [...new Set(statuses.rows.map((r) => r.deployment_id))].join(',').slice(0, 7000));
  }
  return device;
}
