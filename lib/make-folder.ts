import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * mkdir -p, one level at a time. Node's recursive mkdir never returns where the kernel answers
 * "no such file" for a new folder whose parent exists (under /proc): a start naming such a folder
 * hung. Here that is an ENOENT error; a file where a folder should be is EEXIST (the folder
 * itself) or ENOTDIR (one on its way).
 */
export async function makeFolder(dir: string, mode?: number): Promise<void> {
  const target = path.resolve(dir);
  const missing: string[] = [];
  for (let d = target; ; d = path.dirname(d)) {
    try {
      if (!(await stat(d)).isDirectory()) throw Object.assign(new Error(`${d} is not a folder`), { code: d === target ? 'EEXIST' : 'ENOTDIR' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      missing.unshift(d);
      if (path.dirname(d) === d) break;
    }
  }
  for (const d of missing) {
    await mkdir(d, mode).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
