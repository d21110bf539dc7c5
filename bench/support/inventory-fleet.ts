// The inventory benchmark's fleet: what each simulated machine has installed and what its hardware
// is, made from a seed, so the simulator processes and the checker derive the same inventories
// independently. Pure: no I/O, no clock, no Math.random.
//
// Machines share most packages, as a real fleet does. Every machine carries the base system
// (BASE_PACKAGES packages), each at one of the two or three version levels the fleet is spread
// over (machines patched at different times); one role's packages (developer workstation, web
// server, ...), each role's packages at one or two versions; and a few dozen packages from a long
// tail that only some machines have. So 10,000 machines of ~1,500 packages each hold a few
// thousand distinct name+version+architecture triples, not 15 million. The delta round changes
// about 1 % of a machine's packages: upgrades to the one new version a base package got in this
// round (the same for the whole fleet), a few installs and removals from the tail.
import { createHash } from 'node:crypto';
import type {
  DeltaInventoryReport,
  FullInventoryReport,
  HardwareClasses,
  HardwareInstance,
  SoftwareKey,
  SoftwareRow,
} from '../../lib/protocol/inventory.schema';

export const BASE_PACKAGES = 1300;
export const ROLES = ['developer', 'web-server', 'database-server', 'office-desktop', 'build-agent', 'file-server'] as const;
export const ROLE_PACKAGES = 120;
export const TAIL_PACKAGES = 1000;
/** Tail packages each machine has. */
export const TAIL_PER_MACHINE = 60;
/** Base packages that get a new version in the delta round. */
export const UPDATED_PACKAGES = 200;
/** Of those, how many one machine installs in the delta round; plus tail installs and removals. */
export const UPGRADES_PER_MACHINE = 10;
export const TAIL_INSTALLS_PER_MACHINE = 3;
export const TAIL_REMOVALS_PER_MACHINE = 2;

export interface CatalogProduct {
  name: string;
  version: string;
  arch: string;
  /** When this version came out, in days since 1970-01-01 (a package's install date is on or after it). */
  releasedDay: number;
}

/** Every product (name + version + architecture) the fleet can hold, by index, and how machines pick them. */
export interface FleetCatalog {
  products: CatalogProduct[];
  /** Per base package: its products, oldest version first. */
  base: number[][];
  /** Per role, per package: its products, oldest version first. */
  roles: number[][][];
  /** The tail: one product each. */
  tail: number[];
  /** Per base package: the product of the version the delta round brings, or -1 when it brings none. */
  updates: number[];
}

export interface FleetPlan {
  seed: number;
  /** The time reports say they were collected at (ms since the epoch); install dates stay before it. */
  collectedAt: number;
}

/** One machine's installed packages: catalog product indices and each one's install date. */
export interface MachineSoftware {
  products: number[];
  installedOn: string[];
}

/** A delta round on one machine: the products it removes and the ones it adds (with install dates). */
export interface MachineDelta {
  removed: number[];
  added: number[];
  addedOn: string[];
}

