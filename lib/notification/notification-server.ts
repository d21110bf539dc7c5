import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type pg from 'pg';
import type { Logger } from 'pino';
import { Server, type Namespace, type Socket } from 'socket.io';
import { systemClock, type Clock } from '../clock';
import { listenShared } from '../db/listen-shared';
import { pool } from '../db/pool';
import { authenticateDevice, type AuthenticatedDevice } from '../devices/authenticate-device';
import { clientPolicies, policyForHolder, type ClientPolicy, type ReadPolicySiteSettings } from '../policy/client-policy';
import { policyAnswerBytes } from './policy-answer-bytes';
import { forEachInSlices } from '../yield-in-slices';
import { AppError } from '../errors';
import { statusMessageIds } from '../reporting/catalog';
import { reportServerMessage, serverMessage } from '../reporting/report-server-message';
import {
  agentEvents,
  operationDeliveredSchema,
  operationResultSchema,
  payloadRefusal,
  policyRequestSchema,
  type AgentSettings,
  type OperationPush,
  type PayloadRefusal,
  type Probe,
} from '../protocol/agent-protocol.schema';
import type { ClientNotificationSettings } from './notification-settings';
import { beatNotificationServer, clearOrphanedOnline, reapNotificationServers } from './presence-repo';
import { recordAnswers, recordPresenceChanges, type PresenceChange, type PendingResult as AnswerResult } from './record-answers';
import * as repo from './repo';
import { ProgressNotifier } from './progress-notifier';
import { channels } from '../db/channels';

export const AGENT_NAMESPACE = '/agents';

/** What the dedicated port answers any request but the channel's: where the management point's endpoints are. */
const notTheConsolePort = (consolePort: number | undefined) =>
  `This port serves the client notification channel only; the management point's endpoints are on its console port${consolePort ? `, ${consolePort}` : ''}.`;

/**
 * How a silent client is noticed: the transport pings each agent every 25 s and closes a
 * connection not answered within 20 s, so a client that stops answering (gone from the network,
 * hung) goes offline within a minute and a flush — inside the five minutes after which a client
 * without a ping counts as offline. The agent's own keep-alive (a site setting, 15 minutes by
 * default) only records it as seen. A message may be up to 4 MB: a live query's answer carries up
 * to LIVE_QUERY_DEVICE_ROWS rows. Every socket.io server agents connect to takes these options.
 */
export const agentChannelOptions = { pingInterval: 25_000, pingTimeout: 20_000, maxHttpBufferSize: 4_000_000 } as const;

declare module 'socket.io' {
  interface SocketData {
    device?: AuthenticatedDevice;
  }
}

type PolicyAnswer = { policy: ClientPolicy } | { error: string };
type PendingPolicyRequest = {
  device: AuthenticatedDevice;
  knownMeteringRulesRevision?: string;
  /** The agent takes the answer as the bytes of its JSON (see policyAnswerBytes). */
  asBytes: boolean;
  ack: (answer: PolicyAnswer | Buffer) => void;
};
/**
 * Connections one device may hold at once in a process. An agent holds one, and a reconnect may
 * overlap the connection it replaces for a moment; more is a client gone wrong (or hostile), whose
 * sockets would take the file descriptors every other client needs. The oldest go first.
 */
export const MAX_SOCKETS_PER_DEVICE = 4;

const POLICY_BATCH = 2000;
// How long answering policy may hold the event loop before other work gets a turn.
const ANSWER_SLICE_MS = 10;
const RESULTS_PER_WRITE = 2000;
const RESULT_DELAY_MS = 20;
/**
 * How long a delivery waits before it is written. A result that comes within it records the
 * delivery too, so an action that answers quickly (most do) costs its target row one update, not
 * two; a longer one shows as delivered this much later.
 */
const DELIVERY_HOLD_MS = 1_000;
const LIVE_ROWS_PER_WRITE = 10_000;
/**
 * How long after a cancel a client that connects is still told of it: an action the client began
 * before the cancel may still run that long (a script's longest timeout is a day).
 */
const CANCEL_RECALL_MS = 24 * 3_600_000;

