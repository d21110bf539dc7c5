/** What a live query can ask a machine about: each entity's columns and their types. */

export type ColumnType = 'string' | 'number' | 'boolean';

export interface EntityDefinition {
  description: string;
  /** file("/path") takes the path it describes; the others take nothing. */
  argument?: 'path';
  columns: Record<string, ColumnType>;
}

export const liveQueryEntities: Record<string, EntityDefinition> = {
  os: {
    description: 'The operating system',
    columns: { hostname: 'string', distro: 'string', release: 'string', kernel: 'string', arch: 'string', uptimeSeconds: 'number' },
  },
  processes: {
    description: 'Running processes',
    columns: { pid: 'number', name: 'string', user: 'string', cpu: 'number', memoryMb: 'number', command: 'string' },
  },
  services: {
    description: 'systemd units of type service',
    columns: { name: 'string', active: 'string', sub: 'string', description: 'string' },
  },
  ports: {
    description: 'Listening ports and open connections',
    columns: {
      protocol: 'string',
      localAddress: 'string',
      localPort: 'number',
      peerAddress: 'string',
      peerPort: 'number',
      state: 'string',
      pid: 'number',
      process: 'string',
    },
  },
  disks: {
    description: 'Mounted file systems',
    columns: { mount: 'string', fs: 'string', type: 'string', sizeGb: 'number', usedGb: 'number', freeGb: 'number', usePercent: 'number' },
  },
  users: {
    description: 'Logged-on users',
    columns: { user: 'string', terminal: 'string', host: 'string', since: 'string' },
  },
  packages: {
    description: 'Installed packages (dpkg or rpm)',
    columns: { name: 'string', version: 'string', arch: 'string', source: 'string' },
  },
  file: {
    description: 'One file: whether it exists, its size and SHA-256',
    argument: 'path',
    columns: { path: 'string', exists: 'boolean', size: 'number', sha256: 'string' },
  },
};

/** The entity a query names (any letter case), or undefined: only the entities above, never a property every object has (`constructor`, `__proto__`). */
export function findLiveQueryEntity(name: string): EntityDefinition | undefined {
  const key = name.toLowerCase();
  return Object.hasOwn(liveQueryEntities, key) ? liveQueryEntities[key] : undefined;
}
