import { readdir, readFile, readlink } from 'node:fs/promises';

/** One running process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  /** Clock ticks after boot at which the process started (/proc/PID/stat, field 22): with the pid, names this process for the life of the boot. */
  startTick: number;
  uid: number;
  /** The executable's path (/proc/PID/exe), else the command line's first word, else the command name. */
  filePath: string;
}

/** Linux reports process start times in USER_HZ ticks, 100 a second on every architecture it runs on. */
export const TICKS_PER_SECOND = 100;

/** The kernel's identity of this boot: a process id and start tick name one process only within a boot. */
export async function readBootId(proc = '/proc'): Promise<string> {
  return (await readFile(`${proc}/sys/kernel/random/boot_id`, 'utf8')).trim();
}

/** When this machine booted (btime of /proc/stat), in epoch milliseconds. */
export async function readBootTimeMs(proc = '/proc'): Promise<number> {
  const match = /^btime\s+(\d+)$/m.exec(await readFile(`${proc}/stat`, 'utf8'));
  if (!match) throw new Error(`${proc}/stat has no btime line`);
  return Number(match[1]) * 1000;
}

/** The start tick in a /proc/PID/stat line: field 22, counted after the command name, which may itself hold spaces and parentheses. */
export function parseStartTick(stat: string): number | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the name begin at field 3 (state), so field 22 is the 20th of them.
  const tick = Number(fields[19]);
  return Number.isSafeInteger(tick) ? tick : null;
}

/** The executable a process runs, from what /proc lets this user read. */
async function executablePath(dir: string): Promise<string | null> {
  try {
    // A binary replaced or removed since it started still runs; its link says so.
    return (await readlink(`${dir}/exe`)).replace(/ \(deleted\)$/, '');
  } catch {
    // Another user's process (when not root): the command line and the name are still readable.
  }
  try {
    const first = (await readFile(`${dir}/cmdline`, 'utf8')).split('\0', 1)[0];
    if (first.startsWith('/')) return first;
  } catch {
    return null;
  }
  try {
    return (await readFile(`${dir}/comm`, 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

async function readProcess(proc: string, pid: number): Promise<ProcessInfo | null> {
  const dir = `${proc}/${pid}`;
  try {
    const [stat, status] = await Promise.all([readFile(`${dir}/stat`, 'utf8'), readFile(`${dir}/status`, 'utf8')]);
    const startTick = parseStartTick(stat);
    const uid = /^Uid:\s+(\d+)/m.exec(status);
    const filePath = await executablePath(dir);
    // Kernel threads have no executable and no command line; nothing to meter there.
    if (startTick === null || !uid || !filePath) return null;
    return { pid, startTick, uid: Number(uid[1]), filePath };
  } catch {
    // Gone between the listing and the read.
    return null;
  }
}

/** The processes running now (not their threads), read from /proc. */
export async function listProcesses(proc = '/proc'): Promise<ProcessInfo[]> {
  const pids = (await readdir(proc)).filter((name) => /^\d+$/.test(name)).map(Number);
  const found = await Promise.all(pids.map((pid) => readProcess(proc, pid)));
  return found.filter((p): p is ProcessInfo => p !== null);
}