export interface NotificationServerOptions {
  log: Logger;
  /** For the LISTEN connection (push queue, revocations, site control changes). */
  connectionString: string;
  db?: pg.Pool;
  clock?: Clock;
  instanceId?: string;
  /** How often this server records that it is alive; silent for three intervals, others reap it. */
  heartbeatSeconds: number;
  /** How often presence, deliveries and results are written, in one batch each. */
  flushMs: number;
  /** Reads the site's settings as they stand: at start, and again whenever a site control serial is applied. */
  settings: () => Promise<ClientNotificationSettings>;
  /** What policy answered over the channel carries from each site's settings. */
  policySiteSettings: ReadPolicySiteSettings;
  /**
   * The dedicated notification port: the site setting (default 10123), or `port` to override it
   * for this process (0: any free port). Omit to serve agents only where attach() is called.
   */
  dedicatedPort?: { host: string; port?: number };
  /** The console port this management point listens on (known once it listens), named to a request that came to the dedicated port by mistake. */
  consolePort?: () => number | undefined;
  /**
   * Called with the dedicated port's HTTP server before it listens, e.g. to serve TLS on it as on
   * the console port; returns what undoes it when the port closes.
   */
  prepareDedicatedServer?: (server: HttpServer) => () => void;
  /**
   * Takes one of a device's client requests (the management point's per-device limit, the one
   * GET /api/mp/policy has), rejecting past it: a policy request over the channel is answered
   * `{ error: 'RATE_LIMITED' }` then, so one client cannot have the server print and buffer policy
   * without end; an action result `{ stored: false, error: 'RATE_LIMITED' }`, which the agent sends
   * again later. Omit for no limit (tests).
   */
  consumeClientRequest?: (deviceId: number) => Promise<void>;
}

interface PendingResult extends AnswerResult {
  /** Not stored: refused for good (`refused`), past the per-device limit (`error`), or the write failed; the agent sends it again but when refused. */
  ack?: (answer: { stored: boolean; refused?: PayloadRefusal; error?: 'RATE_LIMITED' }) => void;
}

/**
 * The notification server of one management point process: authenticates agents on the
 * `/agents` namespace (of the console port, and of its dedicated port), tracks who is connected
 * and records presence in batches, follows the push queue (LISTEN/NOTIFY over notification_push)
 * and pushes each operation to the targets connected here, re-pushes owed operations to clients
 * that connect within the validity, and stores deliveries and results in batches. Several
 * servers share one database: each pushes only to its own connections, beats, and reaps the
 * presence of servers that stopped beating.
 */
export class NotificationServer {
  readonly instanceId: string;
  private readonly log: Logger;
  private readonly db: pg.Pool;
  private readonly clock: Clock;
  private readonly settings: () => Promise<ClientNotificationSettings>;
  private readonly namespaces = new Set<Namespace>();
  private readonly sockets = new Map<number, Set<Socket>>();
  private readonly connectedAt = new Map<number, Date>();
  // Batches waiting for the next flush.
  private touched = new Set<number>();
  private seen = new Set<number>();
  private owedCheck = new Set<number>();
  private deliveries: { operationId: number; deviceId: number; at: Date; heldUntil: number }[] = [];
  private results: PendingResult[] = [];
  /** Per operation, the devices pushed and not yet acknowledged: never pushed twice at once. */
  private readonly inFlight = new Map<number, Set<number>>();
  private policyRequests: PendingPolicyRequest[] = [];
  private policyBatch: Promise<void> | null = null;
  private cursor = '0';
  private pushChain: Promise<void> = Promise.resolve();
  private flushing: Promise<void> | null = null;
  private flushAgain = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private soonTimer: NodeJS.Timeout | null = null;
  private beatTimer: NodeJS.Timeout | null = null;
  private listener: ReturnType<typeof listenShared> | null = null;
  private readonly startedAt: Date;
  private stopped = false;
  private readonly progress: ProgressNotifier;
  private keepAliveSeconds = 15 * 60;
  private dedicated: { io: Server; http: HttpServer; port: number; release?: () => void } | null = null;
  private dedicatedChain: Promise<void> = Promise.resolve();
  /** The dedicated port wanted but taken by another program (reported once), tried again on every beat. */
  private unboundPort: number | null = null;