/** A 32-bit hash of numbers (the seed and the stream's coordinates), to seed one generator each. */
function mix(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h = Math.imul(h ^ (v >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * values.length)];
const int = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

/** `count` distinct indices below `n`, in random order (a partial Fisher-Yates shuffle). */
function sample(random: () => number, n: number, count: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

const DAY = 86_400_000;
const dayTexts = new Map<number, string>();
/** YYYY-MM-DD of a time; memoised per day, since a fleet's inventories repeat a few thousand days 15 million times. */
function isoDay(ms: number): string {
  const day = Math.floor(ms / DAY);
  let text = dayTexts.get(day);
  if (text === undefined) dayTexts.set(day, (text = new Date(day * DAY).toISOString().slice(0, 10)));
  return text;
}

const PREFIXES = ['lib', 'lib', 'lib', 'python3-', 'node-', 'gir1.2-', 'fonts-', 'x11-', 'perl-', 'golang-', '', '', '', ''];
const STEMS = [
  'acl',
  'apt',
  'attr',
  'audit',
  'avahi',
  'bz',
  'cairo',
  'cap',
  'cups',
  'curl',
  'db',
  'dbus',
  'drm',
  'elf',
  'expat',
  'ffi',
  'fido',
  'flac',
  'fontconfig',
  'freetype',
  'gcrypt',
  'gdk',
  'glib',
  'gmp',
  'gnutls',
  'gpg',
  'gss',
  'gtk',
  'harfbuzz',
  'hogweed',
  'icu',
  'idn',
  'jansson',
  'jpeg',
  'json',
  'kmod',
  'krb',
  'lz',
  'lzma',
  'magic',
  'mount',
  'mpfr',
  'ncurses',
  'nettle',
  'nghttp',
  'nss',
  'ogg',
  'openssl',
  'pam',
  'pango',
  'pcre',
  'pixman',
  'png',
  'polkit',
  'popt',
  'psl',
  'pulse',
  'readline',
  'rtmp',
  'sasl',
  'seccomp',
  'selinux',
  'semanage',
  'sepol',
  'smart',
  'sqlite',
  'ssh',
  'systemd',
  'tasn',
  'tiff',
  'tinfo',
  'udev',
  'unistring',
  'usb',
  'uuid',
  'vorbis',
  'wayland',
  'webp',
  'xau',
  'xcb',
  'xdmcp',
  'xext',
  'xml',
  'xslt',
  'xxhash',
  'yaml',
  'zstd',
  'zlib',
];
const SUFFIXES = ['', '', '', '1', '2', '3', '6', '-common', '-data', '-bin', '-utils', '-doc', '-dev', '-tools', '-plugins'];

/** Distinct Debian-like package names, `count` of them, made from the generator. */
function packageNames(random: () => number, count: number, taken: Set<string>): string[] {
  const names: string[] = [];
  while (names.length < count) {
    let name = `${pick(random, PREFIXES)}${pick(random, STEMS)}${random() < 0.4 ? pick(random, STEMS) : ''}${pick(random, SUFFIXES)}`;
    if (taken.has(name)) name = `${name}${int(random, 2, 99)}`;
    if (taken.has(name)) continue;
    taken.add(name);
    names.push(name);
  }
  return names;
}

/**
 * Version `level` of a package whose oldest fleet version is `major.minor.patch-revision`: each
 * later level a higher patch, so versions compare numerically part by part (split on `.` and `-`).
 */
const versionText = (major: number, minor: number, patch: number, revision: number) => `${major}.${minor}.${patch}-${revision}`;

/** The fleet's catalog for `seed`. */
export function fleetCatalog(seed: number): FleetCatalog {
  const random = seededRandom(mix(seed, 1));
  const products: CatalogProduct[] = [];
  const taken = new Set<string>();
  const start = Date.UTC(2023, 0, 1);
  const versions = (name: string, levels: number): number[] => {
    const arch = random() < 0.15 ? 'all' : 'amd64';
    const [major, minor, revision] = [int(random, 0, 9), int(random, 0, 40), int(random, 1, 9)];
    let patch = int(random, 0, 20);
    let released = start + int(random, 0, 500) * DAY;
    return Array.from({ length: levels }, (_, level) => {
      if (level) {
        patch += int(random, 1, 3);
        released += int(random, 30, 200) * DAY;
      }
      products.push({ name, version: versionText(major, minor, patch, revision), arch, releasedDay: Math.floor(released / DAY) });
      return products.length - 1;
    });
  };
  const base = packageNames(random, BASE_PACKAGES, taken).map((name) => versions(name, random() < 0.4 ? 3 : 2));
  const roles = ROLES.map(() => packageNames(random, ROLE_PACKAGES, taken).map((name) => versions(name, random() < 0.5 ? 2 : 1)));
  const tail = packageNames(random, TAIL_PACKAGES, taken).map((name) => versions(name, 1)[0]);
  // The delta round's new versions: one past the newest level of UPDATED_PACKAGES base packages.
  const updates = new Array<number>(BASE_PACKAGES).fill(-1);
  for (const b of sample(random, BASE_PACKAGES, UPDATED_PACKAGES)) {
    const newest = products[base[b].at(-1)!];
    const [major, minor, patch, revision] = newest.version.split(/[.-]/).map(Number);
    products.push({ ...newest, version: versionText(major, minor, patch, revision + 1), releasedDay: Math.floor(Date.UTC(2026, 10, 20) / DAY) });
    updates[b] = products.length - 1;
  }
  return { products, base, roles, tail, updates };
}

/** Which role machine `machine` has. */
export const machineRole = (plan: FleetPlan, machine: number) => mix(plan.seed, 2, machine) % ROLES.length;

/** The packages machine `machine` (0-based) has at its full inventory. */
export function machineSoftware(catalog: FleetCatalog, plan: FleetPlan, machine: number): MachineSoftware {
  const random = seededRandom(mix(plan.seed, 3, machine));
  const latest = plan.collectedAt - DAY;
  const products: number[] = [];
  const installedOn: string[] = [];
  // How up to date this machine is: most machines are on the newest level of most packages.
  const patched = 0.55 + random() * 0.4;
  const add = (product: number) => {
    products.push(product);
    installedOn.push(isoDay(Math.min(latest, (catalog.products[product].releasedDay + int(random, 0, 40)) * DAY)));
  };
  for (const levels of catalog.base) {
    const r = random();
    add(levels[r < patched || levels.length === 1 ? levels.length - 1 : r < patched + (1 - patched) * 0.7 ? levels.length - 2 : 0]);
  }
  for (const levels of catalog.roles[machineRole(plan, machine)]) {
    if (random() < 0.05) continue; // not every machine of a role has every one of its packages
    add(levels[random() < 0.7 ? levels.length - 1 : 0]);
  }
  for (const t of sample(random, catalog.tail.length, TAIL_PER_MACHINE)) add(catalog.tail[t]);
  return { products, installedOn };
}

/** The delta round on machine `machine`: ≈1 % of its packages upgraded, installed or removed. */
export function machineDelta(catalog: FleetCatalog, plan: FleetPlan, machine: number, software: MachineSoftware): MachineDelta {
  const random = seededRandom(mix(plan.seed, 4, machine));
  const installed = new Set(software.products);
  const removed: number[] = [];
  const added: number[] = [];
  const upgradable = catalog.base.flatMap((levels, b) => (catalog.updates[b] >= 0 ? [b] : []));
  for (const u of sample(random, upgradable.length, UPGRADES_PER_MACHINE)) {
    const b = upgradable[u];
    const current = catalog.base[b].find((p) => installed.has(p))!;
    removed.push(current);
    added.push(catalog.updates[b]);
  }
  const tailInstalled = catalog.tail.filter((p) => installed.has(p));
  for (const t of sample(random, tailInstalled.length, TAIL_REMOVALS_PER_MACHINE)) removed.push(tailInstalled[t]);
  const tailMissing = catalog.tail.filter((p) => !installed.has(p));
  for (const t of sample(random, tailMissing.length, TAIL_INSTALLS_PER_MACHINE)) added.push(tailMissing[t]);
  const day = isoDay(plan.collectedAt);
  return { removed, added, addedOn: added.map(() => day) };
}

/** The machine's packages after the delta round. */
export function applyDelta(software: MachineSoftware, delta: MachineDelta): MachineSoftware {
  const removed = new Set(delta.removed);
  const kept = software.products.map((p, i) => [p, software.installedOn[i]] as const).filter(([p]) => !removed.has(p));
  return { products: [...kept.map(([p]) => p), ...delta.added], installedOn: [...kept.map(([, d]) => d), ...delta.addedOn] };
}

export const softwareRows = (catalog: FleetCatalog, software: MachineSoftware): SoftwareRow[] =>
  software.products.map((p, i) => {
    const { name, version, arch } = catalog.products[p];
    return [name, version, arch, software.installedOn[i]];
  });

export const softwareKeys = (catalog: FleetCatalog, products: readonly number[]): SoftwareKey[] =>
  products.map((p) => {
    const { name, version, arch } = catalog.products[p];
    return [name, version, arch];
  });

const MODELS: Record<string, string[]> = {
  'Dell Inc.': ['OptiPlex 7010', 'Latitude 5440', 'PowerEdge R650', 'Precision 3660'],
  LENOVO: ['ThinkPad T14 Gen 4', 'ThinkCentre M70q', 'ThinkSystem SR630'],
  HP: ['EliteBook 840 G10', 'ProDesk 400 G9', 'ProLiant DL360 Gen10'],
  Supermicro: ['SYS-1029P-WTR'],
};
const OS = [
  { distro: 'Debian GNU/Linux', release: '12', codename: 'bookworm', kernel: '6.1.0-28-amd64' },
  { distro: 'Ubuntu', release: '22.04.5 LTS', codename: 'jammy', kernel: '5.15.0-126-generic' },
  { distro: 'Ubuntu', release: '24.04.1 LTS', codename: 'noble', kernel: '6.8.0-49-generic' },
];
const GB = 1024 ** 3;

const hex = (random: () => number, digits: number) => Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');

/** Mounted file systems; `round` 1 is the delta round, when free space has moved. */
function fileSystems(plan: FleetPlan, machine: number, diskBytes: number, round: number): HardwareInstance[] {
  const random = seededRandom(mix(plan.seed, 6, machine));
  const mounts = [
    { mount: '/', share: 0.3 },
    { mount: '/boot/efi', share: 0 },
    { mount: '/home', share: 0.6 },
    { mount: '/var', share: 0.1 },
  ].slice(0, int(random, 2, 4));
  return mounts.map(({ mount, share }) => {
    const sizeBytes = mount === '/boot/efi' ? 536_870_912 : Math.round(diskBytes * share);
    const used = Math.round(sizeBytes * (0.2 + random() * 0.6) * (1 + round * 0.01));
    return { mount, fsType: mount === '/boot/efi' ? 'vfat' : 'ext4', sizeBytes, usedBytes: used, availableBytes: sizeBytes - used };
  });
}

/** Machine `machine`'s hardware classes at its full inventory. */
export function machineHardware(plan: FleetPlan, machine: number, name: string): HardwareClasses {
  const random = seededRandom(mix(plan.seed, 5, machine));
  const manufacturer = pick(random, Object.keys(MODELS));
  const os = pick(random, OS);
  const diskBytes = pick(random, [256, 512, 1024, 2048]) * GB;
  const modules = pick(random, [1, 2, 2, 4]);
  const moduleBytes = pick(random, [8, 16, 32]) * GB;
  const mac = () => Array.from({ length: 6 }, (_, i) => (i === 0 ? '02' : hex(random, 2))).join(':');
  const address = `10.${int(random, 0, 255)}.${int(random, 0, 255)}.${int(random, 1, 254)}`;
  return {
    system: [
      {
        manufacturer,
        model: pick(random, MODELS[manufacturer]),
        serial: hex(random, 10).toUpperCase(),
        uuid: `${hex(random, 8)}-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 12)}`,
      },
    ],
    bios: [{ vendor: manufacturer, version: `${int(random, 1, 2)}.${int(random, 0, 30)}.${int(random, 0, 9)}`, releaseDate: '2024-03-12' }],
    operatingSystem: [{ distro: os.distro, release: os.release, codename: os.codename, kernel: os.kernel, arch: 'x64', hostname: name }],
    processor: [
      {
        manufacturer: 'Intel',
        brand: pick(random, ['Core i5-1345U', 'Core i7-13700', 'Xeon Silver 4314']),
        cores: pick(random, [4, 8, 16]),
        physicalCores: pick(random, [4, 8]),
        speedGhz: 2.1,
      },
    ],
    memory: Array.from({ length: modules }, (_, bank) => ({ bank: `BANK ${bank}`, sizeBytes: moduleBytes, type: 'DDR4', clockSpeedMhz: 3200 })),
    disk: [{ device: '/dev/nvme0n1', type: 'NVMe', name: 'Samsung SSD 980', sizeBytes: diskBytes, serial: hex(random, 12).toUpperCase() }],
    fileSystem: fileSystems(plan, machine, diskBytes, 0),
    networkAdapter: [{ iface: 'eno1', mac: mac(), ip4: address, ip6: `fe80::${hex(random, 4)}:${hex(random, 4)}`, speedMbps: 1000 }],
    loggedOnUser: random() < 0.6 ? [{ user: `user${machine}`, tty: 'tty2', date: '2026-11-30' }] : [],
  };
}

/** The hardware classes the delta round changes (each whole): free space moves on every machine. */
export function machineHardwareDelta(plan: FleetPlan, machine: number, full: HardwareClasses): HardwareClasses {
  const diskBytes = Number(full.disk?.[0]?.sizeBytes ?? 0);
  return { fileSystem: fileSystems(plan, machine, diskBytes, 1) };
}

/** A version-4-shaped UUID for a machine's report of a round, so every process of the run agrees on it. */
export function reportId(runId: string, machine: number, round: 'full' | 'delta'): string {
  const h = createHash('md5').update(`${runId}:${machine}:${round}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Machine `machine`'s first report: its whole inventory, as version 1. */
export function machineFullReport(options: {
  catalog: FleetCatalog;
  plan: FleetPlan;
  runId: string;
  machine: number;
  deviceId: number;
  name: string;
}): FullInventoryReport {
  const { catalog, plan, machine } = options;
  return {
    kind: 'full',
    reportId: reportId(options.runId, machine, 'full'),
    deviceId: options.deviceId,
    version: 1,
    collectedAt: new Date(plan.collectedAt).toISOString(),
    hardware: machineHardware(plan, machine, options.name),
    software: { source: 'dpkg', packages: softwareRows(catalog, machineSoftware(catalog, plan, machine)) },
  };
}

/** Machine `machine`'s delta round, based on `baseVersion` (the version the site acknowledged for its full report). */
export function machineDeltaReport(options: {
  catalog: FleetCatalog;
  plan: FleetPlan;
  runId: string;
  machine: number;
  deviceId: number;
  name: string;
  baseVersion: number;
}): DeltaInventoryReport {
  const { catalog, plan, machine } = options;
  const software = machineSoftware(catalog, plan, machine);
  const delta = machineDelta(catalog, plan, machine, software);
  return {
    kind: 'delta',
    reportId: reportId(options.runId, machine, 'delta'),
    deviceId: options.deviceId,
    version: options.baseVersion + 1,
    baseVersion: options.baseVersion,
    collectedAt: new Date(plan.collectedAt + 3_600_000).toISOString(),
    hardware: machineHardwareDelta(plan, machine, machineHardware(plan, machine, options.name)),
    software: {
      source: 'dpkg',
      added: softwareRows(catalog, { products: delta.added, installedOn: delta.addedOn }),
      removed: softwareKeys(catalog, delta.removed),
    },
  };
}
