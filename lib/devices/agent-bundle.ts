import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** Where `npm run agent:build` writes the client (scripts/build-agent.mjs), under the site's folder. */
export const AGENT_BUNDLE_NAME = 'sitebox-agent.cjs';

let cached: { file: string; mtimeMs: number; sha256: string } | null = null;

/**
 * The SHA-256 of the built client, for the install commands to check a download against (over
 * HTTPS with the site's own authority, which the client does not trust yet); null when not built.
 */
export async function agentBundleSha256(): Promise<string | null> {
  const file = path.join(process.cwd(), 'dist', AGENT_BUNDLE_NAME);
  const info = await stat(file).catch(() => null);
  if (!info) return null;
  if (cached?.file !== file || cached.mtimeMs !== info.mtimeMs) {
    cached = {
      file,
      mtimeMs: info.mtimeMs,
      sha256: createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    };
  }
  return cached.sha256;
}
