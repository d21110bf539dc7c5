import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_DPKG_INFO, DEFAULT_DPKG_STATUS, parseDpkgStatus } from '../inventory/list-software';

/**
 * The version of the package that installed a file, from dpkg's database (what `dpkg -S` tells):
 * info/<package>.list names each package's files, the status file its version. Only files a
 * rule's name matched are looked up, so each is searched for once and its answer kept, until
 * dpkg changes its status file (an upgrade). Null for a file no package owns, or with no dpkg.
 */
export function createPackageVersions(options: { dpkgStatusFile?: string; dpkgInfoDir?: string } = {}) {
  const statusFile = options.dpkgStatusFile ?? DEFAULT_DPKG_STATUS;
  const infoDir = options.dpkgInfoDir ?? DEFAULT_DPKG_INFO;
  let loadedFor = -1;
  let versions = new Map<string, string>();
  const known = new Map<string, string | null>();

  async function owningPackage(filePath: string): Promise<string | null> {
    // /usr/bin/x may be listed as /bin/x (merged /usr) and the other way round.
    const names = new Set([filePath, filePath.startsWith('/usr/') ? filePath.slice(4) : `/usr${filePath}`]);
    for (const name of await readdir(infoDir)) {
      if (!name.endsWith('.list')) continue;
      const files = await readFile(path.join(infoDir, name), 'utf8').catch(() => '');
      // info/<name>:<arch>.list for multi-arch packages, info/<name>.list otherwise.
      if (files.split('\n').some((line) => names.has(line))) return name.slice(0, -'.list'.length).split(':', 1)[0];
    }
    return null;
  }

  return async function versionOf(filePath: string): Promise<string | null> {
    try {
      const changed = (await stat(statusFile)).mtimeMs;
      if (changed !== loadedFor) {
        versions = new Map(parseDpkgStatus(await readFile(statusFile, 'utf8')).map((p) => [p.name, p.version] as const));
        known.clear();
        loadedFor = changed;
      }
      if (!known.has(filePath)) {
        const owner = await owningPackage(filePath);
        known.set(filePath, owner === null ? null : (versions.get(owner) ?? null));
      }
      return known.get(filePath) ?? null;
    } catch {
      return null;
    }
  };
}
