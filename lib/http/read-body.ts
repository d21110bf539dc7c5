import { AppError } from '../errors';

/** Reads a JSON body, refusing more than `maxBytes` before buffering it all. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return undefined;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString('utf8');
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
