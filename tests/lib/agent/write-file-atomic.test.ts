// The agent's atomic file write: the old content or the new, and nothing left behind by a write
// that failed.
import { mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '@/lib/agent/write-file-atomic';
import { useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir('sitebox-write-atomic-');

describe('writeFileAtomic', () => {
  it('replaces the content whole', async () => {
    const dir = await mkdtemp(path.join(tempDir(), 'a-'));
    const file = path.join(dir, 'state.json');
    await writeFileAtomic(file, 'old');
    await writeFileAtomic(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('keeps the old content and leaves no temporary file when the disk is full', async () => {
    const dir = await mkdtemp(path.join(tempDir(), 'b-'));
    const file = path.join(dir, 'result.json');
    await writeFile(file, 'old');
    // The temporary file's writes go to /dev/full: ENOSPC, as on a full disk.
    await symlink('/dev/full', `${file}.tmp`);
    await expect(writeFileAtomic(file, 'x'.repeat(100_000))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['result.json']);
  });
});
