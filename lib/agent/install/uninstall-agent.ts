import { existsSync } from 'node:fs';
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { UNIT_NAME, type InstallLayout } from './install-layout';
import { systemctl, systemdRuns } from './systemd';

/**
 * Removes what install wrote: stops and disables the service (when systemd runs, the unit is
 * where it loads units from and `stop` is set), then deletes the unit, the bundle, the configuration and the state folder with the
 * device's credential. Safe to run twice. Returns the parts that were there, so a second run can
 * say that nothing was installed rather than claim to have removed it.
 */
export async function uninstallAgent(options: { layout: InstallLayout; stop: boolean }): Promise<string[]> {
  const { layout } = options;
  const present = [layout.unitFile, layout.libDir, layout.configFile, layout.stateDir].filter((part) => existsSync(part));
  const managed = options.stop && layout.unitLoadedBySystemd && systemdRuns();
  if (managed) systemctl('disable', '--now', UNIT_NAME);
  await rm(layout.unitFile, { force: true });
  if (managed) systemctl('daemon-reload');
  await rm(layout.libDir, { recursive: true, force: true });
  await rm(layout.configFile, { force: true });
  // The configuration's folder goes too, unless something else lives there.
  await rmdir(path.dirname(layout.configFile)).catch(() => undefined);
  await rm(layout.stateDir, { recursive: true, force: true });
  return present;
}
