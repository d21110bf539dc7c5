import { lstat, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AgentConfigError } from './agent-config';
import { parseStartTick, readBootId } from './metering/list-processes';

export const STATE_LOCK_FILE = 'agent.lock';

/** Who holds a state folder: a process id, and its start tick and boot, which tell it from a later process given the same id. */
interface Holder {
  pid: number;
  startTick: number | null;
  bootId: string;
}

/** A state folder another agent process is using: this one must not start on it. */
export class StateFolderInUse extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`the state folder ${dir} is in use by another agent (process ${pid}); stop that agent first, or give this one a state folder of its own`);
  }
}

/** Refuses a lock path that is a folder or anything else but a file: no restart could take it over. */
async function refuseUnlessFile(file: string): Promise<void> {
  const stats = await lstat(file).catch(() => null);
  if (stats && !stats.isFile())
    throw new AgentConfigError(`${file} is not a file (the agent's lock file goes there); remove it, then start the agent again`);
}

async function holderOf(pid: number): Promise<Holder> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return { pid, startTick: stat === null ? null : parseStartTick(stat), bootId: await readBootId().catch(() => '') };
}

/** Whether the process a lock file names still runs: the same pid, started at the same tick, in this boot. */
async function stillRuns(holder: Partial<Holder>): Promise<boolean> {
  if (!Number.isSafeInteger(holder.pid) || holder.pid! <= 0) return false;
  const now = await holderOf(holder.pid!);
  return now.startTick !== null && now.startTick === holder.startTick && now.bootId === holder.bootId;
}

/**
 * Takes the agent's state folder for this process (`<dir>/agent.lock`, made exclusively), or throws
 * StateFolderInUse while another agent process holds it. Two agents on one folder would each run
 * every pushed action (a script twice on the machine) and write the same spools and state files
 * over each other. A lock left by a process that ended (killed, the machine restarted; its pid
 * maybe given to another process since) is taken over. A lock path that is not a file throws
 * AgentConfigError (final: a restart cannot mend it). `release` removes the lock if still ours.
 */
export async function lockStateFolder(dir: string): Promise<{ release(): Promise<void> }> {
  const file = path.join(dir, STATE_LOCK_FILE);
  const mine = JSON.stringify(await holderOf(process.pid));
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(file, mine, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await refuseUnlessFile(file);
      if (attempt >= 5) throw error;
    }
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) continue;
    let holder: Partial<Holder> = {};
    try {
      holder = JSON.parse(text) as Partial<Holder>;
    } catch {
      // A torn lock file: its writer died writing it.
    }
    if (await stillRuns(holder)) throw new StateFolderInUse(dir, holder.pid!);
    // Stale: removed only if unchanged, so two agents taking it over at once do not both win.
    if ((await readFile(file, 'utf8').catch(() => null)) === text) await unlink(file).catch(() => undefined);
  }
  return {
    async release() {
      if ((await readFile(file, 'utf8').catch(() => null)) === mine) await unlink(file).catch(() => undefined);
    },
  };
}
