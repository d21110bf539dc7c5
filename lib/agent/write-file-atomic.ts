import { open, rename, rm } from 'node:fs/promises';

/**
 * Writes `text` to `file` so that a crash leaves either the old content or the new, never half:
 * a temporary file beside it, flushed to disk, then renamed over it. A write that fails (the disk
 * full) removes its temporary file: it would hold part of the text and the room the disk lacks.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp`;
  try {
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}
