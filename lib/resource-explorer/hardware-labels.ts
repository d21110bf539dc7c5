/**
 * Readable labels and values for hardware inventory, as Resource Explorer shows it. Agents name
 * properties in camelCase with the unit as a suffix (`sizeBytes`, `totalMb`, `speedMhz`); the
 * label drops the unit and the value carries it.
 */

// Maps, not object literals: an agent names its properties, and `constructor` or `toString` must
// not find Object's own members.
const classLabels = new Map<string, string>(
  Object.entries({
    system: 'System',
    bios: 'BIOS',
    operatingSystem: 'Operating system',
    processor: 'Processors',
    memory: 'Memory',
    disk: 'Disks',
    fileSystem: 'File systems',
    networkAdapter: 'Network adapters',
    loggedOnUser: 'Logged-on users',
  }),
);

// Words kept as their usual capitals.
const acronyms = new Map<string, string>(
  Object.entries({
    bios: 'BIOS',
    cpu: 'CPU',
    dhcp: 'DHCP',
    dns: 'DNS',
    fqdn: 'FQDN',
    fs: 'FS',
    gpu: 'GPU',
    id: 'ID',
    ip: 'IP',
    ipv4: 'IPv4',
    ipv6: 'IPv6',
    mac: 'MAC',
    mtu: 'MTU',
    os: 'OS',
    ram: 'RAM',
    sku: 'SKU',
    smart: 'SMART',
    ssd: 'SSD',
    tty: 'TTY',
    uefi: 'UEFI',
    usb: 'USB',
    uuid: 'UUID',
    vm: 'VM',
  }),
);

type Unit = 'bytes' | 'kb' | 'mb' | 'gb' | 'mhz' | 'ghz' | 'mbps' | 'percent';
const unitSuffixes: [RegExp, Unit][] = [
  [/Bytes$/, 'bytes'],
  [/Kb$|KB$/, 'kb'],
  [/Mb$|MB$/, 'mb'],
  [/Gb$|GB$/, 'gb'],
  [/Mhz$|MHz$/, 'mhz'],
  [/Ghz$|GHz$/, 'ghz'],
  [/Mbps$/, 'mbps'],
  [/Percent$|Pct$/, 'percent'],
];

function unitOf(property: string): { unit: Unit | null; stem: string } {
  for (const [suffix, unit] of unitSuffixes) {
    // A property that is only a unit ("bytes") keeps its name.
    if (suffix.test(property) && property.replace(suffix, '') !== '') return { unit, stem: property.replace(suffix, '') };
  }
  return { unit: null, stem: property };
}

/** "Operating system" for `operatingSystem`; a class the console does not know is spelled out the same way. */
export function hardwareClassLabel(className: string): string {
  return classLabels.get(className) ?? words(className);
}

/** "Serial number" for `serialNumber`, "Size" for `sizeBytes`, "MAC address" for `macAddress`. */
export function propertyLabel(property: string): string {
  return words(unitOf(property).stem);
}

function words(camel: string): string {
  const parts = camel
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_]+/)
    .filter(Boolean)
    .map((w) => acronyms.get(w.toLowerCase()) ?? w.toLowerCase());
  if (!parts.length) return camel;
  const [first, ...rest] = parts;
  return [first === first.toLowerCase() ? first[0].toUpperCase() + first.slice(1) : first, ...rest].join(' ');
}

const number = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

/** "512 MB", "15.6 GB", "1.8 TB": megabytes in the largest unit that keeps a number of at least 1. */
export function formatMegabytes(mb: number | null | undefined): string {
  if (mb === null || mb === undefined) return '—';
  return formatBytes(mb * 1024 * 1024);
}

/** Bytes as B, KB, MB, GB or TB (powers of 1024, as operating systems show sizes). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${number.format(value)} ${units[i]}`;
}

/** An instance's own value of a property (another instance's `constructor` is not Object's here), or undefined. */
export function instanceValue(instance: Readonly<Record<string, string | number | boolean | null>>, property: string) {
  return Object.hasOwn(instance, property) ? instance[property] : undefined;
}

/** A property's value as text, in its unit when the name carries one. */
export function formatPropertyValue(property: string, value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string') return value;
  switch (unitOf(property).unit) {
    case 'bytes':
      return formatBytes(value);
    case 'kb':
      return formatBytes(value * 1024);
    case 'mb':
      return formatMegabytes(value);
    case 'gb':
      return formatBytes(value * 1024 ** 3);
    case 'mhz':
      return value >= 1000 ? `${number.format(value / 1000)} GHz` : `${number.format(value)} MHz`;
    case 'ghz':
      return `${number.format(value)} GHz`;
    case 'mbps':
      return value >= 1000 ? `${number.format(value / 1000)} Gbit/s` : `${number.format(value)} Mbit/s`;
    case 'percent':
      return `${number.format(value)} %`;
    default:
      // As reported: a year, a build number or a port reads wrong with thousands separators.
      return String(value);
  }
}