  constructor(private readonly options: NotificationServerOptions) {
    this.instanceId = options.instanceId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.log = options.log.child({ component: 'SMS_NOTIFICATION_SERVER', instanceId: this.instanceId });
    this.db = options.db ?? pool();
    this.clock = options.clock ?? systemClock;
    this.progress = new ProgressNotifier({ tell: (ids) => repo.notifyProgress(this.db, { answered: ids }), log: this.log });
    this.settings = options.settings;
    this.startedAt = this.clock.now();
  }

  /** Serves the agent namespace on a socket.io server (call for each port agents may use). */
  attach(io: Server): Namespace {
    const nsp = io.of(AGENT_NAMESPACE);
    nsp.use((socket, next) => void this.authenticate(socket, next));
    nsp.on('connection', (socket) => this.onConnection(socket));
    this.namespaces.add(nsp);
    return nsp;
  }

  /** Records this server, catches up on the push queue, and starts the timers. */
  async start(): Promise<void> {
    const now = this.clock.now();
    await beatNotificationServer(this.db, { instanceId: this.instanceId, host: os.hostname(), pid: process.pid, startedAt: this.startedAt });
    await reapNotificationServers(this.db, { staleSeconds: this.options.heartbeatSeconds * 3, exceptInstanceId: this.instanceId, now });
    await clearOrphanedOnline(this.db, now);
    const settings = await this.settings();
    this.keepAliveSeconds = settings.keepAliveSeconds;
    // Pushes queued before this server started reach its clients as owed pushes when they connect.
    this.cursor = await repo.latestPushId(this.db);
    await new Promise<void>((resolve) => {
      let first = true;
      this.listener = listenShared({
        connectionString: this.options.connectionString,
        channels: [channels.notificationPush, channels.deviceRevoked, channels.siteControlApplied, channels.notificationProbe],
        onNotification: (channel, payload) => this.onNotification(channel, payload),
        // A NOTIFY sent before LISTEN is lost: read the queue after every (re)connect.
        onListening: () => {
          this.readPushQueue();
          if (first) resolve();
          first = false;
        },
      });
    });
    this.flushTimer = setInterval(
      () => void this.flush().catch((error) => this.log.error({ err: error }, 'notification flush failed')),
      this.options.flushMs,
    );
    this.beatTimer = setInterval(() => void this.beat(), this.options.heartbeatSeconds * 1000);
    if (this.options.dedicatedPort) await this.bindDedicatedPort(settings.port);
    this.log.info({ heartbeatSeconds: this.options.heartbeatSeconds }, 'notification server started');
  }

  /** Stops cleanly: writes what is pending, then takes its clients offline at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.soonTimer) clearTimeout(this.soonTimer);
    if (this.beatTimer) clearInterval(this.beatTimer);
    await this.listener?.close();
    await this.closeDedicatedPort();
    for (const set of this.sockets.values()) for (const socket of set) socket.disconnect(true);
    await this.flush().catch((error) => this.log.warn({ err: error }, 'final notification flush failed'));
    await this.progress.flush();
    await this.pushChain;
    await reapNotificationServers(this.db, { staleSeconds: 0, only: this.instanceId, now: this.clock.now() }).catch((error) =>
      this.log.warn({ err: error }, 'could not remove this server’s presence'),
    );
  }

  connectedDeviceIds(): number[] {
    return [...this.sockets.keys()];
  }

  /** The dedicated port actually bound, or null. */
  dedicatedPort(): number | null {
    return this.dedicated?.port ?? null;
  }

  /**
   * A bare broadcast to every connected agent, with no database work: what the channel itself
   * costs (the notify benchmark's baseline). Returns how many agents it went to.
   */
  probe(probe: Probe): number {
    for (const nsp of this.namespaces) nsp.emit(agentEvents.probe, probe);
    return this.sockets.size;
  }

