import type { ActionResultDetail, ClientAction, LiveQueryRun, ScriptRun } from '../protocol/agent-protocol.schema';
import type { AgentPolicy } from '../protocol/policy.schema';
import { plural } from '../plural';
import { withStorableText } from '../validation/primitives';
import type { InventoryTask } from './inventory/inventory-state';
import type { Scanner } from './scan/scan-settings';
import { answerLiveQuery, type EntityCollector } from './live-query/answer-live-query';

export interface ActionOutcome {
  outcome: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  detail: ActionResultDetail;
}

const inventoryTasks: Partial<Record<ClientAction, InventoryTask>> = {
  HARDWARE_INVENTORY_CYCLE: 'hardware',
  SOFTWARE_INVENTORY_CYCLE: 'software',
  DISCOVERY_DATA_COLLECTION_CYCLE: 'discovery',
};

/**
 * Performs one pushed action. Download Computer Policy fetches policy from the management
 * point now; the inventory and discovery cycles run now and say what they sent; Quick Scan and Full Scan run the scanner and report files scanned and each threat
 * found (a scan that finds threats has still done its work: it succeeds, naming them). Never
 * throws: a failure is a FAILED outcome with its reason, an action stopped by a cancel a
 * CANCELLED one.
 */
export async function performAction(options: PerformActionOptions): Promise<ActionOutcome> {
  // What the machine gave (a script's output, a file name, a value cut inside a surrogate pair)
  // may hold text the site cannot store; the site would refuse the whole result and the target
  // would wait forever, so such characters become U+FFFD here.
  return withStorableText(await performActionAsIs(options));
}

interface PerformActionOptions {
  action: ClientAction;
  fetchPolicy: () => Promise<AgentPolicy>;
  scanner: Scanner;
  /** Runs an inventory or discovery cycle now; absent where the client collects no inventory (the simulator). */
  runInventoryCycle?: (task: InventoryTask) => Promise<string>;
  /** Run Script: the pushed script, and how to run it (see run-script.ts). */
  script?: ScriptRun;
  runScript?: (
    script: ScriptRun,
    signal: AbortSignal,
  ) => Promise<{ outcome: ActionOutcome['outcome']; message: string; script?: ActionResultDetail['script'] }>;
  /** Live Query: the pushed query, and how this client reads an entity. */
  liveQuery?: LiveQueryRun;
  collectEntity?: EntityCollector;
  signal: AbortSignal;
}

async function performActionAsIs(options: PerformActionOptions): Promise<ActionOutcome> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  try {
    if (options.action === 'DOWNLOAD_COMPUTER_POLICY') {
      const policy = await options.fetchPolicy();
      return {
        outcome: 'SUCCEEDED',
        detail: {
          message: describePolicy(policy),
          durationMs: took(),
          policySerial: policy.siteControlSerial,
          deployments: policy.deployments.length,
        },
      };
    }
    if (options.action === 'RUN_SCRIPT') {
      if (!options.script || !options.runScript) throw new Error('this client does not run scripts');
      const ran = await options.runScript(options.script, options.signal);
      return {
        outcome: ran.outcome,
        detail: { message: ran.message.slice(0, 500), durationMs: took(), ...(ran.script ? { script: ran.script } : {}) },
      };
    }
    if (options.action === 'LIVE_QUERY') {
      if (!options.liveQuery || !options.collectEntity) throw new Error('this client does not answer live queries');
      const answer = await answerLiveQuery(options.liveQuery, options.collectEntity, options.signal);
      return { outcome: 'SUCCEEDED', detail: { message: answer.message, durationMs: took(), liveQuery: answer.liveQuery } };
    }
    const task = inventoryTasks[options.action];
    if (task) {
      if (!options.runInventoryCycle) throw new Error('this client does not collect inventory');
      return { outcome: 'SUCCEEDED', detail: { message: (await options.runInventoryCycle(task)).slice(0, 500), durationMs: took() } };
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
      detail: { message: `${failurePrefix(options.action)}${reason}`.slice(0, 500), durationMs: took() },
    };
  }
}

function failurePrefix(action: ClientAction): string {
  if (action === 'QUICK_SCAN' || action === 'FULL_SCAN') return 'Scan failed: ';
  if (action === 'HARDWARE_INVENTORY_CYCLE') return 'Hardware inventory failed: ';
  if (action === 'SOFTWARE_INVENTORY_CYCLE') return 'Software inventory failed: ';
  if (action === 'DISCOVERY_DATA_COLLECTION_CYCLE') return 'Discovery data collection failed: ';
  if (action === 'RUN_SCRIPT') return 'Run Script failed: ';
  if (action === 'LIVE_QUERY') return 'Live query failed: ';
  return '';
}

/** What a Download Computer Policy brought, as its result says it: the serial, the deployments and the metering rules held. */
function describePolicy(policy: AgentPolicy): string {
  const metering = policy.metering?.enabled ? ` and ${plural(policy.metering.rules.length, 'software metering rule')}` : '';
  return `Received policy for site control serial ${policy.siteControlSerial} with ${plural(policy.deployments.length, 'deployment')}${metering}.`;
}
