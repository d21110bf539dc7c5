// One of the channel benchmarks' agent processes: its share of the simulated agents, driven over IPC
// by bench/notify.ts, bench/site-25k.ts and bench/metering-flood.ts.
//   parent → { type: 'start', urls, credentials, spreadMs, spoolRoot? }  child → { type: 'connected', connected }
//   parent → { type: 'collect' }                                 child → { type: 'collected', probes, pushes, connected }
//   with gatePushWork: child → { type: 'quiet' } when its burst of pushes has gone quiet; parent → { type: 'release' }
//   child → { type: 'allStored', operationId, at } once the management points have answered every one of
//   its agents that they stored its result of that operation (they answer after the commit)
// Times are the agents' receipt times (Date.now(), same host as the server).
import path from 'node:path';
import { AgentSimulator } from '../../lib/agent/simulator';
import { createStatusReporter } from '../../lib/agent/status-reporter';
import type { AgentCredential } from '../../lib/protocol/policy.schema';

/** With `spoolRoot`, each agent reports status messages through its own spooling reporter (a folder per agent under it). */
type FromParent =
  | {
      type: 'start';
      urls: string[];
      /** Each agent in turn prefers the next of `urls` (AgentSimulator's spreadOverManagementPoints). */
      spreadOverUrls?: boolean;
      credentials: AgentCredential[];
      spreadMs: number;
      spoolRoot?: string;
      gatePushWork?: boolean;
    }
  | { type: 'collect' }
  | { type: 'release' }
  | { type: 'stop' };

let simulator: AgentSimulator | null = null;
const probes = new Map<string, { sentAt: number; receivedAt: number[] }>();
const pushes: number[] = [];
/** Results the management points said they stored, per operation. */
const stored = new Map<number, number>();

process.on('message', (message: FromParent) => void handle(message));

async function handle(message: FromParent) {
  try {
    if (message.type === 'start') {
      simulator = new AgentSimulator({
        managementPointUrls: message.urls,
        spreadOverManagementPoints: message.spreadOverUrls,
        credentials: message.credentials,
        connectSpreadMs: message.spreadMs,
        transports: ['websocket', 'polling'],
        maxHttpSockets: 64,
        onPushBurstQuiet: message.gatePushWork ? () => process.send!({ type: 'quiet' }) : undefined,
        reporterFor: message.spoolRoot
          ? (credential, shared) =>
              createStatusReporter({
                managementPointUrls: message.urls,
                spoolDir: path.join(message.spoolRoot!, String(credential.deviceId)),
                device: credential.name,
                headers: () => ({ authorization: `Device ${credential.deviceId}.${credential.secret}` }),
                fetch: shared.fetch,
                initialBackoffMs: 500,
                maxBackoffMs: 10_000,
              })
          : undefined,
      });
      for (const agent of simulator.agents) {
        agent.on('probe', (p) => {
          const entry = probes.get(p.probeId) ?? { sentAt: p.sentAt, receivedAt: [] };
          entry.receivedAt.push(p.receivedAt);
          probes.set(p.probeId, entry);
        });
        agent.on('push', (p) => pushes.push(p.receivedAt));
        agent.on('result', (r) => {
          const count = (stored.get(r.operationId) ?? 0) + 1;
          stored.set(r.operationId, count);
          if (count === message.credentials.length) process.send!({ type: 'allStored', operationId: r.operationId, at: Date.now() });
        });
      }
      await simulator.start();
      await simulator.waitConnected(message.credentials.length, 180_000).catch(() => undefined);
      process.send!({ type: 'connected', connected: simulator.connectedCount() });
    } else if (message.type === 'collect') {
      process.send!({
        type: 'collected',
        connected: simulator?.connectedCount() ?? 0,
        probes: [...probes.values()],
        pushes,
      });
    } else if (message.type === 'release') {
      simulator?.releasePushWork();
    } else if (message.type === 'stop') {
      await simulator?.stop();
      process.exit(0);
    }
  } catch (error) {
    process.send!({ type: 'failed', message: error instanceof Error ? error.stack : String(error) });
  }
}
