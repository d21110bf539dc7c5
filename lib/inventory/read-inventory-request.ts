import { promisify } from 'node:util';
import { gunzip, gunzipSync, gzip, constants as zlib } from 'node:zlib';
import { ZodError } from 'zod';
import { AppError } from '../errors';
import { utf8BodyText } from '../validation/utf8-body';
import { MAX_INVENTORY_BYTES, type InventoryReport } from '../protocol/inventory.schema';
import { parseInventoryReport } from './parse-inventory-report';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

/** A report as the management point read it, and the gzip-compressed JSON the inbox keeps. */
export interface ReadInventoryRequest {
  report: InventoryReport;
  compressed: Buffer;
}

const SMALL_BODY_BYTES = 16 * 1024;

function tooLarge() {
  return new AppError('PAYLOAD_TOO_LARGE', { userMessage: `The inventory report is larger than ${MAX_INVENTORY_BYTES} bytes once decompressed.` });
}

/**
 * An inventory request's body, as sent (`Content-Encoding: gzip` or plain JSON): decompressed
 * no further than MAX_INVENTORY_BYTES (413 past it, so a small gzip bomb costs nothing), parsed
 * and validated (400 naming the field; bytes that are not UTF-8, naming the body). A gzip body
 * is kept as it came; a plain one is compressed (fastest level) for the inbox.
 */
export async function readInventoryRequest(options: { body: Buffer; contentEncoding: string | null }): Promise<ReadInventoryRequest> {
  const encoding = (options.contentEncoding ?? 'identity').trim().toLowerCase();
  let json: Buffer;
  let compressed: Buffer | null = null;
  if (encoding === 'gzip' || encoding === 'x-gzip') {
    try {
      // A delta (a kilobyte) inflates in microseconds: cheaper here than a trip to the thread pool.
      json =
        options.body.byteLength <= SMALL_BODY_BYTES
          ? gunzipSync(options.body, { maxOutputLength: MAX_INVENTORY_BYTES })
          : await gunzipAsync(options.body, { maxOutputLength: MAX_INVENTORY_BYTES });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) throw tooLarge();
      throw new AppError('BAD_REQUEST', { userMessage: 'The request body is not valid gzip data.' });
    }
    compressed = options.body;
  } else if (encoding === 'identity') {
    if (options.body.byteLength > MAX_INVENTORY_BYTES) throw tooLarge();
    json = options.body;
  } else {
    throw new AppError('BAD_REQUEST', { userMessage: `Content-Encoding ${encoding.slice(0, 40)} is not supported; send gzip or plain JSON.` });
  }
  const text = utf8BodyText(json);
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    throw new AppError('BAD_REQUEST', { userMessage: 'The request body is not valid JSON.' });
  }
  const report = parseReport(input);
  return { report, compressed: compressed ?? (await gzipAsync(json, { level: zlib.Z_BEST_SPEED })) };
}

/** Parses a report, turning a ZodError into a 400 that names the first field (and lists them all). */
export function parseReport(input: unknown): InventoryReport {
  try {
    return parseInventoryReport(input);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    const fields = error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    throw new AppError('BAD_REQUEST', {
      userMessage: `${fields[0]?.path || 'request'}: ${fields[0]?.message ?? 'is not valid'}`,
      details: { fields: fields.slice(0, 20) },
    });
  }
}
