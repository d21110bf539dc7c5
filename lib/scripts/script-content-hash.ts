import { createHash } from 'node:crypto';

/** SHA-256 (hex) of a script's text as UTF-8: the name a push gives it and the agent checks. */
export function scriptContentHash(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}
