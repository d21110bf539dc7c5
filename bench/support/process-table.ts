// The host's processes as Linux's /proc shows them, for benchmarks that pause a process tree or
// count the CPU time each part of a run took. Elsewhere the table is empty.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** The command name (/proc/PID/comm), e.g. `postgres` or `node`. */
  name: string;
  /** User plus system CPU time of all its threads, in clock ticks. */
  cpuTicks: number;
  /** Page faults served without reading the disk: on a virtual machine each can cost microseconds. */
  minorFaults: number;
}

/** Clock ticks per second, the unit of /proc's CPU times. */
export const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

/** One line of /proc/PID/stat read, or null for a process that exited meanwhile. */
export function readProcess(pid: number): ProcessEntry | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // pid (comm) state ppid …: the command name may itself hold spaces or parentheses.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // minflt is field 10 of the line, utime and stime fields 14 and 15: 7, 11 and 12 after the state.
  return {
    pid,
    ppid: Number(fields[1]),
    name: stat.slice(stat.indexOf('(') + 1, close),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
    minorFaults: Number(fields[7]),
  };
}

/** Every process of this host. */
export function readProcessTable(): ProcessEntry[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.flatMap((entry) => (/^\d+$/.test(entry) ? (readProcess(Number(entry)) ?? []) : []));
}

/** `root` and its descendants in `table`, leaving out the subtrees of processes `skip` names. */
export function processTree(table: ProcessEntry[], root: number, skip: (entry: ProcessEntry) => boolean = () => false): ProcessEntry[] {
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of table) {
    const siblings = children.get(entry.ppid);
    if (siblings) siblings.push(entry);
    else children.set(entry.ppid, [entry]);
  }
  const found: ProcessEntry[] = [];
  const visit = (entry: ProcessEntry) => {
    if (skip(entry)) return;
    found.push(entry);
    for (const child of children.get(entry.pid) ?? []) visit(child);
  };
  const rootEntry = table.find((e) => e.pid === root);
  if (rootEntry) visit(rootEntry);
  return found;
}

export const isPostgres = (entry: ProcessEntry) => entry.name === 'postgres';

/**
 * CPU seconds spent and minor page faults taken by each group of processes between this call and
 * the answer's `stop()`. A group is a function choosing its processes from the table, read again
 * at each end, so a process that starts meanwhile (a PostgreSQL backend for a new connection) is
 * counted from zero, and one that ends meanwhile adds nothing after the first reading.
 */
export function cpuMeter<G extends string>(groups: Record<G, (table: ProcessEntry[]) => ProcessEntry[]>) {
  const read = () => {
    const table = readProcessTable();
    return Object.fromEntries(
      Object.entries<(table: ProcessEntry[]) => ProcessEntry[]>(groups).map(([group, choose]) => [
        group,
        new Map(choose(table).map((e) => [e.pid, e])),
      ]),
    ) as Record<G, Map<number, ProcessEntry>>;
  };
  const started = read();
  return {
    /** CPU seconds per group since the meter started, to a hundredth, and thousands of minor faults, to a tenth. */
    stop(): { seconds: Record<G, number>; minorFaultsK: Record<G, number> } {
      const ended = read();
      const seconds = {} as Record<G, number>;
      const minorFaultsK = {} as Record<G, number>;
      for (const group of Object.keys(groups) as G[]) {
        let ticks = 0;
        let faults = 0;
        for (const [pid, end] of ended[group]) {
          const start = started[group].get(pid);
          ticks += end.cpuTicks - (start?.cpuTicks ?? 0);
          faults += end.minorFaults - (start?.minorFaults ?? 0);
        }
        seconds[group] = Math.round((ticks / TICKS_PER_SECOND) * 100) / 100;
        minorFaultsK[group] = Math.round(faults / 100) / 10;
      }
      return { seconds, minorFaultsK };
    },
  };
}
