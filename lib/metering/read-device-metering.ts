import { csvText } from '../csv-field';
import { pool } from '../db/pool';
import { AppError } from '../errors';
import type { CsvDownload } from './metering-report-csv';
import { runSeconds } from './summarize-usage';
import { deviceExists, readDeviceMeteredPrograms, readDeviceRecentRuns } from './device-usage-repo';

/** Runs listed on a device's Metered software tab at most (raw runs; the programs list is whole). */
export const DEVICE_RECENT_RUNS = 100;

const deviceNotFound = (deviceId: number) => new AppError('NOT_FOUND', { userMessage: `Device ${deviceId} was not found.` });

/**
 * What software metering knows of one device: every metered program it ran (latest run, by whom,
 * how often — from the summaries, kept for good) and its latest raw runs (kept for the raw usage
 * retention). NOT_FOUND for an unknown device.
 */
export async function readDeviceMetering(deviceId: number) {
  const db = pool();
  const [exists, programs, recentRuns] = await Promise.all([
    deviceExists(db, deviceId),
    readDeviceMeteredPrograms(db, deviceId),
    readDeviceRecentRuns(db, deviceId, DEVICE_RECENT_RUNS),
  ]);
  if (!exists) throw deviceNotFound(deviceId);
  return { programs, recentRuns };
}

/** Every raw run the site still holds for a device, newest first, as CSV (the tab shows the latest 100). */
export async function deviceRunsCsv(deviceId: number): Promise<CsvDownload> {
  const db = pool();
  if (!(await deviceExists(db, deviceId))) throw deviceNotFound(deviceId);
  const runs = await readDeviceRecentRuns(db, deviceId, null);
  return {
    filename: `device-${deviceId}-metered-runs.csv`,
    body: csvText(
      ['Product', 'Rule ID', 'Started (UTC)', 'Ended (UTC)', 'End estimated', 'Seconds', 'User', 'Process ID', 'File', 'Version'],
      runs.map((r) => [
        r.productName,
        r.ruleId,
        r.startedAt.toISOString(),
        r.endedAt.toISOString(),
        r.endEstimated ? 'yes' : 'no',
        runSeconds(r),
        r.userName,
        r.processId,
        r.filePath,
        r.fileVersion,
      ]),
    ),
  };
}