  /**
   * A result is what an administrator watches for: it is written within RESULT_DELAY_MS, not at
   * the next flush interval. Results that arrive while a flush writes are taken by the flush that
   * follows it at once, so under a burst each write takes what gathered during the one before.
   */
  private flushSoon() {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.soonTimer ??= setTimeout(() => {
      this.soonTimer = null;
      if (!this.stopped) void this.flush().catch((error) => this.log.error({ err: error }, 'notification flush failed'));
    }, RESULT_DELAY_MS);
  }

  /** Writes pending presence, deliveries and results now (one batch each). */
  flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        do {
          this.flushAgain = false;
          await this.flushOnce();
        } while (this.flushAgain);
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  // ------------------------------------------------------------------ connections

  private async authenticate(socket: Socket, next: (error?: Error) => void) {
    if (this.stopped) return next(new Error('UNAVAILABLE'));
    const auth = socket.handshake.auth as { credential?: unknown } | undefined;
    const credential = typeof auth?.credential === 'string' ? auth.credential : socket.handshake.headers.authorization;
    try {
      const device = await authenticateDevice(credential);
      socket.data.deviceId = device.id;
      socket.data.device = device;
      next();
    } catch (error) {
      if (!(error instanceof AppError)) this.log.error({ err: error }, 'agent authentication failed');
      next(new Error(error instanceof AppError ? error.code : 'INTERNAL'));
    }
  }

  private onConnection(socket: Socket) {
    const id = socket.data.deviceId!;
    let set = this.sockets.get(id);
    if (!set) {
      set = new Set();
      this.sockets.set(id, set);
      this.connectedAt.set(id, this.clock.now());
      this.touched.add(id);
    }
    for (const oldest of [...set].slice(0, Math.max(0, set.size + 1 - MAX_SOCKETS_PER_DEVICE))) oldest.disconnect(true);
    set.add(socket);
    this.owedCheck.add(id);
    const settings: AgentSettings = { keepAliveSeconds: this.keepAliveSeconds, serverId: this.instanceId };
    socket.emit(agentEvents.settings, settings);

    socket.on(agentEvents.keepAlive, () => this.seen.add(id));
    // A policy request may name what the agent holds (agents before it sent the acknowledgement alone).
    socket.on(agentEvents.policyRequest, (first: unknown, second?: unknown) => {
      const ack = typeof first === 'function' ? first : second;
      if (typeof ack !== 'function') return;
      const parsed = policyRequestSchema.safeParse(typeof first === 'function' ? {} : first);
      // A hint that cannot be read is refused and the whole policy answered: the agent still gets it.
      if (!parsed.success) socket.emit(agentEvents.refused, payloadRefusal(agentEvents.policyRequest, parsed.error));
      if (parsed.success && parsed.data.deliveredOperationId !== undefined) this.delivered(parsed.data.deliveredOperationId, id);
      const request: PendingPolicyRequest = {
        device: socket.data.device!,
        knownMeteringRulesRevision: parsed.success ? parsed.data.meteringRulesRevision : undefined,
        asBytes: parsed.success && parsed.data.answerAsBytes === true,
        ack: ack as PendingPolicyRequest['ack'],
      };
      const consume = this.options.consumeClientRequest;
      if (!consume) return this.queuePolicyRequest(request);
      consume(id).then(
        () => this.queuePolicyRequest(request),
        () => request.ack({ error: 'RATE_LIMITED' }),
      );
    });
    socket.on(agentEvents.delivered, (payload: unknown) => {
      const parsed = operationDeliveredSchema.safeParse(payload);
      if (!parsed.success) return socket.emit(agentEvents.refused, payloadRefusal(agentEvents.delivered, parsed.error));
      this.delivered(parsed.data.operationId, id);
    });
    socket.on(agentEvents.result, (payload: unknown, ack?: unknown) => {
      const parsed = operationResultSchema.safeParse(payload);
      const reply = typeof ack === 'function' ? (ack as PendingResult['ack']) : undefined;
      if (!parsed.success) {
        const refused = payloadRefusal(agentEvents.result, parsed.error);
        return reply ? reply({ stored: false, refused }) : socket.emit(agentEvents.refused, refused);
      }
      this.acknowledged(parsed.data.operationId, id);
      const take = () => {
        this.results.push({ deviceId: id, result: parsed.data, receivedAt: this.clock.now(), ack: reply });
        this.flushSoon();
      };
      const consume = this.options.consumeClientRequest;
      if (!consume) return take();
      // Held to the per-device limit too: results (up to 4 MB each) sent without end would be buffered without end.
      consume(id).then(take, () => reply?.({ stored: false, error: 'RATE_LIMITED' }));
    });
    socket.on('disconnect', () => {
      set.delete(socket);
      if (set.size) return;
      this.sockets.delete(id);
      this.connectedAt.delete(id);
      this.touched.add(id);
      // Whatever was pushed and not acknowledged is owed again when it comes back.
      for (const [operationId, devices] of this.inFlight) if (devices.delete(id) && !devices.size) this.inFlight.delete(operationId);
    });
  }

