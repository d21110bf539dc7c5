import { chmod, copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { agentConfigSchema, type AgentConfig } from '../agent-config';
import type { PinnedCa } from '../tls-pin';
import { BUNDLE_NAME, UNIT_NAME, type InstallLayout } from './install-layout';
import { systemctl, systemdRuns } from './systemd';
import { systemdUnit } from './systemd-unit';

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function writeAtomically(file: string, content: string, mode: number) {
  await writeFile(`${file}.tmp`, content, { mode });
  await chmod(`${file}.tmp`, mode);
  await rename(`${file}.tmp`, file);
}

/**
 * Installs the agent on this machine: its configuration (mode 0600: it names the management
 * points; the credential lands in the state folder, mode 0700), the bundle and Node it runs
 * on, and a systemd unit, which is enabled and (re)started when systemd runs, loads the unit from
 * where it was written, and `start` is set.
 * Installing again keeps the other settings of an existing configuration and the credential.
 */
export async function installAgent(options: {
  layout: InstallLayout;
  managementPoints: string[];
  /** The site certificate authority to trust alone (checked against its fingerprint); else an earlier install's stays. */
  pinnedCa?: PinnedCa;
  /** The bundle being run (copied into the library folder). */
  bundlePath: string;
  nodePath: string;
  start: boolean;
}): Promise<{ config: AgentConfig; started: boolean }> {
  const { layout } = options;
  const existing = (await readJson(layout.configFile)) ?? {};
  const config = agentConfigSchema.parse({
    ...existing,
    managementPoints: options.managementPoints,
    stateDir: layout.stateDir,
    ...(options.pinnedCa ? { pinnedCa: options.pinnedCa } : {}),
  });

  await mkdir(path.dirname(layout.configFile), { recursive: true, mode: 0o755 });
  await writeAtomically(layout.configFile, `${JSON.stringify(config, null, 2)}\n`, 0o600);
  await mkdir(path.dirname(layout.stateDir), { recursive: true, mode: 0o755 });
  await mkdir(layout.stateDir, { recursive: true, mode: 0o700 });
  await chmod(layout.stateDir, 0o700);

  await mkdir(layout.libDir, { recursive: true, mode: 0o755 });
  const bundle = path.join(layout.libDir, BUNDLE_NAME);
  if (path.resolve(options.bundlePath) !== bundle) {
    await copyFile(options.bundlePath, `${bundle}.tmp`);
    await chmod(`${bundle}.tmp`, 0o755);
    await rename(`${bundle}.tmp`, bundle);
  }

  await mkdir(path.dirname(layout.unitFile), { recursive: true, mode: 0o755 });
  await writeAtomically(layout.unitFile, systemdUnit({ nodePath: options.nodePath, bundlePath: bundle, configFile: layout.configFile }), 0o644);

  const started = options.start && layout.unitLoadedBySystemd && systemdRuns();
  if (started) {
    systemctl('daemon-reload');
    systemctl('enable', UNIT_NAME);
    // A restart, not a start: an agent already running (an upgrade) would keep the old program.
    systemctl('restart', UNIT_NAME);
  }
  return { config, started };
}
