import type pg from 'pg';

/** The thin data layer of a device's metered programs (Resource Explorer's Metered software tab; plain pg). */

export async function deviceExists(db: pg.Pool, deviceId: number): Promise<boolean> {
  return (await db.query(`SELECT 1 FROM device WHERE id = $1`, [deviceId])).rowCount === 1;
}

export interface DeviceMeteredProgram {
  ruleId: number;
  /** Null when the rule has been deleted since (its history stays). */
  productName: string | null;
  fileName: string | null;
  lastRunAt: Date;
  lastUser: string;
  runCount: number;
}

/** Every rule whose program the device ran, with its latest run and run count, latest first. */
export async function readDeviceMeteredPrograms(db: pg.Pool, deviceId: number): Promise<DeviceMeteredProgram[]> {
  const { rows } = await db.query<{
    rule_id: number;
    product_name: string | null;
    file_name: string | null;
    last_run_at: Date;
    last_user: string;
    run_count: number;
  }>(
    `SELECT l.rule_id, r.product_name, r.file_name, l.last_run_at, l.last_user, l.run_count
       FROM metering_computer_last_run l LEFT JOIN metering_rule r ON r.id = l.rule_id
      WHERE l.device_id = $1 ORDER BY l.last_run_at DESC, l.rule_id`,
    [deviceId],
  );
  return rows.map((r) => ({
    ruleId: r.rule_id,
    productName: r.product_name,
    fileName: r.file_name,
    lastRunAt: r.last_run_at,
    lastUser: r.last_user,
    runCount: r.run_count,
  }));
}

export interface DeviceRun {
  ruleId: number;
  productName: string | null;
  startedAt: Date;
  endedAt: Date;
  endEstimated: boolean;
  userName: string;
  processId: number;
  filePath: string;
  fileVersion: string;
}

/**
 * The device's latest raw runs (kept for the raw usage retention), newest first: the first `limit`,
 * or all of them with null. The per-day partitions' (device, start) indexes give them in order
 * without reading the rest.
 */
export async function readDeviceRecentRuns(db: pg.Pool, deviceId: number, limit: number | null): Promise<DeviceRun[]> {
  const { rows } = await db.query<{
    rule_id: number;
    product_name: string | null;
    started_at: Date;
    ended_at: Date;
    end_estimated: boolean;
    user_name: string;
    process_id: number;
    file_path: string;
    file_version: string;
  }>(
    `SELECT u.rule_id, r.product_name, u.started_at, u.ended_at, u.end_estimated, u.user_name, u.process_id, u.file_path, u.file_version
       FROM (SELECT * FROM metering_usage WHERE device_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2) u
       LEFT JOIN metering_rule r ON r.id = u.rule_id
      ORDER BY u.started_at DESC, u.id DESC`,
    [deviceId, limit],
  );
  return rows.map((r) => ({
    ruleId: r.rule_id,
    productName: r.product_name,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    endEstimated: r.end_estimated,
    userName: r.user_name,
    processId: r.process_id,
    filePath: r.file_path,
    fileVersion: r.file_version,
  }));
}
