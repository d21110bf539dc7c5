// The parent side of bench/support/notify-agents.ts: forks the agent processes a channel benchmark
// (notify, site-25k) drives over IPC, and waits for an answer of one kind from all of them.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export type FromAgents =
  | { type: 'connected'; connected: number }
  | { type: 'collected'; connected: number; probes: { sentAt: number; receivedAt: number[] }[]; pushes: number[] }
  | { type: 'failed'; message: string };

export function forkAgentProcesses(count: number) {
  const processes: ChildProcess[] = Array.from({ length: count }, () =>
    fork(path.join(process.cwd(), 'bench', 'support', 'notify-agents.ts'), [], {
      // BENCH_AGENT_CPU_PROF_DIR: each agent process writes a V8 CPU profile there when it stops.
      execArgv: [
        '--import',
        'tsx',
        ...(process.env.BENCH_AGENT_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_AGENT_CPU_PROF_DIR}`] : []),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
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
