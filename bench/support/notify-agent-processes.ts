// The parent side of bench/support/notify-agents.ts: forks the agent processes a channel benchmark
// (notify, site-25k) drives over IPC, and waits for an answer of one kind from all of them.
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

export type FromAgents =
  | { type: 'connected'; connected: number }
  | { type: 'collected'; connected: number; probes: { sentAt: number; receivedAt: number[] }[]; pushes: number[] }
  | { type: 'failed'; message: string }
  | { type: 'quiet' }
  | { type: 'allStored'; operationId: number; at: number };

/**
 * `nice`: run the agent processes that many steps below this one, as the flood benchmarks' clients
 * do where the site's figures are measured (on a real network each client is its own machine).
 * None where the agents' own receipt is what is timed (the channel benchmarks).
 */
export function forkAgentProcesses(count: number, options: { nice?: number } = {}) {
  const processes: ChildProcess[] = Array.from({ length: count }, () =>
    fork(path.join(process.cwd(), 'bench', 'support', 'notify-agents.ts'), [], {
      // BENCH_AGENT_CPU_PROF_DIR: each agent process writes a V8 CPU profile there when it stops.
      execArgv: [
        '--import',
        'tsx',
        // Hundreds of agents in one process make short-lived objects at a rate no real agent does: a
        // young generation the size the site's workers use spends less of the host's CPU collecting it.
        '--max-semi-space-size=64',
        ...(process.env.BENCH_AGENT_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_AGENT_CPU_PROF_DIR}`] : []),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  if (options.nice) for (const child of processes) os.setPriority(child.pid!, Math.min(19, os.getPriority() + options.nice));
  const fromOne = <T extends FromAgents['type']>(child: ChildProcess, type: T) =>
    new Promise<Extract<FromAgents, { type: T }>>((resolve, reject) => {
      const onMessage = (m: FromAgents) => {
        if (m.type === 'failed') reject(new Error(`simulated agents failed: ${m.message}`));
        if (m.type !== type) return;
        child.off('message', onMessage);
        resolve(m as Extract<FromAgents, { type: T }>);
      };
      child.on('message', onMessage);
    });
  /** The answer of `type` from every process (rejects when one reports a failure). */
  const fromAgents = <T extends FromAgents['type']>(type: T) => Promise.all(processes.map((child) => fromOne(child, type)));
  return { processes, fromAgents };
}

/**
 * Holds every process's push work until all of them have read their burst of pushes (each says so
 * with 'quiet'), or a second after the first did: on one host, one process acting on a push takes
 * the CPU the others need to read it, where real agents each have a machine of their own.
 */
export function gatePushWork(processes: ChildProcess[]): void {
  let quiet = new Set<ChildProcess>();
  let timer: NodeJS.Timeout | null = null;
  const release = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    quiet = new Set();
    for (const child of processes) if (child.connected) child.send({ type: 'release' });
  };
  for (const child of processes)
    child.on('message', (m: FromAgents) => {
      if (m.type !== 'quiet') return;
      quiet.add(child);
      timer ??= setTimeout(release, 1_000);
      if (quiet.size === processes.length) release();
    });
}
