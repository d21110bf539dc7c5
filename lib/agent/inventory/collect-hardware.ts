import si from 'systeminformation';
import {
  hardwareClassNames,
  hardwareInstanceSchema,
  MAX_CLASS_INSTANCES,
  type HardwareClasses,
  type HardwareClassName,
  type HardwareInstance,
} from '../../protocol/inventory.schema';

/** What one collection found: every class (empty when it could not be read) and which classes failed. */
export interface HardwareCollection {
  classes: Required<HardwareClasses>;
  /** Classes that could not be collected this time; a delta leaves them as last reported. */
  failed: HardwareClassName[];
}

type Value = string | number | boolean | null;
const MB = 1024 * 1024;

/** Text as the protocol carries it; the placeholders firmware and tools print for "unknown" become null. */
function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = String(value)
    .replace(/[\u0000-\u001f]/g, ' ')
    .trim()
    .slice(0, 1024);
  return s === '' || s === '-' || s === 'Unknown' ? null : s;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const mb = (bytes: unknown) => (num(bytes) === null ? null : Math.round((bytes as number) / MB));

/** Drops null properties: an instance says only what is known. */
function instance(record: Record<string, Value>): HardwareInstance {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null && v !== '')) as HardwareInstance;
}

/** File systems that hold no files of the machine's own (kernel views, container layers, RAM disks). */
const PSEUDO_FILE_SYSTEMS = new Set([
  'tmpfs',
  'devtmpfs',
  'overlay',
  'squashfs',
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'devpts',
  'mqueue',
  'debugfs',
  'tracefs',
  'securityfs',
  'pstore',
  'bpf',
  'autofs',
  'hugetlbfs',
  'fusectl',
  'configfs',
  'binfmt_misc',
  'nsfs',
  'ramfs',
  'efivarfs',
]);

/**
 * Free and used space move a little all the time; reported to 1/1000 of the volume's size (at
 * least 1 MB), a file system shows up in a delta when its use really moved, not on every cycle.
 */
function coarse(valueMb: number | null, sizeMb: number | null): number | null {
  if (valueMb === null) return null;
  const step = Math.max(1, Math.round((sizeMb ?? 0) / 1000));
  return Math.round(valueMb / step) * step;
}

/**
 * Whether the machine is virtual, and on what. systeminformation recognises hypervisors by their
 * firmware names and messages, which many clouds' machines do not carry, and names a container
 * "Docker Container" without calling it virtual; the CPU's `hypervisor` flag, which every x86
 * hypervisor sets for its guests, and the container settle both.
 */
export function virtualization(found: { virtual?: boolean; virtualHost?: string; model?: string; cpuFlags: string }): {
  virtual: boolean;
  virtualHost: string | null;
} {
  const container = found.model === 'Docker Container';
  const hypervisor = found.cpuFlags.split(/\s+/).includes('hypervisor');
  return {
    virtual: Boolean(found.virtual) || container || hypervisor,
    virtualHost: text(found.virtualHost) ?? (container ? 'Docker' : null),
  };
}

