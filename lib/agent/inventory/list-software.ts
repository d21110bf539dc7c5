import { spawn } from 'node:child_process';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { softwareRowSchema, type SoftwareRow, type SoftwareSource } from '../../protocol/inventory.schema';

/** The installed packages and the package manager they came from (null: none found). */
export interface SoftwareList {
  source: SoftwareSource | null;
  packages: SoftwareRow[];
}

export interface SoftwareListerOptions {
  /** dpkg's database (default /var/lib/dpkg/status); tests point it at a file of their own. */
  dpkgStatusFile?: string;
  /** dpkg's per-package file lists, whose modification time is the install date (default /var/lib/dpkg/info). */
  dpkgInfoDir?: string;
  /** The rpm program (default "rpm" on PATH), and its database when not the system's own (tests). */
  rpm?: string;
  rpmDbPath?: string;
  /** Where snaps are mounted (default /snap); tests point it at a folder of their own. */
  snapDir?: string;
  /** Told of each package left out because the site could not store it (a NUL in its version, a name too long), for the log. */
  onRefused?: RefusedPackage;
}

/** A package left out of the list: its name, version and architecture as read, and why. */
export type RefusedPackage = (row: readonly unknown[], reason: string) => void;

export const DEFAULT_DPKG_STATUS = '/var/lib/dpkg/status';
export const DEFAULT_DPKG_INFO = '/var/lib/dpkg/info';
export const DEFAULT_SNAP_DIR = '/snap';

/** A package as dpkg's status file lists it, before its install date is known. */
export interface DpkgPackage {
  name: string;
  version: string;
  arch: string;
}

/**
 * The installed packages of a dpkg status file. A paragraph per package; a package counts as
 * installed when its Status ends "ok installed" (whatever the wanted state: a held package, or
 * one marked for removal, is still on the machine). Continuation lines (leading space) belong to
 * the field before and are skipped.
 */
export function parseDpkgStatus(text: string): DpkgPackage[] {
  const packages: DpkgPackage[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of paragraph.split('\n')) {
      if (!line || line.startsWith(' ') || line.startsWith('\t')) continue;
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    const name = fields.get('package');
    const status = (fields.get('status') ?? '').split(/\s+/);
    if (!name || status[1] !== 'ok' || status[2] !== 'installed') continue;
    packages.push({ name, version: fields.get('version') ?? '', arch: fields.get('architecture') ?? '' });
  }
  return packages;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Keeps rows the protocol can carry (a malformed package is left out, not the whole list) and each key once. */
function validRows(rows: SoftwareRow[], onRefused?: RefusedPackage): SoftwareRow[] {
  const seen = new Set<string>();
  const out: SoftwareRow[] = [];
  for (const row of rows) {
    const key = `${row[0]}\u0000${row[1]}\u0000${row[2]}`;
    if (seen.has(key)) continue;
    const checked = softwareRowSchema.safeParse(row);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      onRefused?.(
        row.slice(0, 3),
        `${['name', 'version', 'arch', 'installedOn'][Number(issue?.path[0])] ?? 'row'} ${issue?.message ?? 'is not valid'}`,
      );
      continue;
    }
    seen.add(key);
    out.push(row);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
}

/**
 * dpkg's installed packages with their install dates: the modification time of
 * info/<name>:<arch>.list (multi-arch packages) or info/<name>.list, which dpkg writes when it
 * unpacks the package. Null when there is no such list.
 */
export async function listDpkgPackages(options: { statusFile?: string; infoDir?: string; onRefused?: RefusedPackage } = {}): Promise<SoftwareRow[]> {
  const packages = parseDpkgStatus(await readFile(options.statusFile ?? DEFAULT_DPKG_STATUS, 'utf8'));
  const infoDir = options.infoDir ?? DEFAULT_DPKG_INFO;
  const lists = new Set(await readdir(infoDir).catch(() => [] as string[]));
  const rows = await Promise.all(
    packages.map(async (p): Promise<SoftwareRow> => {
      const list = [`${p.name}:${p.arch}.list`, `${p.name}.list`].find((name) => lists.has(name));
      const mtime = list
        ? await stat(path.join(infoDir, list)).then(
            (s) => s.mtimeMs,
            () => null,
          )
        : null;
      return [p.name, p.version, p.arch, mtime === null ? null : isoDay(mtime)];
    }),
  );
  return validRows(rows, options.onRefused);
}

/** What `rpm -qa` is asked to print: name, version-release (with the epoch when there is one), arch, install time. */
export const RPM_QUERY_FORMAT = '%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{INSTALLTIME}\\n';

/** Parses the output of `rpm -qa --queryformat RPM_QUERY_FORMAT`: one tab-separated package per line. */
export function parseRpmOutput(text: string, onRefused?: RefusedPackage): SoftwareRow[] {
  const rows: SoftwareRow[] = [];
  for (const line of text.split('\n')) {
    const [name, version, arch, installTime] = line.split('\t');
    if (!name || version === undefined) continue;
    const seconds = Number(installTime);
    rows.push([
      name,
      version,
      // gpg-pubkey entries have no architecture: rpm prints "(none)".
      !arch || arch === '(none)' ? '' : arch,
      Number.isFinite(seconds) && seconds > 0 ? isoDay(seconds * 1000) : null,
    ]);
  }
  return validRows(rows, onRefused);
}

/** Runs rpm; resolves null when rpm is not installed. */
function runRpm(program: string, dbPath?: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const database = dbPath ? ['--dbpath', dbPath] : [];
    const child = spawn(program, [...database, '-qa', '--queryformat', RPM_QUERY_FORMAT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4096)));
    child.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? resolve(null) : reject(error)));
    child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`rpm failed (exit code ${code}): ${stderr.trim()}`))));
  });
}

