import { isUtf8 } from 'node:buffer';
import { AppError } from '../errors';

/**
 * A request body's bytes as text, refusing (400 naming the body) bytes that are not UTF-8: read
 * leniently they became U+FFFD and were stored so, the sender's text lost without a word.
 */
export function utf8BodyText(bytes: Buffer): string {
  if (!isUtf8(bytes))
    throw new AppError('BAD_REQUEST', {
      userMessage: 'The request body is not valid UTF-8.',
      details: { fields: [{ path: 'body', message: 'is not valid UTF-8' }] },
    });
  return bytes.toString('utf8');
}
