import { lutimes, mkdtemp, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rpmDatabaseWith } from '../../../support/rpm-package';
import { listSnaps, listSoftware, parseDpkgStatus, parseRpmOutput, parseSnapYaml } from '@/lib/agent/inventory/list-software';

/** A small dpkg database: an installed package, a multi-arch one, a removed one with its configuration left, a held one. */
const status = `Package: adduser
Status: install ok installed
Priority: important
Architecture: all
Version: 3.134
Description: add and remove users and groups
 This package includes the 'adduser' and 'deluser' commands.
 .
 Package: not-a-field

Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Version: 2.36-9+deb12u10

Package: oldtool
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: pinned
Status: hold ok installed
Architecture: amd64
Version: 4.2
`;

describe('parseDpkgStatus', () => {
  it('lists the installed packages with name, version and architecture, and skips removed ones and continuation lines', () => {
    expect(parseDpkgStatus(status)).toEqual([
      { name: 'adduser', version: '3.134', arch: 'all' },
      { name: 'libc6', version: '2.36-9+deb12u10', arch: 'amd64' },
      { name: 'pinned', version: '4.2', arch: 'amd64' },
    ]);
  });
});

describe('listSoftware from a dpkg database', () => {
  it('takes install dates from the file lists (name:arch.list for multi-arch packages), null without one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-dpkg-'));
    const info = path.join(dir, 'info');
    await mkdir(info);
    await writeFile(path.join(dir, 'status'), status);
    await writeFile(path.join(info, 'adduser.list'), '/usr/sbin/adduser\n');
    await writeFile(path.join(info, 'libc6:amd64.list'), '/lib\n');
    await utimes(path.join(info, 'adduser.list'), new Date('2025-05-20T10:00:00Z'), new Date('2025-05-20T10:00:00Z'));
    await utimes(path.join(info, 'libc6:amd64.list'), new Date('2026-01-02T23:30:00Z'), new Date('2026-01-02T23:30:00Z'));

    const list = await listSoftware({ dpkgStatusFile: path.join(dir, 'status'), dpkgInfoDir: info, snapDir: path.join(dir, 'no-snaps') });
    expect(list).toEqual({
      source: 'dpkg',
      packages: [
        ['adduser', '3.134', 'all', '2025-05-20'],
        ['libc6', '2.36-9+deb12u10', 'amd64', '2026-01-02'],
        ['pinned', '4.2', 'amd64', null],
      ],
    });
  });

  it("lists rpm's packages where there is no dpkg database: name, epoch, version-release, arch, install day", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-rpm-'));
    const rpmDbPath = await rpmDatabaseWith(dir, [
      { name: 'sitebox-editor', version: '2.5', release: '1.el9', epoch: 3, files: ['/opt/sitebox-editor/editor'] },
      { name: 'sitebox-tool', version: '1.0', release: '7', files: ['/opt/sitebox-tool/tool'] },
    ]);
    const today = new Date().toISOString().slice(0, 10);
    const list = await listSoftware({ dpkgStatusFile: path.join(dir, 'status'), rpmDbPath, snapDir: path.join(dir, 'no-snaps') });
    expect(list.source).toBe('rpm');
    expect(list.packages).toEqual([
      ['sitebox-editor', '3:2.5-1.el9', 'noarch', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)],
      ['sitebox-tool', '1.0-7', 'noarch', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)],
    ]);
    // Recorded just now: today, or yesterday for a test that crosses midnight.
    expect(list.packages.every(([, , , day]) => day === today || Date.parse(today) - Date.parse(day!) === 86_400_000)).toBe(true);
  });

  it('falls back to rpm, and to no source at all, when there is no dpkg database', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-nodpkg-'));
    const list = await listSoftware({
      dpkgStatusFile: path.join(dir, 'status'),
      rpm: path.join(dir, 'no-rpm-here'),
      snapDir: path.join(dir, 'no-snaps'),
    });
    expect(list).toEqual({ source: null, packages: [] });
  });
});

describe('packages the site could not store', () => {
  it('are left out and each told with its field, the rest kept', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-dpkg-'));
    const long = 'p'.repeat(5000);
    await writeFile(
      path.join(dir, 'status'),
      `${status}\nPackage: ${long}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n\nPackage: nul\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\u00002\n`,
    );
    const refused: [string, string][] = [];
    const list = await listSoftware({
      dpkgStatusFile: path.join(dir, 'status'),
      dpkgInfoDir: path.join(dir, 'info'),
      snapDir: path.join(dir, 'no-snaps'),
      onRefused: (row, reason) => refused.push([String(row[0]).slice(0, 10), reason]),
    });
    expect(list.packages.map((p) => p[0])).toEqual(['adduser', 'libc6', 'pinned']);
    expect(refused).toEqual([
      ['pppppppppp', expect.stringMatching(/^name /)],
      ['nul', expect.stringMatching(/^version must not contain NUL/)],
    ]);
  });
});