/** Each class's collector: systeminformation call(s) mapped to flat, run-to-run stable records. */
const collectors: Record<HardwareClassName, () => Promise<Record<string, Value>[]>> = {
  system: async () => {
    const [s, flags] = await Promise.all([si.system(), si.cpuFlags().catch(() => '')]);
    return [
      {
        manufacturer: text(s.manufacturer),
        model: text(s.model),
        version: text(s.version),
        serial: text(s.serial),
        uuid: text(s.uuid),
        sku: text(s.sku),
        ...virtualization({ virtual: s.virtual, virtualHost: s.virtualHost, model: s.model, cpuFlags: flags }),
      },
    ];
  },
  bios: async () => {
    const b = await si.bios();
    return [{ vendor: text(b.vendor), version: text(b.version), releaseDate: text(b.releaseDate), revision: text(b.revision) }];
  },
  operatingSystem: async () => {
    const o = await si.osInfo();
    return [
      {
        platform: text(o.platform),
        distro: text(o.distro),
        release: text(o.release),
        codename: text(o.codename),
        kernel: text(o.kernel),
        arch: text(o.arch),
        hostname: text(o.hostname),
        fqdn: text(o.fqdn),
        uefi: o.uefi ?? null,
      },
    ];
  },
  processor: async () => {
    const c = await si.cpu();
    // One instance per CPU package; cores are spread evenly over them.
    const packages = Math.max(1, num(c.processors) ?? 1);
    // The rated speed: the current one moves with frequency scaling.
    const speed = num(c.speedMax) || num(c.speed) || null;
    return Array.from({ length: packages }, (_, i) => ({
      socket: i,
      manufacturer: text(c.manufacturer),
      brand: text(c.brand),
      family: text(c.family),
      model: text(c.model),
      cores: Math.round((num(c.cores) ?? 0) / packages) || null,
      physicalCores: Math.round((num(c.physicalCores) ?? 0) / packages) || null,
      speedGHz: speed === null ? null : Math.round(speed * 100) / 100,
    }));
  },
  memory: async () => {
    const [m, modules] = await Promise.all([si.mem(), si.memLayout().catch(() => [])]);
    const total: Record<string, Value> = { kind: 'total', totalMb: mb(m.total), swapMb: mb(m.swaptotal) };
    // Memory modules as the firmware lists them (dmidecode; needs root, and virtual machines often have none).
    const list = modules
      .filter((d) => num(d.size))
      .map((d) => ({
        kind: 'module',
        bank: text(d.bank),
        sizeMb: mb(d.size),
        type: text(d.type),
        clockSpeed: num(d.clockSpeed) || null,
        formFactor: text(d.formFactor),
        manufacturer: text(d.manufacturer),
        partNumber: text(d.partNum),
        serial: text(d.serialNum),
      }));
    return [total, ...list];
  },
  disk: async () =>
    (await si.diskLayout()).map((d) => ({
      name: text(d.device),
      type: text(d.type),
      sizeMb: mb(d.size),
      vendor: text(d.vendor),
      model: text(d.name),
      serial: text(d.serialNum),
      interfaceType: text(d.interfaceType),
    })),
  fileSystem: async () =>
    (await si.fsSize())
      // The root is kept whatever it is (a container's root is an overlay).
      .filter((f) => f.mount === '/' || !PSEUDO_FILE_SYSTEMS.has(f.type))
      .map((f) => {
        const sizeMb = mb(f.size);
        return {
          mount: text(f.mount),
          device: text(f.fs),
          type: text(f.type),
          sizeMb,
          usedMb: coarse(mb(f.used), sizeMb),
          freeMb: coarse(mb(f.available), sizeMb),
        };
      }),
  networkAdapter: async () =>
    (await si.networkInterfaces())
      .filter((n) => !n.internal && n.iface !== 'lo')
      .map((n) => ({
        iface: text(n.iface),
        mac: text(n.mac),
        ipv4: text(n.ip4),
        ipv4Subnet: text(n.ip4subnet),
        ipv6: text(n.ip6),
        type: text(n.type),
        virtual: n.virtual,
        // -1 and null: the driver does not say (virtual adapters).
        speedMbps: num(n.speed) !== null && (n.speed as number) > 0 ? n.speed : null,
        mtu: num(n.mtu),
        dhcp: n.dhcp,
      })),
  loggedOnUser: async () =>
    (await si.users()).map((u) => ({
      user: text(u.user),
      tty: text(u.tty),
      date: text(u.date),
      time: text(u.time),
      ip: text(u.ip),
    })),
};

/** Instances in a fixed order, so the same machine collects the same list twice. */
function stableOrder(list: HardwareInstance[]): HardwareInstance[] {
  return list
    .map((r) => ({ r, key: JSON.stringify(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ r }) => r);
}

/**
 * Collects the hardware inventory with systeminformation. Each class is collected on its own and
 * within `timeoutMs`: one that fails or hangs (a missing tool, no permission) is reported empty
 * and named in `failed`, never failing the whole inventory.
 */
export async function collectHardware(options: { timeoutMs?: number } = {}): Promise<HardwareCollection> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const results = await Promise.all(
    hardwareClassNames.map(async (name) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const records = await Promise.race([
          collectors[name](),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${name} took longer than ${timeoutMs} ms`)), timeoutMs);
            timer.unref?.();
          }),
        ]);
        const instances = records
          .map(instance)
          // An instance with nothing known (a virtual machine's empty BIOS) says nothing.
          .filter((r) => Object.keys(r).length > 0 && hardwareInstanceSchema.safeParse(r).success)
          .slice(0, MAX_CLASS_INSTANCES);
        return { name, instances: stableOrder(instances), ok: true };
      } catch {
        return { name, instances: [] as HardwareInstance[], ok: false };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const classes = Object.fromEntries(hardwareClassNames.map((n) => [n, [] as HardwareInstance[]])) as Required<HardwareClasses>;
  const failed: HardwareClassName[] = [];
  for (const r of results) {
    classes[r.name] = r.instances;
    if (!r.ok) failed.push(r.name);
  }
  return { classes, failed };
}
