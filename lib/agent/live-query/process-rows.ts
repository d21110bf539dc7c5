import { readdir, readFile } from 'node:fs/promises';
import type { Row } from '../../live-query/evaluate-query';
import { parseCommandName, readText, TICKS_PER_SECOND } from '../metering/list-processes';
import { createUserNames } from '../metering/user-names';

const defaultUserNames = createUserNames();

const kilobytesOf = (status: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);

/**
 * The `processes` entity from /proc, or null where there is none (not Linux). Read from the
 * kernel itself, not from `ps` (which systeminformation runs in the C locale and splits on
 * spaces): a name or command line with spaces or in any script comes back as the process has it.
 * `cpu` is the share of one core over the process's life, as `ps` gives it; `name` is the
 * program's file name from its command line (the kernel's 15-character name for a process without
 * one, a kernel thread); `command` the command line, its arguments joined by spaces.
 */
export async function processRows(options: { proc?: string; userName?: (uid: number) => Promise<string> } = {}): Promise<Row[] | null> {
  const proc = options.proc ?? '/proc';
  const userName = options.userName ?? defaultUserNames;
  const names = await readdir(proc).catch(() => null);
  const uptime = Number(readText(`${proc}/uptime`)?.split(' ', 1)[0]);
  if (!names || !Number.isFinite(uptime)) return null;
  const rows = await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name))
      .map(async (name): Promise<Row | null> => {
        const dir = `${proc}/${name}`;
        const stat = readText(`${dir}/stat`);
        const status = readText(`${dir}/status`);
        // Gone since the listing.
        if (stat === null || status === null) return null;
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // utime and stime (fields 14 and 15), starttime (22), counted from field 3 after the name.
        const ticks = Number(fields[11]) + Number(fields[12]);
        const alive = uptime - Number(fields[19]) / TICKS_PER_SECOND;
        const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
        // Read apart from the rest: a command line takes the process's memory map lock (see list-processes).
        const commandLine = (await readFile(`${dir}/cmdline`, 'utf8').catch(() => '')).replace(/\0+$/, '');
        const args = commandLine ? commandLine.split('\0') : [];
        const kernelName = parseCommandName(stat);
        return {
          pid: Number(name),
          name: args[0] ? args[0].slice(args[0].lastIndexOf('/') + 1) || kernelName : kernelName,
          user: Number.isSafeInteger(uid) ? await userName(uid) : null,
          cpu: alive > 0 && Number.isFinite(ticks) ? Math.round((ticks / TICKS_PER_SECOND / alive) * 1000) / 10 : 0,
          memoryMb: Math.round(kilobytesOf(status, 'VmRSS') / 102.4) / 10,
          // As ps shows them: a kernel thread's name in brackets, and an ended process not yet reaped as defunct.
          command: args.length ? args.join(' ') : `[${kernelName}]${fields[0] === 'Z' ? ' <defunct>' : ''}`,
        };
      }),
  );
  return rows.filter((row): row is Row => row !== null);
}