describe('parseRpmOutput', () => {
  it('reads name, version-release, arch and install time; several kernels of one name stay apart', () => {
    const output = [
      'bash\t5.1.8-9.el9\tx86_64\t1700000000',
      'kernel\t5.14.0-362.el9\tx86_64\t1700000100',
      'kernel\t5.14.0-427.el9\tx86_64\t1710000000',
      'gpg-pubkey\t8483c65d-5ccc5b19\t(none)\t1690000000',
      'tzdata\t1:2024a-1.el9\tnoarch\t0',
      '',
    ].join('\n');
    expect(parseRpmOutput(output)).toEqual([
      ['bash', '5.1.8-9.el9', 'x86_64', '2023-11-14'],
      ['gpg-pubkey', '8483c65d-5ccc5b19', '', '2023-07-22'],
      ['kernel', '5.14.0-362.el9', 'x86_64', '2023-11-14'],
      ['kernel', '5.14.0-427.el9', 'x86_64', '2024-03-09'],
      ['tzdata', '1:2024a-1.el9', 'noarch', null],
    ]);
  });
});

/** A snap as snapd lays it out: /snap/<name>/<revision>/meta/snap.yaml, and `current` pointing at the revision in use. */
async function installSnap(snapDir: string, name: string, revision: string, yaml: string, linkedAt?: Date) {
  await mkdir(path.join(snapDir, name, revision, 'meta'), { recursive: true });
  await writeFile(path.join(snapDir, name, revision, 'meta', 'snap.yaml'), yaml);
  await symlink(revision, path.join(snapDir, name, 'current'));
  if (linkedAt) await lutimes(path.join(snapDir, name, 'current'), linkedAt, linkedAt);
}

describe('snaps', () => {
  it('reads version and architecture from snap.yaml, quoted or not, block or flow list, "all" when none is named', () => {
    expect(parseSnapYaml('name: firefox\nversion: 128.0.3-1\nsummary: Mozilla Firefox\narchitectures:\n  - amd64\nbase: core22\n')).toEqual({
      version: '128.0.3-1',
      arch: 'amd64',
    });
    expect(parseSnapYaml("name: code\nversion: '1.95.3' # from upstream\narchitectures: [arm64, amd64]\n")).toEqual({
      version: '1.95.3',
      arch: 'arm64',
    });
    expect(parseSnapYaml('name: core22\nversion: "20241001"\ntype: base\n')).toEqual({ version: '20241001', arch: 'all' });
    // A nested `version:` (of an app or a part) is not the snap's.
    expect(parseSnapYaml('name: broken\napps:\n  broken:\n    version: 9\n')).toBeNull();
  });

  it("lists each snap's current revision with the day snapd linked it, and skips what is not a snap", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-snap-'));
    const snapDir = path.join(dir, 'snap');
    await installSnap(snapDir, 'firefox', '4336', 'name: firefox\nversion: 128.0.3-1\narchitectures:\n  - amd64\n', new Date('2026-11-30T09:00:00Z'));
    // A refreshed snap keeps its old revision on disk; only the current one is installed.
    await mkdir(path.join(snapDir, 'firefox', '4259', 'meta'), { recursive: true });
    await writeFile(path.join(snapDir, 'firefox', '4259', 'meta', 'snap.yaml'), 'name: firefox\nversion: 127.0-2\n');
    await installSnap(
      snapDir,
      'intellij-idea-ultimate',
      '512',
      "name: intellij-idea-ultimate\nversion: '2024.3'\n",
      new Date('2026-10-01T12:00:00Z'),
    );
    await installSnap(
      snapDir,
      'firefox_esr',
      'x1',
      'name: firefox\nversion: 115.18.0esr-1\narchitectures: [amd64]\n',
      new Date('2026-09-09T00:00:00Z'),
    );
    await mkdir(path.join(snapDir, 'bin'));
    await writeFile(path.join(snapDir, 'README'), 'This directory presents installed snap packages.\n');
    await mkdir(path.join(snapDir, 'half-removed', '12'), { recursive: true });

    expect(await listSnaps(snapDir)).toEqual([
      ['firefox', '128.0.3-1', 'amd64', '2026-11-30', 'snap'],
      ['firefox_esr', '115.18.0esr-1', 'amd64', '2026-09-09', 'snap'],
      ['intellij-idea-ultimate', '2024.3', 'all', '2026-10-01', 'snap'],
    ]);
    expect(await listSnaps(path.join(dir, 'no-such-folder'))).toEqual([]);

    // Beside dpkg's packages, in one sorted list; the report's source stays dpkg.
    await writeFile(path.join(dir, 'status'), 'Package: firefox\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1snap1-0ubuntu5\n');
    const list = await listSoftware({ dpkgStatusFile: path.join(dir, 'status'), dpkgInfoDir: path.join(dir, 'info'), snapDir });
    expect(list.source).toBe('dpkg');
    expect(list.packages.map((row) => row.slice(0, 2).concat(row[4] ?? 'dpkg'))).toEqual([
      ['firefox', '128.0.3-1', 'snap'],
      ['firefox', '1:1snap1-0ubuntu5', 'dpkg'],
      ['firefox_esr', '115.18.0esr-1', 'snap'],
      ['intellij-idea-ultimate', '2024.3', 'snap'],
    ]);
  });
});
