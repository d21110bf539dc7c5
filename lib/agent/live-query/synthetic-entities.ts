import { liveQueryEntities } from '../../live-query/entities';
import type { Row } from '../../live-query/evaluate-query';
import type { EntityCollector } from './answer-live-query';

const packageNames = ['bash', 'coreutils', 'openssl', 'openssh-server', 'curl', 'python3', 'nginx', 'postgresql-15', 'vim', 'git'];
const processNames = ['systemd', 'sshd', 'cron', 'nginx', 'postgres', 'node', 'bash', 'rsyslogd'];

/**
 * For the in-process simulator and benchmarks only, never the real agent: each entity's rows made
 * up from the client's name (so a fleet differs, and a client answers the same twice), with every
 * column of the entity, so live queries exercise the whole path without reading this machine
 * once per simulated client.
 */
export function syntheticEntities(clientName: string): EntityCollector {
  let seed = 0;
  for (const c of clientName) seed = (seed * 31 + c.charCodeAt(0)) >>> 0;
  const pick = <T>(list: readonly T[], n: number) => list[(seed + n) % list.length];
  const rows: Record<string, (argument: string | null) => Row[]> = {
    os: () => [
      {
        hostname: clientName,
        distro: pick(['Debian GNU/Linux', 'Ubuntu'], 0),
        release: pick(['12', '22.04', '24.04'], 1),
        kernel: '6.1.0',
        arch: 'x64',
        uptimeSeconds: 3600 + (seed % 86_400),
      },
    ],
    packages: () =>
      packageNames
        .filter((_, i) => (seed >> i) % 4 !== 0 || i < 3)
        .map((name, i) => ({ name, version: `${1 + ((seed + i) % 3)}.${(seed >> i) % 10}`, arch: 'amd64', source: 'dpkg' })),
    processes: () =>
      processNames.map((name, i) => ({
        pid: 100 + i * 7 + (seed % 50),
        name,
        user: i < 3 ? 'root' : 'app',
        cpu: (seed + i) % 5,
        memoryMb: 10 + ((seed >> i) % 200),
        command: `/usr/sbin/${name}`,
      })),
    services: () =>
      processNames.map((name, i) => ({ name: `${name}.service`, active: (seed + i) % 7 ? 'active' : 'failed', sub: 'running', description: name })),
    ports: () => [
      { protocol: 'tcp', localAddress: '0.0.0.0', localPort: 22, peerAddress: null, peerPort: null, state: 'LISTEN', pid: 101, process: 'sshd' },
    ],
    disks: () => [
      { mount: '/', fs: '/dev/sda1', type: 'ext4', sizeGb: 100, usedGb: 20 + (seed % 70), freeGb: 80 - (seed % 70), usePercent: 20 + (seed % 70) },
    ],
    users: () => [{ user: pick(['alice', 'bob', 'carol'], 2), terminal: 'pts/0', host: null, since: '2026-01-01T08:00:00.000Z' }],
    file: (argument) => [{ path: argument, exists: seed % 2 === 0, size: seed % 2 === 0 ? 1024 : null, sha256: null }],
  };
  return async (entity, argument) => {
    const definition = liveQueryEntities[entity];
    const make = rows[entity];
    if (!definition || !make) throw new Error(`unknown live query entity ${entity}`);
    const columns = Object.keys(definition.columns);
    return make(argument).map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null])));
  };
}
