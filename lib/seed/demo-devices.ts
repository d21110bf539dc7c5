/** A device row as the demo seed inserts it. */
export interface DemoDevice {
  name: string;
  domain: string;
  osName: string;
  osVersion: string;
  osKind: 'WORKSTATION' | 'SERVER';
  ipAddress: string;
  macAddress: string;
  clientVersion: string;
  lastSeenAt: Date | null;
}

// Small deterministic PRNG so every seed of N devices gives the same fleet.
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const locations = [
  { code: 'NYC', subnet: 10 },
  { code: 'CHI', subnet: 11 },
  { code: 'LON', subnet: 20 },
  { code: 'FRA', subnet: 21 },
  { code: 'SGP', subnet: 30 },
];

const workstationOs = [
  { osName: 'Windows 11 Enterprise', osVersion: '10.0.26100', weight: 40 },
  { osName: 'Windows 11 Enterprise', osVersion: '10.0.22631', weight: 25 },
  { osName: 'Windows 10 Enterprise', osVersion: '10.0.19045', weight: 25 },
  { osName: 'Windows 10 Enterprise LTSC', osVersion: '10.0.17763', weight: 5 },
  { osName: 'macOS Sonoma', osVersion: '14.6', weight: 5 },
];

const serverOs = [
  { osName: 'Windows Server 2022 Datacenter', osVersion: '10.0.20348', weight: 45 },
  { osName: 'Windows Server 2019 Standard', osVersion: '10.0.17763', weight: 30 },
  { osName: 'Windows Server 2016 Standard', osVersion: '10.0.14393', weight: 10 },
  { osName: 'Ubuntu Server 24.04 LTS', osVersion: '24.04', weight: 15 },
];

const serverRoles = ['SQL', 'FS', 'APP', 'WEB', 'DC', 'PRN', 'EXCH', 'HV'];

function pick<T extends { weight: number }>(items: T[], r: number): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let x = r * total;
  for (const item of items) if ((x -= item.weight) < 0) return item;
  return items[items.length - 1];
}

/**
 * `count` demo devices: about 85% workstations and laptops, 15% servers, spread over five
 * offices with their own subnets, last seen mostly within the past days.
 */
export function demoDevices(options: { count: number; now?: Date }): DemoDevice[] {
  const random = mulberry32(20031);
  const now = (options.now ?? new Date()).getTime();
  const counters = new Map<string, number>();
  const devices: DemoDevice[] = [];
  for (let i = 0; i < options.count; i++) {
    const location = locations[Math.floor(random() * locations.length)];
    const isServer = random() < 0.15;
    const os = pick(isServer ? serverOs : workstationOs, random());
    const kind = isServer ? `SRV-${serverRoles[Math.floor(random() * serverRoles.length)]}` : random() < 0.4 ? 'LT' : 'WS';
    const key = `${location.code}-${kind}`;
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    const name = isServer ? `${key}${String(n).padStart(2, '0')}` : `${key}-${String(n).padStart(4, '0')}`;
    const ip = `10.${location.subnet}.${isServer ? 1 : 16 + (Math.floor(i / 250) % 200)}.${(i % 250) + 2}`;
    const mac = Array.from({ length: 6 }, () =>
      Math.floor(random() * 256)
        .toString(16)
        .padStart(2, '0'),
    )
      .join(':')
      .toUpperCase();
    // Servers check in constantly; some laptops have been away for weeks; a few never reported.
    const ageHours = random() < 0.03 ? null : isServer ? random() * 2 : random() < 0.85 ? random() * 72 : 72 + random() * 24 * 40;
    devices.push({
      name,
      domain: 'CORP',
      osName: os.osName,
      osVersion: os.osVersion,
      osKind: isServer ? 'SERVER' : 'WORKSTATION',
      ipAddress: ip,
      macAddress: mac,
      clientVersion: '5.00.9132.1000',
      lastSeenAt: ageHours === null ? null : new Date(now - ageHours * 3_600_000),
    });
  }
  return devices;
}
