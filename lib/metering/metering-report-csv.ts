import { pool } from '../db/pool';
import { csvText } from '../csv-field';
import { notFoundOrThrow } from '../errors';
import { readUnusedComputersReport, readUsagePeriods } from './read-metering-report';
import { findMeteringRule } from './repo';
import { readComputerRuns, readUserRuns } from './report-repo';

/** A CSV download: every row of a report's list, where the page shows the first 200. */
export interface CsvDownload {
  filename: string;
  body: string;
}

const iso = (t: Date | null) => (t ? t.toISOString() : null);

/** Every computer that ran a rule's program, latest first (a removed device has no name, only its id). */
export async function meteredComputersCsv(ruleId: number): Promise<CsvDownload> {
  const rule = notFoundOrThrow(await findMeteringRule(ruleId), 'The metering rule');
  const { computers } = await readComputerRuns(pool(), rule.id, null);
  return {
    filename: `metering-rule-${rule.id}-computers.csv`,
    body: csvText(
      ['Computer', 'Device ID', 'Last run (UTC)', 'Last run by', 'Runs'],
      computers.map((c) => [c.name, c.deviceId, iso(c.lastRunAt), c.lastUser, c.runCount]),
    ),
  };
}

/** Every user who ran a rule's program, latest first. */
export async function meteredUsersCsv(ruleId: number): Promise<CsvDownload> {
  const rule = notFoundOrThrow(await findMeteringRule(ruleId), 'The metering rule');
  const { users } = await readUserRuns(pool(), rule.id, null);
  return {
    filename: `metering-rule-${rule.id}-users.csv`,
    body: csvText(
      ['User', 'Last run (UTC)', 'Runs'],
      users.map((u) => [u.userName, iso(u.lastRunAt), u.runCount]),
    ),
  };
}

/** Every computer with the program installed (or run before) that has not run it in `days` days: the reclaim list. */
export async function unusedComputersCsv(ruleId: number, days: number): Promise<CsvDownload> {
  const { computers } = await readUnusedComputersReport({ ruleId, days, limit: null });
  return {
    filename: `metering-rule-${ruleId}-not-run-in-${days}-days.csv`,
    body: csvText(
      ['Computer', 'Device ID', 'Installed package', 'Package version', 'Last run (UTC)'],
      computers.map((c) => [c.name, c.deviceId, c.packageName, c.packageVersion, iso(c.lastRunAt)]),
    ),
  };
}

/**
 * A rule's usage per month (the last `months`) or per day (the last 31), as the report's table
 * shows it, for a licence review in a spreadsheet: run time in hours to two places, times in UTC.
 */
export async function meteringUsageCsv(ruleId: number, per: 'month' | 'day', months: number): Promise<CsvDownload> {
  const rule = notFoundOrThrow(await findMeteringRule(ruleId), 'The metering rule');
  const periods = await readUsagePeriods(rule.id, months, new Date());
  const points = per === 'month' ? periods.months : periods.days;
  return {
    filename: `metering-rule-${rule.id}-usage-per-${per}.csv`,
    body: csvText(
      [per === 'month' ? 'Month' : 'Day', 'Runs', 'Computers', 'Users', 'Run hours', 'Most at once', 'Most at once from (UTC)'],
      points.map((p) => [
        per === 'month' ? p.start.slice(0, 7) : p.start,
        p.runCount,
        p.distinctComputers,
        p.distinctUsers,
        (p.runSeconds / 3600).toFixed(2),
        p.mostAtOnce,
        iso(p.mostAtOnceAt),
      ]),
    ),
  };
}
