import { EventEmitter } from 'node:events';
import type http from 'node:http';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import {
  agentEvents,
  agentSettingsSchema,
  clientActionLabels,
  operationCancelSchema,
  operationPushSchema,
  probeSchema,
  type OperationPush,
  type OperationResult,
  type PayloadRefusal,
  type PolicyRequest,
  type Probe,
} from '../protocol/agent-protocol.schema';
import { clientMessageIds } from '../protocol/client-message-ids';
import type { StatusReporter } from './status-reporter';
import { httpRequest } from './http';
import { InventoryClient, type InventoryOptions } from './inventory/inventory-client';
import { meteringAcknowledgements } from './metering/acknowledge-rules';
import { MeteringAgent, type MeteringOptions } from './metering/metering-agent';
import { certificateProblem, type TlsTrust } from './tls-pin';
import { performAction } from './perform-action';
import { createResultSpool, type ResultSpool, type UnfinishedOperation } from './result-spool';
import { resumeUnfinished } from './unfinished-operation';
import { runScript } from './run-script';
import { clamavScanner } from './scan/clamav-scanner';
import { collectEntity } from './live-query/collect-entity';
import type { EntityCollector } from './live-query/answer-live-query';
import { scanSettingsSchema, type Scanner } from './scan/scan-settings';
import { parseClientPolicy } from '../protocol/parse-client-policy';
import { readPolicyAnswer } from '../protocol/read-policy-answer';
import type { AgentCredential, AgentPolicy } from '../protocol/policy.schema';
import type { MeteringPolicyRule } from '../protocol/metering-policy.schema';
import { silentLog, type AgentLog } from './agent-log';
import { managementPointsInTurn } from './management-points-in-turn';

const outcomeMessageIds = {
  SUCCEEDED: clientMessageIds.clientActionSucceeded,
  FAILED: clientMessageIds.clientActionFailed,
  CANCELLED: clientMessageIds.clientActionCancelled,
} as const;

/** Why policy was fetched. */
export type PolicyReason = 'startup' | 'poll' | 'notification';

/** What a policy hook (e.g. the deployment runner) gets with each fetched policy. */
export interface AgentPolicyContext {
  reporter: StatusReporter | null;
  /** `Device <id>.<secret>`, for any other management point request. */
  authorization: string;
  managementPointUrl: string;
  deviceName: string;
  reason: PolicyReason;
  /** Aborted when the agent stops. */
  signal: AbortSignal;
}

export interface ClientAgentOptions {
  /** Management points (console port URLs), preferred first; the agent moves on when one fails. */
  managementPointUrls: string[];
  credential: AgentCredential;
  siteCode?: string;
  /** Try the notification server's own port (e.g. 10123) on each management point's host first. */
  notificationPort?: number;
  /** Transports to try, in order (default WebSocket, then HTTP long-polling). */
  transports?: ('websocket' | 'polling')[];
  reporter?: StatusReporter | null;
  /** Called with every policy fetched (startup, each polling interval, Download Computer Policy). */
  onPolicy?: (policy: AgentPolicy, ctx: AgentPolicyContext) => Promise<void> | void;
  /** Fetch policy at start and on the polling interval (default true; simulators turn it off). */
  pollPolicy?: boolean;
  /** Runs Quick Scan and Full Scan (default: ClamAV with the default scan settings); the simulator passes synthetic work. */
  scanner?: Scanner;
  /** How live queries read the machine: this machine itself unless told (the simulator's are synthetic). */
  collectEntity?: EntityCollector;
  /**
   * Hardware and software inventory and heartbeat discovery (lib/agent/inventory): the real agent
   * turns them on; without this option (the simulator) the agent collects nothing.
   */
  inventory?: InventoryOptions;
  /**
   * Software metering usage (lib/agent/metering): the real agent turns it on; policy then says
   * whether it meters and by which rules. Without this option (the simulator) nothing is metered.
   */
  metering?: MeteringOptions;
  /** Reconnect backoff: full jitter over min(max, initial * 2^attempt). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Shared HTTP keep-alive pool (simulators), else Node's default agent. */
  httpAgent?: http.Agent;
  /** For https management points: the pinned site certificate authority, trusted alone on every channel. */
  tls?: TlsTrust;
  random?: () => number;
  log?: AgentLog;
  /**
   * Runs what a push sets off (its acknowledgement, the action). Default: once the messages
   * already received are read. A simulator passes one scheduler shared by all its agents.
   */
  schedulePushWork?: (work: () => void) => void;
  /**
   * Where results the site has not stored yet are kept (the real agent: `<state>/operation-results`),
   * so they are sent after a restart of the agent. Without it (the simulator) they are kept in memory.
   */
  resultsDir?: string;
}

