import type { ActionResultDetail, ClientAction } from '../notification/agent-protocol.schema';
import type { AgentPolicy } from './policy.schema';

export interface ActionOutcome {
  outcome: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  detail: ActionResultDetail;
}

export interface ScanDurations {
  quickScanMs: number;
  fullScanMs: number;
}

export const defaultScanDurations: ScanDurations = { quickScanMs: 3_000, fullScanMs: 30_000 };

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/**
 * Performs one pushed action. Download Computer Policy fetches policy from the management
 * point now; Quick Scan and Full Scan are simulated work of their duration (±20 %) that reports
 * items scanned and threats found. Never throws: a failure is a FAILED outcome with its reason,
 * an action stopped by a cancel a CANCELLED one.
 */
export async function performAction(options: {
  action: ClientAction;
  fetchPolicy: () => Promise<AgentPolicy>;
  scan: ScanDurations;
  signal: AbortSignal;
  random?: () => number;
}): Promise<ActionOutcome> {
  const random = options.random ?? Math.random;
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  try {
    if (options.action === 'DOWNLOAD_COMPUTER_POLICY') {
      const policy = await options.fetchPolicy();
      return {
        outcome: 'SUCCEEDED',
        detail: {
          message: `Received policy for site control serial ${policy.siteControlSerial} with ${policy.deployments.length} deployments.`,
          durationMs: took(),
          policySerial: policy.siteControlSerial,
          deployments: policy.deployments.length,
        },
      };
    }
    const full = options.action === 'FULL_SCAN';
    const base = full ? options.scan.fullScanMs : options.scan.quickScanMs;
    await sleep(Math.round(base * (0.8 + 0.4 * random())), options.signal);
    const itemsScanned = Math.round((full ? 250_000 : 12_000) * (0.7 + 0.6 * random()));
    const threatsFound = random() < 0.02 ? 1 : 0;
    return {
      outcome: 'SUCCEEDED',
      detail: {
        message: `${full ? 'Full' : 'Quick'} scan finished: ${itemsScanned} items scanned, ${threatsFound} threats found.`,
        durationMs: took(),
        itemsScanned,
        threatsFound,
      },
    };
  } catch (error) {
    // Stopped by a cancel: the administrator's choice, not a failure of the client.
    if (options.signal.aborted) return { outcome: 'CANCELLED', detail: { message: 'Cancelled before it finished.', durationMs: took() } };
    const reason = error instanceof Error ? error.message : String(error);
    return { outcome: 'FAILED', detail: { message: reason.slice(0, 500), durationMs: took() } };
  }
}
