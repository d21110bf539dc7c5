import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { parseJsonBody, readNodeBodyBytes } from '@/lib/http/read-body';

/** A request body that sends `parts`, then fails as a socket closed by the client does. */
function body(parts: string[], failWith?: Error): IncomingMessage {
  const stream = new Readable({ read() {} });
  for (const part of parts) stream.push(part);
  if (failWith) setImmediate(() => stream.destroy(failWith));
  else stream.push(null);
  return Object.assign(stream, { headers: {} }) as unknown as IncomingMessage;
}

describe('readNodeBodyBytes', () => {
  it('reads a body whole, refuses one over the limit, and answers a body the client abandoned as its own failure (400), not the server’s', async () => {
    expect((await readNodeBodyBytes(body(['ab', 'cd']), 10)).toString()).toBe('abcd');
    await expect(readNodeBodyBytes(body(['abcdef', 'ghijkl']), 8)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const error = await readNodeBodyBytes(body(['ab'], aborted), 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'BAD_REQUEST', status: 400 });
  });
});

describe('parseJsonBody', () => {
  it('reads plain JSON, an empty body as none, and refuses a compressed one naming the header', () => {
    expect(parseJsonBody(Buffer.from('{"a":1}'), null)).toEqual({ a: 1 });
    expect(parseJsonBody(Buffer.from('{"a":1}'), 'identity')).toEqual({ a: 1 });
    expect(parseJsonBody(Buffer.from('  '), null)).toBeUndefined();
    expect(() => parseJsonBody(Buffer.from('{'), null)).toThrow(/not valid JSON/);
    for (const encoding of ['gzip', ' GZIP ', 'br', 'deflate, gzip']) {
      const error = (() => {
        try {
          return parseJsonBody(Buffer.from('{}'), encoding);
        } catch (e) {
          return e;
        }
      })();
      expect(error, encoding).toMatchObject({ code: 'BAD_REQUEST', details: { fields: [{ path: 'Content-Encoding' }] } });
    }
  });

  it('refuses bytes that are not UTF-8 naming the body, instead of reading them as U+FFFD', () => {
    const error = (() => {
      try {
        return parseJsonBody(Buffer.from('{"a":"caf\xe9"}', 'latin1'), null);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({
      code: 'BAD_REQUEST',
      userMessage: 'The request body is not valid UTF-8.',
      details: { fields: [{ path: 'body' }] },
    });
    expect(parseJsonBody(Buffer.from('{"a":"café \uFFFD"}'), null)).toEqual({ a: 'café \uFFFD' });
  });
});