  private queuePolicyRequest(request: PendingPolicyRequest) {
    this.policyRequests.push(request);
    this.policyBatch ??= this.answerPolicyRequests();
  }

  private pushToDevices(push: OperationPush, deviceIds: number[]) {
    const pushed = this.inFlight.get(push.operationId) ?? new Set<number>();
    // Every socket is in a room of its own id: no per-device rooms to keep or names to build.
    const rooms = new Map<Namespace, string[]>();
    let devices = 0;
    for (const id of deviceIds) {
      const sockets = this.sockets.get(id);
      if (!sockets || pushed.has(id)) continue;
      pushed.add(id);
      devices++;
      for (const socket of sockets) {
        const ids = rooms.get(socket.nsp);
        if (ids) ids.push(socket.id);
        else rooms.set(socket.nsp, [socket.id]);
      }
    }
    if (!devices) return 0;
    this.inFlight.set(push.operationId, pushed);
    // One packet, encoded once, written to each target's socket. When every client connected to a
    // namespace is a target (a collection that holds them all), a plain broadcast skips the union
    // of thousands of one-socket rooms.
    for (const [nsp, ids] of rooms) {
      if (ids.length === nsp.sockets.size) nsp.emit(agentEvents.push, push);
      else nsp.to(ids).emit(agentEvents.push, push);
    }
    return devices;
  }

  /** A push arrived, as its agent said with a delivered packet or with the policy request it made. */
  private delivered(operationId: number, deviceId: number) {
    this.acknowledged(operationId, deviceId);
    this.deliveries.push({ operationId, deviceId, at: this.clock.now(), heldUntil: performance.now() + DELIVERY_HOLD_MS });
  }

  private acknowledged(operationId: number, deviceId: number) {
    const pushed = this.inFlight.get(operationId);
    if (pushed?.delete(deviceId) && !pushed.size) this.inFlight.delete(operationId);
  }

  // ------------------------------------------------------------------ push queue

  private onNotification(channel: string, payload: string) {
    if (channel === channels.notificationPush) return this.readPushQueue();
    if (channel === channels.deviceRevoked) {
      for (const socket of this.sockets.get(Number(payload)) ?? []) {
        socket.emit(agentEvents.revoked);
        socket.disconnect(true);
      }
      return;
    }
    if (channel === channels.siteControlApplied) void this.applySettings();
    // Stamped here, as it leaves: the probe times the channel from this server, not the NOTIFY.
    if (channel === channels.notificationProbe) this.probe({ probeId: payload, sentAt: Date.now() });
  }

  private readPushQueue() {
    this.pushChain = this.pushChain
      .then(async () => {
        // Read on the connection that heard the NOTIFY: always open, where the pool may first have
        // to open one (its idle connections close after a while).
        const db = this.listener?.connection() ?? this.db;
        for (;;) {
          const requests = await repo.readPushesAfter(db, this.cursor);
          for (const request of requests) {
            await this.handlePush(db, request);
            this.cursor = request.id;
          }
          if (requests.length < 1000) return;
        }
      })
      .catch((error) => this.log.error({ err: error }, 'reading the push queue failed'));
  }

