import { processSingleton } from './process-singleton';
import type { SupervisedState } from './workers/supervisor';

/**
 * Handles that server.ts creates and route handlers need. Next bundles route code
 * separately from server.ts, so they meet in a process singleton rather than in a module variable.
 */
interface Runtime {
  supervisorStatus?: () => SupervisedState[];
  /** This management point's notification server (client notification channel). */
  notificationServer?: { instanceId: string; probe(probe: { probeId: string; sentAt: number }): number; connectedDeviceIds(): number[] };
  /** The certificate authority agents pin, when this server serves HTTPS (SITEBOX_TLS auto or provided). */
  transportSecurity?: { caPem(): string; caFingerprint(): string };
}

export function runtime(): Runtime {
  return processSingleton<Runtime>('runtime', () => ({}));
}
