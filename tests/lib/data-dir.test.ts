import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDataDir } from '@/lib/data-dir';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-data-dir-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const prepare = (dataDir: string) => prepareDataDir({ dataDir, embedded: true, SITEBOX_TLS: 'auto' });

describe('SITEBOX_DATA_DIR', () => {
  it('is made with the folders on its way, and taken as it is when it exists', async () => {
    const deep = path.join(dir, 'a', 'b', 'c');
    await prepare(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    await prepare(deep);
  });

  it('names the variable when it is a file or has a file on its way', async () => {
    const file = path.join(dir, 'file');
    await writeFile(file, 'x');
    await expect(prepare(file)).rejects.toThrow(`SITEBOX_DATA_DIR: ${file} is a file, not a folder`);
    await expect(prepare(path.join(file, 'below'))).rejects.toThrow(
      `SITEBOX_DATA_DIR: ${path.join(file, 'below')} has a file, not a folder, on its way`,
    );
  });

  it('names the variable, and does not hang, under a file system that takes no new folders', async () => {
    for (const dataDir of ['/proc/sitebox-data', '/proc/sitebox-data/deeper']) {
      await expect(prepare(dataDir)).rejects.toThrow(`SITEBOX_DATA_DIR: ${dataDir} cannot be made there`);
    }
  }, 10_000);
});