/** A YAML scalar as written: quotes taken off, a trailing comment dropped. */
function yamlScalar(raw: string): string {
  const text = raw.trim();
  const quoted = /^(['"])(.*?)\1(?:\s+#.*)?$/.exec(text);
  if (quoted) return quoted[1] === "'" ? quoted[2].replace(/''/g, "'") : quoted[2];
  return text.replace(/\s+#.*$/, '');
}

/**
 * A snap's version and architecture from its meta/snap.yaml: the top-level `version` and the first
 * of `architectures` (a block or flow list; "all" when absent, as snapd reads it). Only these
 * two keys are read, so the rest of the YAML needs no parser. Null without a version.
 */
export function parseSnapYaml(text: string): { version: string; arch: string } | null {
  let version: string | null = null;
  let arch: string | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const top = /^([A-Za-z0-9_-]+):(.*)$/.exec(lines[i]);
    if (!top) continue;
    if (top[1] === 'version') version = yamlScalar(top[2]);
    else if (top[1] === 'architectures') {
      const flow = /^\s*\[([^\]]*)\]/.exec(top[2]);
      if (flow) arch = yamlScalar(flow[1].split(',')[0] ?? '');
      else {
        const item = /^\s+-\s*(.+)$/.exec(lines[i + 1] ?? '');
        if (item) arch = yamlScalar(item[1]);
      }
    }
  }
  return version ? { version, arch: arch || 'all' } : null;
}

/**
 * The snaps installed (as `snap list` has them, without asking snapd): each folder of `snapDir`
 * with a `current` revision whose meta/snap.yaml names a version. The name is the folder's (a
 * parallel install is `name_key`); the install day is when snapd last pointed `current` at a
 * revision (its install or latest refresh). Rows carry the source `snap`.
 */
export async function listSnaps(snapDir: string = DEFAULT_SNAP_DIR, onRefused?: RefusedPackage): Promise<SoftwareRow[]> {
  const names = await readdir(snapDir).catch(() => [] as string[]);
  const rows = await Promise.all(
    names.map(async (name): Promise<SoftwareRow | null> => {
      const current = path.join(snapDir, name, 'current');
      const meta = await readFile(path.join(current, 'meta', 'snap.yaml'), 'utf8').catch(() => null);
      const snap = meta === null ? null : parseSnapYaml(meta);
      if (!snap) return null;
      const linked = await lstat(current).then(
        (s) => s.mtimeMs,
        () => null,
      );
      return [name, snap.version, snap.arch, linked === null ? null : isoDay(linked), 'snap'];
    }),
  );
  return validRows(
    rows.filter((row): row is SoftwareRow => row !== null),
    onRefused,
  );
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/**
 * The machine's installed packages: dpkg's when its database exists (Debian, Ubuntu), else
 * rpm's when rpm is installed, else none as the report's source; and beside them its snaps,
 * each marked as such (on Ubuntu, Firefox and many licensed programs come only as snaps).
 */
export async function listSoftware(options: SoftwareListerOptions = {}): Promise<SoftwareList> {
  const [system, snaps] = await Promise.all([listSystemPackages(options), listSnaps(options.snapDir, options.onRefused)]);
  return snaps.length ? { source: system.source, packages: validRows([...system.packages, ...snaps]) } : system;
}

async function listSystemPackages(options: SoftwareListerOptions): Promise<SoftwareList> {
  const statusFile = options.dpkgStatusFile ?? DEFAULT_DPKG_STATUS;
  if (await exists(statusFile)) {
    return { source: 'dpkg', packages: await listDpkgPackages({ statusFile, infoDir: options.dpkgInfoDir, onRefused: options.onRefused }) };
  }
  const rpm = await runRpm(options.rpm ?? 'rpm', options.rpmDbPath);
  if (rpm !== null) return { source: 'rpm', packages: parseRpmOutput(rpm, options.onRefused) };
  return { source: null, packages: [] };
}
