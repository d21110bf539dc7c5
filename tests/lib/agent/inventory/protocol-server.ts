import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { discoveryRecordSchema, inventoryReportSchema, type DiscoveryRecord, type InventoryReport } from '@/lib/protocol/inventory.schema';

/**
 * A small management point that speaks the inventory protocol (lib/protocol/inventory.schema.ts)
 * the way the site does: it holds one version per device, takes a full report at any time and a
 * delta only on the version it holds (409 otherwise), answers a resent report as a duplicate, and
 * records heartbeat discovery records. `refuseNext` makes it answer the next reports with an error.
 */
export class InventoryProtocolServer {
  readonly received: InventoryReport[] = [];
  readonly heartbeats: DiscoveryRecord[] = [];
  /** Every answer given, in order: status and report kind. */
  readonly answers: { status: number; kind?: string; version?: number }[] = [];
  version = 0;
  refuseNext: number[] = [];
  private readonly seen = new Set<string>();
  private server: http.Server | null = null;
  private port = 0;
  private waiters: { test: () => boolean; resolve: () => void }[] = [];

  constructor(private readonly authorization: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.answer(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once `test` holds (checked after every request). */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  private send(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    this.waiters = this.waiters.filter((w) => (w.test() ? (w.resolve(), false) : true));
  }

  private answer(req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse) {
    if (req.headers.authorization !== this.authorization) return this.send(res, 401, { error: { message: 'unknown device' } });
    let json: unknown;
    try {
      json = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
    } catch {
      return this.send(res, 400, { error: { message: 'body is not JSON' } });
    }
    if (req.url === '/api/mp/heartbeat') {
      const record = discoveryRecordSchema.safeParse(json);
      if (!record.success) return this.send(res, 400, { error: { message: record.error.issues[0].message } });
      this.heartbeats.push(record.data);
      return this.send(res, 200, { status: 'recorded' });
    }
    if (req.url !== '/api/mp/inventory') return this.send(res, 404, { error: { message: 'not found' } });
    if (req.headers['content-encoding'] !== 'gzip') return this.send(res, 400, { error: { message: 'expected gzip' } });
    const parsed = inventoryReportSchema.safeParse(json);
    if (!parsed.success) {
      this.answers.push({ status: 400 });
      return this.send(res, 400, { error: { message: `${parsed.error.issues[0].path.join('.')} ${parsed.error.issues[0].message}` } });
    }
    const report = parsed.data;
    const refusal = this.refuseNext.shift();
    if (refusal) {
      this.answers.push({ status: refusal, kind: report.kind, version: report.version });
      return this.send(res, refusal, { error: { message: 'refused by the test' } });
    }
    if (this.seen.has(report.reportId)) {
      this.answers.push({ status: 200, kind: report.kind, version: report.version });
      return this.send(res, 200, { status: 'duplicate', version: report.version });
    }
    if (report.kind === 'delta' && report.baseVersion !== this.version) {
      this.answers.push({ status: 409, kind: report.kind, version: report.version });
      return this.send(res, 409, { status: 'resync', siteVersion: this.version, message: `the site holds version ${this.version}` });
    }
    this.seen.add(report.reportId);
    this.received.push(report);
    this.version = report.version;
    this.answers.push({ status: 202, kind: report.kind, version: report.version });
    return this.send(res, 202, { status: 'accepted', version: report.version });
  }
}
