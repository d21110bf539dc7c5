import type { ActionResultDetail, ClientAction } from '../protocol/agent-protocol.schema';
import type { AgentPolicy } from '../protocol/policy.schema';
import type { Scanner } from './scan/scan-settings';

export interface ActionOutcome {
  outcome: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  detail: ActionResultDetail;
}

/**
 * Performs one pushed action. Download Computer Policy fetches policy from the management
 * point now; Quick Scan and Full Scan run the scanner and report files scanned and each threat
 * found (a scan that finds threats has still done its work: it succeeds, naming them). Never
 * throws: a failure is a FAILED outcome with its reason, an action stopped by a cancel a
 * CANCELLED one.
 */
export async function performAction(options: {
  action: ClientAction;
  fetchPolicy: () => Promise<AgentPolicy>;
  scanner: Scanner;
  signal: AbortSignal;
}): Promise<ActionOutcome> {
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
    const report = await options.scanner(full ? 'FULL' : 'QUICK', options.signal);
    const scanned = report.itemsScanned === undefined ? '' : ` ${report.itemsScanned} files scanned,`;
    return {
      outcome: 'SUCCEEDED',
      detail: {
        message: `${full ? 'Full' : 'Quick'} scan finished:${scanned} ${report.threatsFound} threats found.`,
        durationMs: took(),
        itemsScanned: report.itemsScanned,
        threatsFound: report.threatsFound,
        threats: report.threats.map((t) => ({ path: t.path.slice(0, 1024), signature: t.signature.slice(0, 200) })),
      },
    };
  } catch (error) {
    // Stopped by a cancel: the administrator's choice, not a failure of the client.
    if (options.signal.aborted) return { outcome: 'CANCELLED', detail: { message: 'Cancelled before it finished.', durationMs: took() } };
    const reason = error instanceof Error ? error.message : String(error);
    return {
      outcome: 'FAILED',
      detail: { message: `${options.action === 'DOWNLOAD_COMPUTER_POLICY' ? '' : 'Scan failed: '}${reason}`.slice(0, 500), durationMs: took() },
    };
  }
}