/** How long a stop waits for the actions under way to end once aborted. */
const STOP_WAIT_MS = 5_000;
/** A result the management point did not store is sent again after this, doubling to RESULT_RETRY_MAX_MS. */
const RESULT_RETRY_FIRST_MS = 5_000;
const RESULT_RETRY_MAX_MS = 5 * 60_000;

export interface ClientAgentEvents {
  connected: [{ url: string; transport: string; serverId: string }];
  disconnected: [{ reason: string }];
  /** The management point refused the credential (bad, or revoked): the agent stopped. */
  refused: [{ reason: string }];
  push: [OperationPush & { receivedAt: number }];
  probe: [Probe & { receivedAt: number }];
  result: [OperationResult & { stored: boolean }];
  policy: [AgentPolicy];
}

/**
 * A client agent: keeps a persistent socket.io connection to a management point's notification
 * server (its own port first when given, then the console port; WebSocket first, HTTP
 * long-polling when WebSocket is blocked), reconnects with jittered backoff, sends keep-alives at
 * the interval the server gives, polls policy on the site's policy interval, performs pushed
 * actions and returns their results until the server has stored them.
 */
export class ClientAgent extends EventEmitter<ClientAgentEvents> {
  readonly credential: AgentCredential;
  private readonly options: ClientAgentOptions;
  private readonly log: AgentLog;
  private readonly random: () => number;
  private socket: Socket | null = null;
  private endpointIndex = 0;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private resultRetryTimer: NodeJS.Timeout | null = null;
  private resultRetryMs = RESULT_RETRY_FIRST_MS;
  private pollMinutes = 60;
  private stopped = true;
  private controller = new AbortController();
  /** Operations this agent took on, with their work (a repeated push is acknowledged, not redone). */
  private readonly operations = new Map<number, AbortController>();
  /** Results not yet confirmed stored: sent again after every reconnect. */
  private readonly unsent = new Map<number, OperationResult>();
  private readonly scanner: Scanner;
  private readonly collectEntity: EntityCollector;
  private readonly inventory: InventoryClient | null;
  private readonly metering: MeteringAgent | null;
  private readonly results: ResultSpool | null;
  /** Actions under way, which a stop waits for (a little) so that a result they reach is kept. */
  private readonly performing = new Set<Promise<void>>();
  /** Software metering rules (id and revision) this agent has acknowledged since it started. */
  private readonly acknowledgedRules = new Set<string>();
  /** The metering rules of the last policy that carried them: named in policy requests, reused when the answer says unchanged. */
  private meteringRules: { revision: string; rules: MeteringPolicyRule[] } | null = null;
  /**
   * The device's site as its last policy named it: the site checks each status message's site
   * code against the device's own, so the configured one (S01 unless told) is only a fallback.
   */
  private policySiteCode: string | undefined;

  constructor(options: ClientAgentOptions) {
    super();
    if (!options.managementPointUrls.length) throw new Error('name at least one management point');
    this.options = options;
    this.credential = options.credential;
    this.log = options.log ?? silentLog;
    this.random = options.random ?? Math.random;
    this.scanner = options.scanner ?? clamavScanner(scanSettingsSchema.parse({}));
    this.collectEntity = options.collectEntity ?? collectEntity;
    this.inventory = options.inventory
      ? new InventoryClient({
          ...options.inventory,
          managementPointUrls: options.managementPointUrls,
          credential: options.credential,
          httpAgent: options.httpAgent,
          tls: options.tls,
          random: options.random,
          log: this.log,
        })
      : null;
    this.results = options.resultsDir ? createResultSpool(options.resultsDir) : null;
    this.metering = options.metering
      ? new MeteringAgent({
          ...options.metering,
          managementPointUrls: options.managementPointUrls,
          authorization: `Device ${options.credential.deviceId}.${options.credential.secret}`,
          httpAgent: options.httpAgent,
          tls: options.tls,
          random: options.random,
          log: this.log,
        })
      : null;
  }

