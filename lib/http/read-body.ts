import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors';
import { utf8BodyText } from '../validation/utf8-body';

/** Reads a body's bytes, refusing more than `maxBytes` before buffering it all. */
export function readBodyBytes(request: Request, maxBytes: number): Promise<Buffer> {
  return collectWithin(request.body as AsyncIterable<Uint8Array> | null, request.headers.get('content-length'), maxBytes);
}

/** The same for a request Node's HTTP server hands over directly. */
export function readNodeBodyBytes(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return collectWithin(request, request.headers['content-length'], maxBytes);
}

async function collectWithin(body: AsyncIterable<Uint8Array> | null, contentLength: string | null | undefined, maxBytes: number): Promise<Buffer> {
  if ((declaredLength(contentLength) ?? 0) > maxBytes) throw tooLarge(maxBytes);
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    // Leaving the loop early (too large) cancels the stream: the rest is never buffered.
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge(maxBytes);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    // The client went away mid-body (an agent stopped, a timeout): its request, not the server, failed.
    throw new AppError('BAD_REQUEST', { userMessage: 'The request was closed before its body arrived.' });
  }
  return Buffer.concat(chunks, size);
}

/** Reads a JSON body, refusing more than `maxBytes` before buffering it all. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  return parseJsonBody(await readBodyBytes(request, maxBytes), request.headers.get('content-encoding'));
}

/**
 * A body's JSON; an empty body reads as none, so the schema names what is missing, and bytes
 * that are not UTF-8 are refused naming the body. Only plain JSON: a body sent compressed
 * (`Content-Encoding: gzip`) is refused naming the header, where it read as "not valid JSON"
 * and left the sender guessing.
 */
export function parseJsonBody(bytes: Buffer, contentEncoding: string | null): unknown {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding && encoding !== 'identity')
    throw new AppError('BAD_REQUEST', {
      userMessage: `Content-Encoding ${contentEncoding!.trim().slice(0, 40)} is not supported here; send plain JSON.`,
      details: { fields: [{ path: 'Content-Encoding', message: 'is not supported here; send plain JSON' }] },
    });
  const text = utf8BodyText(bytes);
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_REQUEST', { userMessage: 'The request body is not valid JSON.' });
  }
}

function tooLarge(maxBytes: number) {
  return new AppError('PAYLOAD_TOO_LARGE', { userMessage: `The request body is larger than ${maxBytes} bytes.` });
}

/** A Content-Length header as a number, or null when absent or not a plain count. */
export function declaredLength(header: string | null | undefined): number | null {
  return header && /^\d{1,15}$/.test(header) ? Number(header) : null;
}