  private async handlePush(db: pg.Pool | pg.Client, request: repo.PushRequest) {
    if (request.kind === 'CANCEL') {
      for (const nsp of this.namespaces) nsp.emit(agentEvents.cancel, { operationId: request.operationId });
      return;
    }
    if (!this.sockets.size) return;
    const operation = await repo.findPushTargets(db, request.operationId);
    if (!operation || operation.cancelledAt || operation.validUntil.getTime() <= this.clock.now().getTime()) return;
    const pushed = this.pushToDevices(
      {
        operationId: request.operationId,
        action: operation.action,
        validUntil: operation.validUntil.toISOString(),
        ...(operation.script ? { script: operation.script } : {}),
        ...(operation.liveQuery ? { liveQuery: operation.liveQuery } : {}),
      },
      operation.deviceIds,
    );
    // The target rows are left to the flush that records the first answers. Written here, their
    // thousands of inserts would take the CPU while the clients are still reading the push (the
    // broadcast has only reached the kernel's buffers when pushToDevices returns): on the site
    // benchmark that stretched the slowest receipts by about half.
    this.log.info({ operationId: request.operationId, pushed, targets: operation.deviceIds.length }, 'pushed client operation');
  }

  // ------------------------------------------------------------------ batches

  /**
   * Answers policy requests made over the channel, many clients per query: after Download
   * Computer Policy on a collection, thousands ask within the same second.
   */
  private async answerPolicyRequests(): Promise<void> {
    try {
      await new Promise((resolve) => setImmediate(resolve));
      while (this.policyRequests.length) {
        const batch = this.policyRequests.splice(0, POLICY_BATCH);
        const devices = [...new Map(batch.map((r) => [r.device.id, r.device])).values()];
        let policies: Map<number, ClientPolicy>;
        try {
          policies = await clientPolicies(devices, { siteSettings: this.options.policySiteSettings, now: this.clock.now() });
        } catch (error) {
          this.log.error({ err: error }, 'could not build client policies');
          for (const r of batch) r.ack({ error: 'UNAVAILABLE' });
          continue;
        }
        // Each answer is encoded and written as it is sent: 500 clients' policies with 500
        // software metering rules are some 37 MB of JSON, which in one go would hold the event
        // loop (the console, pushes, results) for half a second. Sent in slices instead.
        await forEachInSlices(batch, (r) => this.answerPolicyRequest(r, policies), { sliceMs: ANSWER_SLICE_MS });
      }
    } finally {
      this.policyBatch = null;
    }
  }

  /** One answer; a socket that cannot take it (its encoding or write throwing) costs only its own. */
  private answerPolicyRequest(request: PendingPolicyRequest, policies: Map<number, ClientPolicy>) {
    try {
      const policy = policyForHolder(policies.get(request.device.id)!, request.knownMeteringRulesRevision);
      // Bytes pay where printed rules are shared; they go as two frames (the packet, then its
      // attachment), so an answer without rules stays one frame as an object.
      request.ack(request.asBytes && policy.metering.rules.length ? policyAnswerBytes(policy) : { policy });
    } catch (error) {
      this.log.warn({ err: error, deviceId: request.device.id }, 'could not answer a policy request');
    }
  }