  get authorization(): string {
    return `Device ${this.credential.deviceId}.${this.credential.secret}`;
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** The transport in use ("websocket" or "polling"), or null when not connected. */
  get transport(): string | null {
    return this.socket?.connected ? this.socket.io.engine.transport.name : null;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.controller = new AbortController();
    this.options.reporter?.start();
    await this.inventory?.start();
    this.metering?.start();
    // Results an earlier run did not see stored: sent once connected, and their operations,
    // pushed again to a client that has not answered, acknowledged rather than run twice.
    const earlier = await this.results?.load().catch((error) => {
      this.log.warn({ err: error }, 'could not read the results kept by an earlier run');
      return null;
    });
    for (const name of earlier?.setAside ?? [])
      this.log.warn({ file: path.join(this.options.resultsDir ?? '', name) }, 'a kept action or result cannot be read; set aside as .unreadable');
    for (const result of earlier?.results ?? []) {
      this.unsent.set(result.operationId, result);
      if (!this.operations.has(result.operationId)) this.operations.set(result.operationId, new AbortController());
    }
    for (const unfinished of earlier?.unfinished ?? []) this.resume(unfinished);
    this.connect();
    if (this.options.pollPolicy !== false) {
      await this.refreshPolicy('startup').catch((error) => this.log.warn({ err: error }, 'policy fetch at start failed; will retry on the interval'));
      this.schedulePoll();
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.controller.abort();
    for (const work of this.operations.values()) work.abort();
    for (const timer of [this.reconnectTimer, this.pollTimer, this.resultRetryTimer]) if (timer) clearTimeout(timer);
    this.resultRetryTimer = null;
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.socket?.removeAllListeners();
    this.socket?.io.removeAllListeners();
    this.socket?.close();
    this.socket = null;
    await this.inventory?.stop();
    await this.metering?.stop();
    // Aborted above: an action that still finishes has its result kept for the next run.
    await Promise.race([Promise.allSettled([...this.performing]), new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref?.())]);
    await this.options.reporter?.stop();
  }

  /**
   * Fetches policy, over the notification channel when it is open (the management point answers
   * many clients per query), else from the management points' policy endpoint, preferred first;
   * then hands it to the hook.
   */
  async refreshPolicy(reason: PolicyReason, deliveredOperationId?: number): Promise<AgentPolicy> {
    const { policy, managementPointUrl } = await this.fetchPolicy(deliveredOperationId);
    this.pollMinutes = policy.clientAgent.policyPollingMinutes;
    if (policy.siteCode) this.policySiteCode = policy.siteCode;
    this.inventory?.onPolicy(policy);
    this.metering?.onPolicy(policy.metering);
    await this.acknowledgeMeteringRules(policy);
    this.emit('policy', policy);
    if (this.options.onPolicy) {
      const ctx: AgentPolicyContext = {
        reporter: this.options.reporter ?? null,
        authorization: this.authorization,
        managementPointUrl,
        deviceName: this.credential.name,
        reason,
        signal: this.controller.signal,
      };
      const hook = Promise.resolve()
        .then(() => this.options.onPolicy!(policy, ctx))
        .catch((error) => this.log.warn({ err: error }, 'policy hook failed'));
      // A pushed Download Computer Policy reports once policy is here, not after what it starts.
      if (reason !== 'notification') await hook;
    }
    return policy;
  }

  /**
   * Acknowledges the software metering rules received for the first time (or changed), through
   * the spooling status reporter, in the way the site chose (one 10907 per rule, or one message
   * per policy naming every rule).
   */
  private async acknowledgeMeteringRules(policy: AgentPolicy) {
    const reporter = this.options.reporter;
    if (!reporter || !policy.metering?.enabled) return;
    // Made and handed to the reporter in one step that keeps no hold on them (see report()).
    const { spooled, covered } = (() => {
      const made = meteringAcknowledgements({
        policy: policy.metering,
        acknowledged: this.acknowledgedRules,
        siteCode: this.siteCode(),
        systemName: this.credential.name,
        now: new Date(),
      });
      return { spooled: made.messages.length ? reporter.report(made.messages) : null, covered: made.covered };
    })();
    if (!spooled) return;
    // Marked before the report is spooled: two policies fetched at once acknowledge each rule once.
    for (const key of covered) this.acknowledgedRules.add(key);
    try {
      await spooled;
    } catch (error) {
      for (const key of covered) this.acknowledgedRules.delete(key);
      this.log.warn({ err: error }, 'could not spool the software metering acknowledgements; they are sent with the next policy');
    }
  }

  /**
   * Fetches policy naming the metering rules held; an answer that leaves them out as unchanged gets
   * them back from what is held (or, should that not be the revision the answer names, is asked
   * again in full).
   */
  private async fetchPolicy(deliveredOperationId?: number): Promise<{ policy: AgentPolicy; managementPointUrl: string }> {
    const held = this.meteringRules;
    let answer = await this.requestPolicy(held?.revision, deliveredOperationId);
    let metering = answer.policy.metering;
    if (metering?.rulesUnchanged) {
      if (held && metering.rulesRevision === held.revision) metering.rules = held.rules;
      else {
        answer = await this.requestPolicy(undefined);
        metering = answer.policy.metering;
      }
    }
    if (metering?.rulesRevision && !metering.rulesUnchanged) this.meteringRules = { revision: metering.rulesRevision, rules: metering.rules };
    if (metering) delete metering.rulesUnchanged;
    return answer;
  }

  /**
   * Policy over the notification channel, else from the policy endpoints. `deliveredOperationId`:
   * the pushed operation this request acknowledges; should the request not leave over the channel,
   * a delivered packet is sent instead (the socket sends it once it is connected again).
   */
  private async requestPolicy(
    meteringRulesRevision: string | undefined,
    deliveredOperationId?: number,
  ): Promise<{ policy: AgentPolicy; managementPointUrl: string }> {
    const request: PolicyRequest = {
      ...(meteringRulesRevision ? { meteringRulesRevision } : {}),
      ...(deliveredOperationId !== undefined ? { deliveredOperationId } : {}),
      answerAsBytes: true,
    };
    const socket = this.socket;
    if (deliveredOperationId !== undefined && !socket?.connected) socket?.emit(agentEvents.delivered, { operationId: deliveredOperationId });
    if (socket?.connected) {
      try {
        const answer: unknown = await socket.timeout(30_000).emitWithAck(agentEvents.policyRequest, request);
        const policy = readPolicyAnswer(answer);
        if (policy) return { policy: parseClientPolicy(policy), managementPointUrl: this.options.managementPointUrls[this.currentManagementPoint()] };
      } catch (error) {
        this.log.debug({ err: error }, 'policy over the notification channel failed; asking the policy endpoint');
      }
    }
    let lastError: unknown;
    for (const base of this.rotatedManagementPoints()) {
      try {
        const answer = await httpRequest({
          url: new URL(`/api/mp/policy${meteringRulesRevision ? `?${new URLSearchParams({ meteringRulesRevision })}` : ''}`, base).toString(),
          headers: { authorization: this.authorization },
          agent: this.options.httpAgent,
          tls: this.options.tls,
          signal: this.controller.signal,
        });
        if (answer.status === 401 || answer.status === 403) throw new Error(`the management point refused the credential (${answer.status})`);
        if (answer.status !== 200) throw new Error(`policy request answered ${answer.status}`);
        return { policy: parseClientPolicy(JSON.parse(answer.body)), managementPointUrl: base };
      } catch (error) {
        lastError = error;
        if (this.controller.signal.aborted) break;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  /** The approved text of a script, by its content hash, from the management points (preferred first). */
  private async fetchScriptText(contentHash: string, signal: AbortSignal): Promise<string> {
    let lastError: unknown;
    for (const base of this.rotatedManagementPoints()) {
      try {
        const answer = await httpRequest({
          url: new URL(`/api/mp/scripts/${contentHash}`, base).toString(),
          headers: { authorization: this.authorization, accept: 'text/x-shellscript' },
          agent: this.options.httpAgent,
          tls: this.options.tls,
          signal,
        });
        if (answer.status !== 200) throw new Error(`the management point answered ${answer.status} for script ${contentHash.slice(0, 12)}`);
        return answer.body;
      } catch (error) {
        lastError = error;
        if (signal.aborted) break;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  // ------------------------------------------------------------------ the notification channel

  /** Endpoints in the order to try: per management point, its notification port then its console port. */
  private endpoints(): string[] {
    const list: string[] = [];
    for (const base of this.options.managementPointUrls) {
      if (this.options.notificationPort) {
        const url = new URL(base);
        url.port = String(this.options.notificationPort);
        list.push(url.origin);
      }
      list.push(new URL(base).origin);
    }
    return list;
  }

  private rotatedManagementPoints(): string[] {
    return managementPointsInTurn(this.options.managementPointUrls, this.socket?.connected ? this.currentManagementPoint() : 0);
  }

  private currentManagementPoint(): number {
    return Math.floor(this.endpointIndex / (this.options.notificationPort ? 2 : 1)) % this.options.managementPointUrls.length;
  }

  private connect() {
    if (this.stopped) return;
    const endpoints = this.endpoints();
    const url = endpoints[this.endpointIndex % endpoints.length];
    const socket = io(`${url}/agents`, {
      auth: { credential: this.authorization },
      transports: this.options.transports ?? ['websocket', 'polling'],
      tryAllTransports: true,
      // One connection per agent, even when thousands share a process; reconnects are ours.
      forceNew: true,
      reconnection: false,
      timeout: 20_000,
      ...this.options.tls,
    });
    this.socket = socket;

    socket.on('connect', () => {
      this.attempt = 0;
      this.log.info({ url, transport: socket.io.engine.transport.name }, 'connected to the notification server');
      for (const result of this.unsent.values()) this.sendResult(result);
      // The site is back: status messages spooled through the outage need not wait out their backoff.
      this.options.reporter?.retryNow();
    });
    socket.on(agentEvents.settings, (payload: unknown) => {
      const settings = agentSettingsSchema.safeParse(payload);
      if (!settings.success) return;
      this.startKeepAlive(settings.data.keepAliveSeconds);
      this.emit('connected', { url, transport: socket.io.engine.transport.name, serverId: settings.data.serverId });
    });
    socket.on(agentEvents.push, (payload: unknown) => {
      const receivedAt = Date.now();
      const push = operationPushSchema.safeParse(payload);
      if (push.success) this.onPush(push.data, receivedAt);
    });
    socket.on(agentEvents.cancel, (payload: unknown) => {
      const cancel = operationCancelSchema.safeParse(payload);
      if (cancel.success) this.operations.get(cancel.data.operationId)?.abort();
    });
    socket.on(agentEvents.probe, (payload: unknown) => {
      const receivedAt = Date.now();
      const probe = probeSchema.safeParse(payload);
      if (probe.success) this.emit('probe', { ...probe.data, receivedAt });
    });
    socket.on(agentEvents.revoked, () => this.refuse('REVOKED'));
    socket.on(agentEvents.refused, (refusal: unknown) => this.log.warn({ refusal }, 'the management point refused a payload'));
    socket.on('connect_error', (error: Error) => {
      if (error.message === 'UNAUTHENTICATED' || error.message === 'FORBIDDEN') return this.refuse(error.message);
      const untrusted = certificateProblem(error, this.options.tls !== undefined);
      if (untrusted) this.log.warn({ url, reason: untrusted }, 'refused the notification server: its certificate is not trusted');
      else this.log.debug({ url, err: error.message }, 'could not reach the notification server');
      // Next endpoint: the console port after the notification port, then the next management point.
      this.endpointIndex = (this.endpointIndex + 1) % endpoints.length;
      this.scheduleReconnect();
    });
    socket.on('disconnect', (reason) => {
      if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
      this.emit('disconnected', { reason });
      if (this.stopped || reason === 'io client disconnect') return;
      this.log.info({ url, reason }, 'lost the notification server; reconnecting');
      this.endpointIndex = 0;
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect() {
    if (this.stopped || this.reconnectTimer) return;
    const old = this.socket;
    old?.removeAllListeners();
    old?.io.removeAllListeners();
    old?.close();
    this.socket = null;
    const initial = this.options.initialBackoffMs ?? 1000;
    const max = this.options.maxBackoffMs ?? 60_000;
    const ceiling = Math.min(max, initial * 2 ** Math.min(this.attempt++, 16));
    const delay = Math.round(ceiling * (0.5 + 0.5 * this.random()));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private refuse(reason: string) {
    this.log.warn({ reason }, 'the management point refused this client; stopping');
    this.emit('refused', { reason });
    void this.stop();
  }

  private startKeepAlive(seconds: number) {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = setInterval(() => this.socket?.emit(agentEvents.keepAlive), seconds * 1000);
    this.keepAliveTimer.unref?.();
  }

  private onPush(push: OperationPush, receivedAt: number) {
    const repeated = this.operations.has(push.operationId);
    if (!repeated) this.emit('push', { ...push, receivedAt });
    const work = this.operations.get(push.operationId) ?? new AbortController();
    this.operations.set(push.operationId, work);
    // Acknowledge and act once the messages already received are read: where thousands of agents
    // share one process (the simulator), one agent's work must not delay another's receipt.
    const schedule = this.options.schedulePushWork ?? ((run: () => void) => void setImmediate(run));
    schedule(() => {
      // The push is on disk before the site hears it arrived: the site never pushes a Delivered
      // target again, so a restart must find it (see resumeUnfinished).
      const act = () => {
        if (this.stopped) return;
        // A pushed Download Computer Policy asks for policy over the channel at once: that request
        // says the push arrived, and the delivered packet is spared (a fleet's worth of them).
        const deliveredWithRequest = !repeated && push.action === 'DOWNLOAD_COMPUTER_POLICY' && this.socket?.connected === true;
        if (!deliveredWithRequest) this.socket?.emit(agentEvents.delivered, { operationId: push.operationId });
        if (repeated || work.signal.aborted) return;
        this.startPerforming(push, work, deliveredWithRequest);
      };
      if (repeated || !this.results) return act();
      void this.results
        .begin(push, receivedAt)
        .catch((error) => this.log.warn({ err: error }, 'could not keep the pushed action on disk'))
        .then(act);
    });
  }

  private startPerforming(push: OperationPush, work: AbortController, deliveredWithRequest: boolean) {
    const performing = this.perform(push, work, deliveredWithRequest).catch((error) => this.log.warn({ err: error }, 'client operation failed'));
    this.performing.add(performing);
    void performing.finally(() => this.performing.delete(performing));
  }

  /** An action an earlier run took on and did not finish: run again, or answered with why not. */
  private resume(unfinished: UnfinishedOperation) {
    const { push } = unfinished;
    if (this.operations.has(push.operationId)) return;
    const work = new AbortController();
    this.operations.set(push.operationId, work);
    const next = resumeUnfinished(unfinished, new Date());
    this.log.info({ operationId: push.operationId, action: push.action, runAgain: next.run }, 'found an action an earlier run did not finish');
    if (next.run) return this.startPerforming(push, work, false);
    this.unsent.set(push.operationId, next.result);
    void this.results?.save(next.result).catch((error) => this.log.warn({ err: error }, 'could not keep the action’s result on disk'));
  }

  private async perform(push: OperationPush, work: AbortController, deliveredWithRequest: boolean) {
    const outcome = await performAction({
      action: push.action,
      fetchPolicy: () => this.refreshPolicy('notification', deliveredWithRequest ? push.operationId : undefined),
      scanner: this.scanner,
      runInventoryCycle: this.inventory ? (task) => this.inventory!.runCycle(task) : undefined,
      script: push.script,
      liveQuery: push.liveQuery,
      collectEntity: this.collectEntity,
      runScript: (script, signal) => runScript({ script, signal, fetchText: (hash) => this.fetchScriptText(hash, signal) }),
      signal: work.signal,
    });
    // An action cut short by the agent's own stop has no result; one that finished as the agent
    // stopped, or while no management point could be reached, is kept for the next run.
    if (this.stopped && outcome.outcome === 'CANCELLED') return;
    const result: OperationResult = { operationId: push.operationId, ...outcome, completedAt: new Date().toISOString() };
    await this.results?.save(result).catch((error) => this.log.warn({ err: error }, 'could not keep the action’s result on disk'));
    if (this.stopped) return;
    this.unsent.set(push.operationId, result);
    this.sendResult(result);
    await this.options.reporter
      ?.report({
        uid: crypto.randomUUID(),
        messageId: outcomeMessageIds[outcome.outcome],
        severity: outcome.outcome === 'FAILED' ? 'ERROR' : 'INFORMATIONAL',
        type: 'MILESTONE',
        source: 'CLIENT',
        siteCode: this.siteCode(),
        systemName: this.credential.name,
        component: 'CCM_NOTIFICATION_AGENT',
        sourceTime: new Date(),
        processId: process.pid,
        insertionStrings: [String(push.operationId), clientActionLabels[push.action], outcome.detail.message],
        properties: { ClientOperationID: String(push.operationId) },
      })
      .catch((error) => this.log.warn({ err: error }, 'could not spool the action’s status message'));
  }

  /** The site code status messages carry: the one policy named, else the configured one. */
  private siteCode(): string {
    return this.policySiteCode ?? this.options.siteCode ?? 'S01';
  }

  private sendResult(result: OperationResult) {
    const socket = this.socket;
    if (!socket?.connected) return;
    socket
      .timeout(30_000)
      .emitWithAck(agentEvents.result, result)
      .then((answer: { stored?: boolean; refused?: PayloadRefusal }) => {
        if (answer?.refused) {
          // The same result would be refused again after every reconnect: dropped, once logged.
          this.unsent.delete(result.operationId);
          this.forget(result.operationId);
          this.log.warn({ refused: answer.refused }, 'the management point refused an action result');
          return;
        }
        if (!answer?.stored) return this.sendResultsLater();
        this.resultRetryMs = RESULT_RETRY_FIRST_MS;
        this.unsent.delete(result.operationId);
        this.forget(result.operationId);
        this.emit('result', { ...result, stored: true });
      })
      // No answer: kept, and sent again (after a reconnect at once).
      .catch(() => this.sendResultsLater());
  }

  /**
   * Sends the results not yet stored again after a pause (doubling while the management point
   * cannot store them: its database cut off, say). A connection can last for days, so waiting
   * for the next reconnect left a target Delivered all that time.
   */
  private sendResultsLater() {
    if (this.stopped || this.resultRetryTimer) return;
    const delay = Math.round(this.resultRetryMs * (0.5 + 0.5 * this.random()));
    this.resultRetryMs = Math.min(this.resultRetryMs * 2, RESULT_RETRY_MAX_MS);
    this.resultRetryTimer = setTimeout(() => {
      this.resultRetryTimer = null;
      for (const result of this.unsent.values()) this.sendResult(result);
    }, delay);
    this.resultRetryTimer.unref?.();
  }

  /** The site has the result (or refused it for good): its file goes. */
  private forget(operationId: number) {
    void this.results?.remove(operationId).catch((error) => this.log.warn({ err: error, operationId }, 'could not remove a stored result’s file'));
  }

  private schedulePoll() {
    if (this.stopped) return;
    const ms = this.pollMinutes * 60_000;
    this.pollTimer = setTimeout(
      () => {
        void this.refreshPolicy('poll')
          .catch((error) => this.log.warn({ err: error }, 'policy poll failed'))
          .finally(() => this.schedulePoll());
      },
      Math.round(ms * (0.9 + 0.2 * this.random())),
    );
    this.pollTimer.unref?.();
  }
}
