import { readdir, readFile } from 'node:fs/promises';

/**
 * Ends (SIGKILL) every process whose environment holds `marker` (`NAME=value`), as a run's
 * processes inherit it: those that left the run's process group (setsid, a double fork) included.
 * Looks again until none is left, as one may fork while the others are killed. Answers how many
 * it ended. Reads /proc: a process gone meanwhile, or one this user may not read, is passed over.
 */
export async function endMarkedProcesses(marker: string, options: { exceptPid?: number } = {}): Promise<number> {
  const needle = Buffer.from(`\0${marker}\0`);
  const ended = new Set<number>();
  for (let round = 0; round < 10; round++) {
    const found: number[] = [];
    for (const name of await readdir('/proc').catch(() => [] as string[])) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid === process.pid || pid === options.exceptPid) continue;
      const environ = await readFile(`/proc/${pid}/environ`).catch(() => null);
      // Prefixed with NUL so a marker at the very start of the block matches like any other.
      if (environ && Buffer.concat([Buffer.from([0]), environ]).includes(needle)) found.push(pid);
    }
    const alive = found.filter((pid) => {
      try {
        process.kill(pid, 'SIGKILL');
        return true;
      } catch {
        return false;
      }
    });
    for (const pid of alive) ended.add(pid);
    if (!alive.length) break;
  }
  return ended.size;
}
