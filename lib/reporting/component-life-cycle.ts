import type { Logger } from 'pino';
import { statusMessageIds } from './catalog';
import { reportServerMessage, serverMessage } from './report-server-message';
import type { StatusMessage } from './status-message.schema';

/**
 * How often a running component says so (503). Component Status shows a component offline
 * when its heartbeats stop for 15 minutes, so three may be lost before it does.
 */
export const COMPONENT_HEARTBEAT_MS = 5 * 60_000;

const lifeCycleIds = {
  started: statusMessageIds.componentStarted,
  running: statusMessageIds.componentHeartbeat,
  stopped: statusMessageIds.componentStopped,
} as const;

/** A server component's life-cycle message: started (500), running (503) or stopped (501), from this server. */
export function lifeCycleMessage(options: { kind: keyof typeof lifeCycleIds; component: string; systemName?: string; now?: Date }): StatusMessage {
  const message = serverMessage({
    messageId: lifeCycleIds[options.kind],
    component: options.component,
    systemName: options.systemName,
    now: options.now,
  });
  message.insertionStrings =
    options.kind === 'running' ? [options.component, message.systemName, String(process.pid)] : [options.component, message.systemName];
  return message;
}

/**
 * Reports that the server components this process runs have started, then that they are
 * running every `heartbeatMs`, and on `stop()` that they stopped — so Component Status shows
 * each as started and online while it runs, and stopped after an orderly stop. A report that
 * fails is logged; the component keeps running.
 */
export function startComponentLifeCycle(options: {
  components: readonly string[];
  log: Logger;
  heartbeatMs?: number;
  report?: (messages: StatusMessage[]) => Promise<void>;
}): { started: Promise<void>; stop(): Promise<void> } {
  const report = options.report ?? ((messages: StatusMessage[]) => reportServerMessage({ messages }));
  const send = async (kind: keyof typeof lifeCycleIds) => {
    if (!options.components.length) return;
    try {
      await report(options.components.map((component) => lifeCycleMessage({ kind, component })));
    } catch (error) {
      options.log.warn({ err: error, kind, components: options.components }, 'could not report component status');
    }
  };
  const started = send('started');
  const timer = setInterval(() => void send('running'), options.heartbeatMs ?? COMPONENT_HEARTBEAT_MS);
  timer.unref();
  return {
    started,
    async stop() {
      clearInterval(timer);
      await started;
      await send('stopped');
    },
  };
}
