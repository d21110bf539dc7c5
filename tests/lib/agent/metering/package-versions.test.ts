// The version a metering rule compares: that of the package owning the program's file, from a dpkg
// database made by the test, and from a real rpm database where a package built here is installed.
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eraseFromRpmDatabase, rpmDatabaseWith } from '../../../support/rpm-package';
import { useTempDir } from '../../../support/temp-dir';
import { createPackageVersions } from '@/lib/agent/metering/package-versions';

const tempDir = useTempDir('sitebox-package-versions-');

const paragraph = (name: string, version: string) => `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\n\n`;

describe('package versions from dpkg', () => {
  it('gives the owning package version, merged /usr either way, and reads the database again after an upgrade', async () => {
    const statusFile = path.join(tempDir(), 'status');
    const infoDir = path.join(tempDir(), 'info');
    await mkdir(infoDir);
    await writeFile(statusFile, paragraph('coreutils', '9.1-1') + paragraph('editor', '2.0-3'));
    await writeFile(path.join(infoDir, 'coreutils.list'), '/.\n/bin\n/bin/sleep\n');
    await writeFile(path.join(infoDir, 'editor:amd64.list'), '/usr/bin/editor\n');
    const versionOf = createPackageVersions({ dpkgStatusFile: statusFile, dpkgInfoDir: infoDir, rpm: '/nonexistent/rpm' });
    expect(await versionOf('/usr/bin/sleep')).toBe('9.1-1');
    expect(await versionOf('/usr/bin/editor')).toBe('2.0-3');
    expect(await versionOf('/opt/unpackaged/tool')).toBeNull();
    await writeFile(statusFile, paragraph('coreutils', '9.4-2') + paragraph('editor', '2.0-3'));
    // A later modification time, as dpkg's own write would give it.
    await utimes(statusFile, new Date(), new Date(Date.now() + 5_000));
    expect(await versionOf('/usr/bin/sleep')).toBe('9.4-2');
  });
});

describe('package versions from rpm, where there is no dpkg database', () => {
  let dbPath = '';

  beforeAll(async () => {
    dbPath = await rpmDatabaseWith(tempDir(), [
      { name: 'sitebox-meterme', version: '2.5', release: '1', epoch: 3, files: ['/opt/sitebox-meterme/meterme'] },
    ]);
  });

  it('gives epoch, version and release of the owning package, kept for ten minutes', async () => {
    let now = 0;
    const versionOf = createPackageVersions({ dpkgStatusFile: path.join(tempDir(), 'no-dpkg-here'), rpmDbPath: dbPath, now: () => now });
    expect(await versionOf('/opt/sitebox-meterme/meterme')).toBe('3:2.5-1');
    expect(await versionOf('/opt/sitebox-meterme/other')).toBeNull();
    await eraseFromRpmDatabase(dbPath, 'sitebox-meterme');
    now = 9 * 60_000;
    expect(await versionOf('/opt/sitebox-meterme/meterme')).toBe('3:2.5-1');
    now = 10 * 60_000;
    expect(await versionOf('/opt/sitebox-meterme/meterme')).toBeNull();
  });

  it('gives no version without rpm either', async () => {
    const versionOf = createPackageVersions({ dpkgStatusFile: path.join(tempDir(), 'no-dpkg-here'), rpm: path.join(tempDir(), 'no-rpm-here') });
    expect(await versionOf('/usr/bin/sleep')).toBeNull();
  });
});

describe('package versions of snaps', () => {
  it("gives a snap program the version of the revision it runs from, from that revision's snap.yaml", async () => {
    const snapDir = path.join(tempDir(), 'snap');
    for (const [revision, version] of [
      ['512', '2024.3'],
      ['530', "'2024.3.1'"],
    ]) {
      await mkdir(path.join(snapDir, 'pycharm-professional', revision, 'meta'), { recursive: true });
      await writeFile(path.join(snapDir, 'pycharm-professional', revision, 'meta', 'snap.yaml'), `name: pycharm-professional\nversion: ${version}\n`);
    }
    const versionOf = createPackageVersions({ dpkgStatusFile: path.join(tempDir(), 'no-dpkg-here'), rpm: '/nonexistent/rpm', snapDir });
    expect(await versionOf(`${snapDir}/pycharm-professional/512/jbr/bin/java`)).toBe('2024.3');
    // A process started after a refresh runs from the new revision, the one before it from the old.
    expect(await versionOf(`${snapDir}/pycharm-professional/530/jbr/bin/java`)).toBe('2024.3.1');
    expect(await versionOf(`${snapDir}/pycharm-professional/999/bin/pycharm`)).toBeNull();
    expect(await versionOf(`${snapDir}/pycharm-professional`)).toBeNull();
  });
});
