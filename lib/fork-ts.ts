import { fork, type ChildProcess } from 'node:child_process';
import { entryPoint } from './entry-points';

/**
 * Forks one of Sitebox's entry points (compiled or TypeScript, see entry-points.ts) as its own Node process, in its own process group
 * (Ctrl-C reaches the supervisor only, which stops children in order) with an IPC
 * channel (a child exits when its supervisor disappears).
 */
export function forkTs(entry: string, args: string[] = [], env: Record<string, string> = {}, nodeFlags: string[] = []): ChildProcess {
  const { file, execArgv } = entryPoint(entry);
  // A profiled parent (node --cpu-prof) has its children profiled into the same folder.
  const profile = process.execArgv.filter((flag) => flag === '--cpu-prof' || flag.startsWith('--cpu-prof-dir='));
  return fork(file, args, {
    execArgv: [...profile, ...nodeFlags, ...execArgv],
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Resolves when the child exits (immediately if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
