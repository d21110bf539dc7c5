import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_DPKG_INFO, DEFAULT_DPKG_STATUS, DEFAULT_SNAP_DIR, parseDpkgStatus, parseSnapYaml } from '../inventory/list-software';

const run = promisify(execFile);

/** How long rpm's answer for a file is kept (rpm has no one file whose change says an upgrade happened). */
const RPM_ANSWER_MS = 10 * 60_000;

/** What `rpm -qf` prints of the owning package: its version-release, with the epoch when there is one (as inventory reports it). */
const RPM_VERSION_FORMAT = '%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n';

export interface PackageVersionsOptions {
  /** dpkg's database, when not the system's own (tests, a chroot). */
  dpkgStatusFile?: string;
  dpkgInfoDir?: string;
  /** The rpm program (default "rpm" on PATH), and its database when not the system's own. */
  rpm?: string;
  rpmDbPath?: string;
  /** Where snaps are mounted (default /snap). */
  snapDir?: string;
  now?: () => number;
}

/**
 * The version of the package that installed a file: for a file of a snap
 * (/snap/<name>/<revision>/…) that revision's version from its snap.yaml; else from dpkg's
 * database where there is one (what `dpkg -S` tells: info/<package>.list names each package's
 * files, the status file its version), else from rpm (`rpm -qf`). Only files a rule's name
 * matched are looked up, so each is searched for once and its answer kept: until dpkg changes its
 * status file (an upgrade), or for RPM_ANSWER_MS. Null for a file no package owns, or with
 * neither package manager.
 */
export function createPackageVersions(options: PackageVersionsOptions = {}) {
  const statusFile = options.dpkgStatusFile ?? DEFAULT_DPKG_STATUS;
  const infoDir = options.dpkgInfoDir ?? DEFAULT_DPKG_INFO;
  const now = options.now ?? Date.now;
  let loadedFor = -1;
  let versions = new Map<string, string>();
  const known = new Map<string, string | null>();
  const fromRpm = new Map<string, { version: string | null; at: number }>();

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

  async function dpkgVersion(filePath: string, changed: number): Promise<string | null> {
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
  }

  async function rpmVersion(filePath: string): Promise<string | null> {
    const kept = fromRpm.get(filePath);
    if (kept && now() - kept.at < RPM_ANSWER_MS) return kept.version;
    const database = options.rpmDbPath ? ['--dbpath', options.rpmDbPath] : [];
    let version: string | null = null;
    try {
      const { stdout } = await run(options.rpm ?? 'rpm', [...database, '-qf', '--queryformat', RPM_VERSION_FORMAT, '--', filePath], {
        timeout: 10_000,
      });
      // A file two packages own (multilib) prints a line each: the first is as good as any.
      version = stdout.split('\n', 1)[0].trim() || null;
    } catch {
      // Exit code 1: no package owns the file. No rpm at all: no version either.
    }
    fromRpm.set(filePath, { version, at: now() });
    return version;
  }

  const snapRoot = `${options.snapDir ?? DEFAULT_SNAP_DIR}/`;
  // A revision's files never change, so its answer is kept for as long as the agent runs.
  const snapVersions = new Map<string, string | null>();

  async function snapVersion(filePath: string): Promise<string | null> {
    const [name, revision] = filePath.slice(snapRoot.length).split('/', 2);
    if (!name || !revision) return null;
    const revisionDir = `${snapRoot}${name}/${revision}`;
    if (!snapVersions.has(revisionDir)) {
      const yaml = await readFile(path.join(revisionDir, 'meta', 'snap.yaml'), 'utf8').catch(() => null);
      snapVersions.set(revisionDir, yaml === null ? null : (parseSnapYaml(yaml)?.version ?? null));
    }
    return snapVersions.get(revisionDir) ?? null;
  }

  return async function versionOf(filePath: string): Promise<string | null> {
    if (filePath.startsWith(snapRoot)) return snapVersion(filePath);
    const changed = await stat(statusFile).then(
      (status) => status.mtimeMs,
      () => null,
    );
    try {
      return changed === null ? await rpmVersion(filePath) : await dpkgVersion(filePath, changed);
    } catch {
      return null;
    }
  };
}
