import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestRpm {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  /** Absolute paths of the package's files (each holds one line). */
  files: string[];
}

/**
 * A private rpm database in `dir` holding the given packages, built with rpmbuild and recorded
 * with `--justdb` (nothing is installed on the machine). Resolves to the database's path, for
 * `rpm --dbpath`. Needs Debian's rpm package (`.ci/run` installs it).
 */
export async function rpmDatabaseWith(dir: string, packages: TestRpm[]): Promise<string> {
  const top = path.join(dir, 'rpmbuild');
  const dbPath = path.join(dir, 'rpmdb');
  await mkdir(dbPath, { recursive: true });
  await run('rpm', ['--dbpath', dbPath, '--initdb']);
  for (const pkg of packages) {
    const spec = path.join(dir, `${pkg.name}.spec`);
    await writeFile(
      spec,
      [
        `Name: ${pkg.name}`,
        `Version: ${pkg.version}`,
        `Release: ${pkg.release}`,
        ...(pkg.epoch === undefined ? [] : [`Epoch: ${pkg.epoch}`]),
        'Summary: a package for the tests',
        'License: MIT',
        'BuildArch: noarch',
        '%description',
        'A package for the tests.',
        '%install',
        ...pkg.files.flatMap((file) => [`mkdir -p %{buildroot}${path.dirname(file)}`, `echo run > %{buildroot}${file}`]),
        '%files',
        ...pkg.files,
        '',
      ].join('\n'),
    );
    await run('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, spec]).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`building a test package needs rpmbuild (apt-get install rpm): ${error.message}`);
    });
    const built = path.join(top, 'RPMS', 'noarch', `${pkg.name}-${pkg.version}-${pkg.release}.noarch.rpm`);
    await run('rpm', ['--dbpath', dbPath, '-i', '--justdb', '--nodeps', '--ignoreos', built]);
  }
  return dbPath;
}

/** Erases a package from a database made by rpmDatabaseWith. */
export async function eraseFromRpmDatabase(dbPath: string, name: string): Promise<void> {
  await run('rpm', ['--dbpath', dbPath, '-e', '--justdb', '--nodeps', name]);
}
