import { access, mkdir, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { AgentCredential } from '../protocol/policy.schema';

/**
 * Writes the credential back to `<stateDir>/credential.json` when it has gone while the agent runs
 * (the state folder deleted by a script, a clean-up): without it the next start would register
 * again, and the site refuses a name already registered until an administrator deletes the device.
 * Answers whether it had to.
 */
export async function keepCredential(stateDir: string, credential: AgentCredential): Promise<boolean> {
  const file = path.join(stateDir, 'credential.json');
  const present = await access(file).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
  if (present) return false;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFile(`${file}.tmp`, JSON.stringify(credential), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  return true;
}
