import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Whether this machine was booted with systemd as its service manager. */
export const systemdRuns = () => existsSync('/run/systemd/system');

/** Runs systemctl with the given arguments; throws with its own words when it fails. */
export function systemctl(...args: string[]): string {
  const result = spawnSync('systemctl', args, { encoding: 'utf8' });
  if (result.error) throw new Error(`systemctl ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0 && args[0] !== 'is-active')
    throw new Error(`systemctl ${args.join(' ')} failed: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout.trim();
}