  private async flushOnce() {
    const now = this.clock.now();
    if (this.touched.size || this.seen.size) {
      const touched = this.touched;
      const seen = this.seen;
      this.touched = new Set();
      this.seen = new Set();
      const changes: PresenceChange[] = [...seen].map((deviceId) => ({ kind: 'seen', deviceId }));
      for (const id of touched) {
        const at = this.connectedAt.get(id);
        changes.push(at ? { kind: 'connected', deviceId: id, at } : { kind: 'disconnected', deviceId: id });
      }
      try {
        await recordPresenceChanges({ db: this.db, instanceId: this.instanceId, changes, now });
      } catch (error) {
        for (const id of touched) this.touched.add(id);
        throw error;
      }
    }

    if (this.owedCheck.size) {
      const ids = [...this.owedCheck].filter((id) => this.sockets.has(id));
      this.owedCheck = new Set();
      const owed = await repo.owedPushes(this.db, { deviceIds: ids, now });
      const byOperation = new Map<number, { push: OperationPush; deviceIds: number[] }>();
      for (const o of owed) {
        const entry = byOperation.get(o.operationId) ?? {
          push: {
            operationId: o.operationId,
            action: o.action,
            validUntil: o.validUntil.toISOString(),
            ...(o.script ? { script: o.script } : {}),
            ...(o.liveQuery ? { liveQuery: o.liveQuery } : {}),
          },
          deviceIds: [],
        };
        entry.deviceIds.push(o.deviceId);
        byOperation.set(o.operationId, entry);
      }
      for (const { push, deviceIds } of byOperation.values()) this.pushToDevices(push, deviceIds);
      const cancels = await repo.owedCancels(this.db, { deviceIds: ids, since: new Date(now.getTime() - CANCEL_RECALL_MS) });
      for (const { deviceId, operationId } of cancels) {
        for (const socket of this.sockets.get(deviceId) ?? []) socket.emit(agentEvents.cancel, { operationId });
      }
    }

    const results = this.takeResultBatch();
    const { due: deliveries, held, covered } = this.takeDueDeliveries(results);
    this.deliveries = held;
    let recorded: Awaited<ReturnType<typeof recordAnswers>>;
    try {
      recorded = await recordAnswers({ db: this.db, deliveries, results });
    } catch (error) {
      // Deliveries wait for the next flush, those of these results too: the agents keep their
      // results and send them again after a pause (or at once after a reconnect).
      this.deliveries = covered.concat(deliveries, this.deliveries);
      for (const r of results) r.ack?.({ stored: false });
      throw error;
    }
    // A result set aside in quarantine is kept: its agent need not send it again.
    for (const r of results) r.ack?.({ stored: true });
    this.progress.changed(recorded.changed);
  }

  /**
   * The deliveries this flush writes: those held DELIVERY_HOLD_MS (all of them once stopping).
   * A result records its delivery too, so a delivery whose result this batch writes is dropped
   * (`covered`: put back should the batch fail), and one whose result waits for a later batch
   * stays held until that batch takes it (unless stopping: later batches may never come).
   */
  private takeDueDeliveries(batch: PendingResult[]) {
    type Delivery = (typeof this.deliveries)[number];
    // Most flushes (a burst of results) have no delivery waiting: no set of the pending results then.
    if (!this.deliveries.length) return { due: [], held: [], covered: [] };
    const key = (operationId: number, deviceId: number) => `${operationId}:${deviceId}`;
    const inBatch = new Set(batch.map((r) => key(r.result.operationId, r.deviceId)));
    const pending = new Set(this.results.map((r) => key(r.result.operationId, r.deviceId)));
    const now = performance.now();
    const due: Delivery[] = [];
    const held: Delivery[] = [];
    const covered: Delivery[] = [];
    for (const d of this.deliveries) {
      const k = key(d.operationId, d.deviceId);
      if (inBatch.has(k)) covered.push(d);
      else if (!this.stopped && (pending.has(k) || d.heldUntil > now)) held.push(d);
      else due.push(d);
    }
    return { due, held, covered };
  }

  /**
   * The results one flush writes: up to RESULTS_PER_WRITE of them, or fewer when their live query
   * rows pass LIVE_ROWS_PER_WRITE. When a whole fleet answers at once the first answers are stored
   * (and shown) while the rest still arrive, instead of all of them in one long statement; the
   * rest are written by the flush that follows at once.
   */
  private takeResultBatch(): PendingResult[] {
    let rows = 0;
    let count = 0;
    while (count < this.results.length && count < RESULTS_PER_WRITE && rows < LIVE_ROWS_PER_WRITE) {
      rows += this.results[count].result.detail.liveQuery?.rows.length ?? 0;
      count++;
    }
    const batch = this.results.slice(0, count);
    this.results = this.results.slice(count);
    if (this.results.length) this.flushAgain = true;
    return batch;
  }

