import { access, constants } from 'node:fs/promises';
import { ConfigError, type Config } from './config';
import { makeFolder } from './make-folder';

/**
 * Makes sure SITEBOX_DATA_DIR is a folder this process can write (the embedded database and the
 * site's certificates go there), creating it when missing. A path that cannot be one (a file on
 * the way, a read-only or full disk, no permission) stops the start naming the variable, rather
 * than failing later inside the database or certificate code with a stack trace.
 */
export async function prepareDataDir(cfg: Pick<Config, 'dataDir' | 'embedded' | 'SITEBOX_TLS'>): Promise<void> {
  // Only the embedded database and the site's own certificates use it.
  if (!cfg.embedded && cfg.SITEBOX_TLS !== 'auto') return;
  const dir = cfg.dataDir;
  try {
    await makeFolder(dir);
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why: Record<string, string> = {
      EEXIST: 'is a file, not a folder',
      ENOTDIR: 'has a file, not a folder, on its way',
      EACCES: 'is not writable by this process',
      EPERM: 'is not writable by this process',
      EROFS: 'is on a read-only file system',
      ENOSPC: 'is on a full disk',
      ENOENT: 'cannot be made there (its file system takes no new folders)',
    };
    if (!code || !why[code]) throw error;
    throw new ConfigError(`Invalid configuration:\n  SITEBOX_DATA_DIR: ${dir} ${why[code]}: name a folder this process may create and write.`);
  }
}
