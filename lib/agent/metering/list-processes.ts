import { readFileSync, readlinkSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/** One running process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  /** Clock ticks after boot at which the process started (/proc/PID/stat, field 22): with the pid, names this process for the life of the boot. */
  startTick: number;
  /** The process that started it (/proc/PID/stat, field 4); 1 or a subreaper once that one has ended. */
  parentPid: number;
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

/** The parent's pid in a /proc/PID/stat line (field 4, the second after the command name). */
export function parseParentPid(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ', 2)[1]);
}

/** The command name in a /proc/PID/stat line (field 2): an exec changes it to the new program's. */
export function parseCommandName(stat: string): string {
  return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
}

// /proc's files are made in memory as they are read: read synchronously, each costs microseconds,
// where the promise API's open, read and close through the thread pool cost about half a
// millisecond a process. (The stat and status lines and the exe link need no lock the process
// itself could hold.)
export function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The executable from the process's exe link, or null where this user may not follow it (another user's process). */
function exeLink(dir: string): string | null {
  try {
    // A binary replaced or removed since it started still runs; its link says so.
    return readlinkSync(`${dir}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    return null;
  }
}

/**
 * Another user's process, when not root: the first word of its command line when that is a path,
 * else its command name. Not read synchronously: reading a command line takes the process's memory
 * map lock, which a process stuck in the kernel (a hung network file system) can hold for long.
 */
async function nameFromCommandLine(dir: string): Promise<string | null> {
  const commandLine = await readFile(`${dir}/cmdline`, 'utf8').catch(() => null);
  if (commandLine === null) return null;
  const first = commandLine.split('\0', 1)[0];
  if (first.startsWith('/')) return first;
  return readText(`${dir}/comm`)?.trim() || null;
}

interface Sighting {
  startTick: number;
  command: string;
  /** null: nothing to meter (gone mid-read, or no name). */
  process: ProcessInfo | null;
}

/**
 * The running processes (not their threads), looked at again and again. Each look lists /proc and
 * reads every process's stat line; only a process not seen before, or whose start tick (its pid
 * reused) or command name (an exec) changed since, has its owner and executable read again. A
 * look at a machine of a hundred processes costs a few milliseconds of CPU, so it can be frequent.
 */
export class ProcessTable {
  private sightings = new Map<number, Sighting>();

  constructor(private readonly proc = '/proc') {}

  async list(): Promise<ProcessInfo[]> {
    const next = new Map<number, Sighting>();
    const running: ProcessInfo[] = [];
    const unnamed: { sighting: Sighting; dir: string; process: Omit<ProcessInfo, 'filePath'> }[] = [];
    for (const name of await readdir(this.proc)) {
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      const dir = `${this.proc}/${name}`;
      const stat = readText(`${dir}/stat`);
      const startTick = stat === null ? null : parseStartTick(stat);
      // Gone since the listing, a line that cannot be read, or a zombie: ended, not yet reaped.
      if (stat === null || startTick === null || stat[stat.lastIndexOf(')') + 2] === 'Z') continue;
      const command = parseCommandName(stat);
      const parentPid = parseParentPid(stat);
      let sighting = this.sightings.get(pid);
      if (!sighting || sighting.startTick !== startTick || sighting.command !== command) {
        const uid = /^Uid:\s+(\d+)/m.exec(readText(`${dir}/status`) ?? '');
        const filePath = exeLink(dir);
        // Gone between the reads (no status), or named below from its command line.
        sighting = { startTick, command, process: uid && filePath ? { pid, startTick, parentPid, uid: Number(uid[1]), filePath } : null };
        if (uid && !filePath) unnamed.push({ sighting, dir, process: { pid, startTick, parentPid, uid: Number(uid[1]) } });
      } else if (sighting.process && sighting.process.parentPid !== parentPid) {
        // Its parent ended and it was handed to another.
        sighting = { ...sighting, process: { ...sighting.process, parentPid } };
      }
      next.set(pid, sighting);
      if (sighting.process) running.push(sighting.process);
    }
    await Promise.all(
      unnamed.map(async ({ sighting, dir, process }) => {
        const filePath = await nameFromCommandLine(dir);
        if (filePath) running.push((sighting.process = { ...process, filePath }));
      }),
    );
    this.sightings = next;
    return running;
  }
}
