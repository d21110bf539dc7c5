import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { authenticateDevice, type AuthenticatedDevice } from '../devices/authenticate-device';
import { acceptInventoryReport } from '../inventory/accept-inventory-report';
import { recordHeartbeat } from '../inventory/record-heartbeat';
import { logger } from '../logger';
import { storeMeteringUsage } from '../metering/store-metering-usage';
import { discoveryRecordSchema, MAX_INVENTORY_BYTES } from '../protocol/inventory.schema';
import { MAX_METERING_USAGE_BYTES, meteringUsageUploadSchema } from '../protocol/metering-usage.schema';
import { errorAnswer } from './error-answer';
import { clientRateLimit, consume } from './rate-limits';
import { parseJsonBody, readNodeBodyBytes } from './read-body';

/** A POST endpoint a device calls with its credential, answered on Node's HTTP server directly. */
export interface DeviceUploadEndpoint {
  path: string;
  maxBytes: number;
  handle(request: {
    device: AuthenticatedDevice;
    body: Buffer;
    contentEncoding: string | null;
    log: Logger;
  }): Promise<{ status: number; body: unknown }>;
}

/**
 * Inventory reports, heartbeats and metering usage: what the routes in app/api/mp/inventory,
 * app/api/mp/heartbeat and app/api/mp/metering-usage answer.
 */
export const deviceUploadEndpoints: readonly DeviceUploadEndpoint[] = [
  {
    path: '/api/mp/inventory',
    maxBytes: MAX_INVENTORY_BYTES,
    handle: async ({ device, body, contentEncoding }) => {
      const { status, answer } = await acceptInventoryReport({ device, body, contentEncoding });
      return { status, body: answer };
    },
  },
  {
    path: '/api/mp/heartbeat',
    maxBytes: 64 * 1024,
    handle: async ({ device, body, contentEncoding }) => ({
      status: 200,
      body: await recordHeartbeat({ device, record: discoveryRecordSchema.parse(parseJsonBody(body, contentEncoding)) }),
    }),
  },
  {
    path: '/api/mp/metering-usage',
    maxBytes: MAX_METERING_USAGE_BYTES,
    handle: async ({ device, body, contentEncoding }) => ({
      status: 200,
      body: await storeMeteringUsage({ device, upload: meteringUsageUploadSchema.parse(parseJsonBody(body, contentEncoding)) }),
    }),
  },
];

// What the proxy adds to every answer Next.js gives; these answers never pass through it.
const FAST_PATH_HEADERS = { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' } as const;

/**
 * The device endpoints a management point is busiest with (a fleet's inventory deltas and
 * heartbeats, thousands a minute), served without the framework's router, page and stream
 * plumbing: authenticate the device, rate-limit it, read the body within its limit, answer
 * JSON — the same functions and error JSON as the Next.js routes.
 */
export function deviceUploads(endpoints: readonly DeviceUploadEndpoint[] = deviceUploadEndpoints) {
  const byPath = new Map(endpoints.map((e) => [e.path, e]));
  const endpointOf = (req: IncomingMessage) => (req.method === 'POST' ? byPath.get((req.url ?? '').split('?', 1)[0]) : undefined);
  return {
    /** Whether server.ts should answer this request here rather than with Next.js. */
    handles: (req: IncomingMessage) => endpointOf(req) !== undefined,
    async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const endpoint = endpointOf(req)!;
      const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID();
      const log = logger.child({ requestId, method: 'POST', path: endpoint.path });
      try {
        const device = await authenticateDevice(req.headers.authorization);
        await consume(clientRateLimit, `device:${device.id}`);
        const body = await readNodeBodyBytes(req, endpoint.maxBytes);
        const answer = await endpoint.handle({ device, body, contentEncoding: (req.headers['content-encoding'] as string | undefined) ?? null, log });
        res.writeHead(answer.status, FAST_PATH_HEADERS);
        res.end(JSON.stringify(answer.body));
      } catch (error) {
        const answer = errorAnswer(error, log, requestId);
        const headers: Record<string, string> = { ...answer.headers, ...FAST_PATH_HEADERS };
        // A refused body may still be arriving; do not keep the connection to read the rest.
        if (!req.complete) headers.Connection = 'close';
        res.writeHead(answer.status, headers);
        res.end(JSON.stringify(answer.body));
      }
    },
  };
}