  private async beat() {
    if (this.stopped) return;
    if (this.unboundPort !== null) void this.bindDedicatedPort(this.unboundPort);
    try {
      const reapedHere = await beatNotificationServer(this.db, {
        instanceId: this.instanceId,
        host: os.hostname(),
        pid: process.pid,
        startedAt: this.startedAt,
      });
      // Reaped while alive: its presence rows are gone though its clients are still connected.
      // The next flush records them connected again, so they read online again.
      if (reapedHere) {
        for (const id of this.sockets.keys()) this.touched.add(id);
        this.log.warn({ clients: this.sockets.size }, 'this notification server was reaped while alive; recording its clients again');
      }
      const reaped = await reapNotificationServers(this.db, {
        staleSeconds: this.options.heartbeatSeconds * 3,
        exceptInstanceId: this.instanceId,
        now: this.clock.now(),
      });
      if (reaped.servers.length) this.log.warn(reaped, 'notification servers stopped beating; their clients are offline');
    } catch (error) {
      this.log.error({ err: error }, 'notification server heartbeat failed');
    }
  }

  // ------------------------------------------------------------------ settings and the dedicated port

  private async applySettings() {
    try {
      const settings = await this.settings();
      if (settings.keepAliveSeconds !== this.keepAliveSeconds) {
        this.keepAliveSeconds = settings.keepAliveSeconds;
        const message: AgentSettings = { keepAliveSeconds: settings.keepAliveSeconds, serverId: this.instanceId };
        for (const nsp of this.namespaces) nsp.emit(agentEvents.settings, message);
      }
      if (this.options.dedicatedPort && this.options.dedicatedPort.port === undefined && settings.port !== this.dedicated?.port) {
        await this.bindDedicatedPort(settings.port);
      }
    } catch (error) {
      this.log.error({ err: error }, 'could not apply client notification settings');
    }
  }

  private bindDedicatedPort(sitePort: number): Promise<void> {
    this.dedicatedChain = this.dedicatedChain.then(async () => {
      if (this.stopped) return;
      await this.closeDedicatedPort();
      const port = this.options.dedicatedPort!.port ?? sitePort;
      // socket.io answers its own path; anything else (an agent given this port as its management
      // point) is told at once where to go, instead of being held open without an answer.
      const http = createServer((_req, res) => {
        res.writeHead(404, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
        res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: notTheConsolePort(this.options.consolePort?.()) } }));
      });
      const release = this.options.prepareDedicatedServer?.(http);
      const io = new Server(http, { serveClient: false, ...agentChannelOptions });
      try {
        await new Promise<void>((resolve, reject) => {
          http.once('error', reject);
          http.listen(port, this.options.dedicatedPort!.host, resolve);
        });
      } catch (error) {
        release?.();
        void io.close();
        // Agents still reach this server on the console port; beat() tries the port again.
        if (this.unboundPort !== port) {
          this.unboundPort = port;
          // Named by where the port comes from: the variable when set, else the site setting.
          const setBy = this.options.dedicatedPort!.port === undefined ? 'the site setting Client notification port' : 'SITEBOX_NOTIFICATION_PORT';
          this.log.warn(
            { port, reason: error instanceof Error ? error.message : String(error) },
            `could not listen on the client notification port ${port} (${setBy}); agents use the console port until it is free`,
          );
          await this.reportPort(statusMessageIds.notificationPortUnavailable, [String(port), error instanceof Error ? error.message : String(error)]);
        }
        return;
      }
      this.attach(io);
      this.unboundPort = null;
      this.dedicated = { io, http, port: (http.address() as AddressInfo).port, release };
      this.log.info({ port: this.dedicated.port }, 'client notification port listening');
      await this.reportPort(statusMessageIds.notificationPortListening, [String(this.dedicated.port)]);
    });
    return this.dedicatedChain;
  }

  /** Tells the console (Component Status, the viewer) where agents can reach this server. */
  private async reportPort(messageId: number, insertionStrings: string[]) {
    const message = serverMessage({ messageId, component: 'SMS_NOTIFICATION_SERVER', insertionStrings, now: this.clock.now() });
    await reportServerMessage({ messages: message, db: this.db }).catch((error) =>
      this.log.warn({ err: error }, 'could not report the client notification port'),
    );
  }

  private async closeDedicatedPort() {
    const current = this.dedicated;
    if (!current) return;
    this.dedicated = null;
    current.release?.();
    this.namespaces.delete(current.io.of(AGENT_NAMESPACE));
    await new Promise<void>((resolve) => {
      void current.io.close(() => resolve());
      current.http.closeAllConnections();
    });
  }
}
