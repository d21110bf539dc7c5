import { open, rename } from 'node:fs/promises';

/**
 * Writes `text` to `file` so that a crash leaves either the old content or the new, never half:
 * a temporary file beside it, flushed to disk, then renamed over it.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
