// The inventory benchmark's simulated clients, in a process of their own (bench/inventory.ts forks
// several, at a lower CPU priority: on a real network each client is its own machine). These are
// not the real agent and run none of its collectors: each client's inventory comes from the seeded
// fleet (inventory-fleet.ts), and the process POSTs it to /api/mp/inventory as the protocol says
// (lib/protocol/inventory.schema.ts), gzip-encoded, over keep-alive connections, at most
// `concurrency` requests at a time, as spooled agents reporting at once would.
//
// Conversation with the parent: "prepare" (full reports) or "prepare-deltas" → "ready" once every
// body is made and compressed (untimed: an agent has its report spooled before it sends); "send"
// → "sent" with what the requests met (InventoryClientCounts). Exits when the parent disconnects.
import http from 'node:http';
import os from 'node:os';
import { gzipSync } from 'node:zlib';
import { inventoryAnswerSchema } from '../../lib/protocol/inventory.schema';
import { fleetCatalog, machineDeltaReport, machineFullReport, type FleetPlan } from './inventory-fleet';

export interface InventoryClient {
  /** 0-based index in the fleet: which inventory the client has. */
  machine: number;
  deviceId: number;
  name: string;
  secret: string;
}

export interface InventoryClientCounts {
  requests: number;
  accepted: number;
  duplicate: number;
  /** Answers 409: the site asked for a full report instead of a delta. */
  resync: number;
  answered503: number;
  /** Requests that got no answer or a 5xx other than 503, tried again. */
  retried: number;
  /** Answers 4xx other than 409: the report was refused and not sent again. */
  refused: number;
  /** Reports given up on after MAX_ATTEMPTS. */
  failed: number;
  /** Bytes sent, compressed. */
  bytes: number;
}

export type ToInventoryClients =
  | { type: 'prepare'; url: string; runId: string; plan: FleetPlan; clients: InventoryClient[] }
  | { type: 'prepare-deltas' }
  | { type: 'send'; concurrency: number };

export type FromInventoryClients =
  | { type: 'ready'; bytes: number }
  | { type: 'sent'; counts: InventoryClientCounts; refusals: string[]; latenciesMs: number[] }
  | { type: 'failed'; message: string };

const MAX_ATTEMPTS = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let setup: Extract<ToInventoryClients, { type: 'prepare' }> | null = null;
let bodies: Buffer[] = [];
/** The version the site acknowledged per client (the base of its delta). */
let acknowledged: number[] = [];
let agent: http.Agent | null = null;

const reply = (message: FromInventoryClients) => process.send?.(message);

process.on('message', (message: ToInventoryClients) => {
  void handle(message).catch((error) => reply({ type: 'failed', message: String(error?.stack ?? error) }));
});
process.on('disconnect', () => process.exit(0));

async function handle(message: ToInventoryClients) {
  switch (message.type) {
    case 'prepare': {
      os.setPriority(10);
      setup = message;
      agent = new http.Agent({ keepAlive: true });
      const catalog = fleetCatalog(message.plan.seed);
      bodies = message.clients.map((c) =>
        gzipSync(
          JSON.stringify(
            machineFullReport({ catalog, plan: message.plan, runId: message.runId, machine: c.machine, deviceId: c.deviceId, name: c.name }),
          ),
        ),
      );
      acknowledged = message.clients.map(() => 0);
      reply({ type: 'ready', bytes: bodies.reduce((sum, b) => sum + b.length, 0) });
      return;
    }
    case 'prepare-deltas': {
      const { plan, runId, clients } = setup!;
      const catalog = fleetCatalog(plan.seed);
      // A client whose full report was never acknowledged has no base: it has nothing to send.
      bodies = clients.map((c, i) =>
        acknowledged[i]
          ? gzipSync(
              JSON.stringify(
                machineDeltaReport({ catalog, plan, runId, machine: c.machine, deviceId: c.deviceId, name: c.name, baseVersion: acknowledged[i] }),
              ),
            )
          : Buffer.alloc(0),
      );
      reply({ type: 'ready', bytes: bodies.reduce((sum, b) => sum + b.length, 0) });
      return;
    }
    case 'send':
      reply({ type: 'sent', ...(await sendAll(message.concurrency)) });
      return;
  }
}

/** Sends every prepared body, `concurrency` at a time (one keep-alive socket each), each until it is answered for good. */
async function sendAll(concurrency: number): Promise<{ counts: InventoryClientCounts; refusals: string[]; latenciesMs: number[] }> {
  const { clients } = setup!;
  const counts: InventoryClientCounts = {
    requests: 0,
    accepted: 0,
    duplicate: 0,
    resync: 0,
    answered503: 0,
    retried: 0,
    refused: 0,
    failed: 0,
    bytes: 0,
  };
  const refusals: string[] = [];
  // How long each answered request took, for the round's latency figures.
  const latenciesMs: number[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < clients.length; i = next++) {
      if (!bodies[i].length) continue;
      const outcome = await sendOne(clients[i], bodies[i], counts, latenciesMs);
      if (outcome.version !== null) acknowledged[i] = outcome.version;
      if (outcome.refusal && refusals.length < 5) refusals.push(outcome.refusal);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { counts, refusals, latenciesMs };
}

async function sendOne(
  client: InventoryClient,
  body: Buffer,
  counts: InventoryClientCounts,
  latenciesMs: number[],
): Promise<{ version: number | null; refusal?: string }> {
  let backoffMs = 250;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    counts.requests++;
    counts.bytes += body.length;
    const started = performance.now();
    const answer = await post(client, body).catch((error: Error) => ({ status: 0, retryAfter: null, text: error.message }));
    if (answer.status) latenciesMs.push(performance.now() - started);
    if (answer.status === 200 || answer.status === 202) {
      const parsed = inventoryAnswerSchema.parse(JSON.parse(answer.text));
      if (parsed.status === 'resync') throw new Error(`a ${answer.status} answer asked for a resync: ${answer.text}`);
      if (parsed.status === 'accepted') counts.accepted++;
      else counts.duplicate++;
      return { version: parsed.version };
    }
    if (answer.status === 409) {
      counts.resync++;
      return { version: null, refusal: `device ${client.deviceId}: 409 ${answer.text.slice(0, 300)}` };
    }
    if (answer.status >= 400 && answer.status < 500 && answer.status !== 429) {
      counts.refused++;
      return { version: null, refusal: `device ${client.deviceId}: ${answer.status} ${answer.text.slice(0, 300)}` };
    }
    // 503 / 429 (the inbox is full: wait as told), another 5xx or no answer: try again.
    if (answer.status === 503 || answer.status === 429) {
      counts.answered503++;
      await sleep((answer.retryAfter ?? 1) * 1000 * (0.5 + Math.random()));
    } else {
      counts.retried++;
      await sleep(backoffMs * (0.5 + Math.random()));
      backoffMs = Math.min(10_000, backoffMs * 2);
    }
  }
  counts.failed++;
  return { version: null, refusal: `device ${client.deviceId}: gave up after ${MAX_ATTEMPTS} attempts` };
}

function post(client: InventoryClient, body: Buffer): Promise<{ status: number; retryAfter: number | null; text: string }> {
  const url = new URL('/api/mp/inventory', setup!.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: agent!,
        timeout: 120_000,
        headers: {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'content-length': body.length,
          authorization: `Device ${client.deviceId}.${client.secret}`,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const retryAfter = Number(response.headers['retry-after']);
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
            text: Buffer.concat(chunks).toString(),
          });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('no answer within 120 s')));
    request.on('error', reject);
    request.end(body);
  });
}
