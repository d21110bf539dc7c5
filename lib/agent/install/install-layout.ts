import path from 'node:path';
import { installedPaths } from '../agent-config';

export const UNIT_NAME = 'sitebox-agent.service';
export const BUNDLE_NAME = 'sitebox-agent.cjs';

/** Where install writes and uninstall removes; `prefix` puts the whole tree under a folder (for tests and packaging). */
export interface InstallLayout {
  configFile: string;
  stateDir: string;
  libDir: string;
  unitFile: string;
  /**
   * Whether the unit lies where systemd loads units from, so install and uninstall start and stop
   * the service: a tree under a prefix holds a unit systemd never reads, and its service name is the
   * system agent's.
   */
  unitLoadedBySystemd: boolean;
}

/** The folders systemd loads system units from. */
const SYSTEMD_UNIT_DIRS = new Set([
  '/etc/systemd/system',
  '/run/systemd/system',
  '/usr/local/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
]);

export function installLayout(options: { prefix?: string; configDir?: string; stateDir?: string; unitDir?: string; libDir?: string }): InstallLayout {
  const under = (p: string) => (options.prefix ? path.join(path.resolve(options.prefix), p) : path.resolve(p));
  const unitDir = options.unitDir ? path.resolve(options.unitDir) : under(installedPaths.unitDir);
  return {
    configFile: options.configDir ? path.join(path.resolve(options.configDir), 'config.json') : under(installedPaths.configFile),
    stateDir: options.stateDir ? path.resolve(options.stateDir) : under(installedPaths.stateDir),
    libDir: options.libDir ? path.resolve(options.libDir) : under(installedPaths.libDir),
    unitFile: path.join(unitDir, UNIT_NAME),
    unitLoadedBySystemd: SYSTEMD_UNIT_DIRS.has(unitDir),
  };
}
