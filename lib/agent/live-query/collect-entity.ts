import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import si from 'systeminformation';
import { liveQueryEntities } from '../../live-query/entities';
import type { Row } from '../../live-query/evaluate-query';
import { listSoftware } from '../inventory/list-software';
import { processRows } from './process-rows';

const run = promisify(execFile);
const GB = 1024 ** 3;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** systemctl's unit list (`--plain --no-legend`): UNIT LOAD ACTIVE SUB DESCRIPTION…, one per line. */
export function parseSystemctlUnits(text: string): Row[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 4 && parts[0].endsWith('.service'))
    .map(([name, , active, sub, ...description]) => ({ name, active, sub, description: description.join(' ') }));
}

async function services(): Promise<Row[]> {
  try {
    const { stdout } = await run('systemctl', ['list-units', '--type=service', '--all', '--plain', '--no-legend', '--no-pager'], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return parseSystemctlUnits(stdout);
  } catch {
    // No systemd here (a container, say): no services to list.
    return [];
  }
}

async function file(path: string, signal?: AbortSignal): Promise<Row[]> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return [{ path, exists: info !== null, size: info ? info.size : null, sha256: null }];
  const hash = createHash('sha256');
  // A large file takes long to hash: a cancel (or the agent's stop) ends the reading. Some files
  // (/proc/kmsg, tracing's trace_pipe) wait for data on a read that no cancel interrupts, holding a
  // thread of the agent's small pool for good: opened non-blocking, such a read answers EAGAIN at
  // once; a file on disk ignores the flag.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    for await (const chunk of handle.createReadStream({ signal })) hash.update(chunk as Buffer);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') throw new Error(`${path} gives data as it comes rather than content to hash`);
    throw error;
  }
  return [{ path, exists: true, size: info.size, sha256: hash.digest('hex') }];
}

const collectors: Record<string, (argument: string | null, signal?: AbortSignal) => Promise<Row[]>> = {
  async os() {
    const [os, time] = await Promise.all([si.osInfo(), Promise.resolve(si.time())]);
    return [
      { hostname: os.hostname, distro: os.distro, release: os.release, kernel: os.kernel, arch: os.arch, uptimeSeconds: Math.round(time.uptime) },
    ];
  },
  async processes() {
    const fromProc = await processRows();
    if (fromProc) return fromProc;
    const { list } = await si.processes();
    return list.map((p) => ({
      pid: p.pid,
      name: p.name,
      user: p.user,
      cpu: round(p.cpu),
      memoryMb: round(p.memRss / 1024),
      command: `${p.command} ${p.params}`.trim(),
    }));
  },
  services,
  async ports() {
    return (await si.networkConnections()).map((c) => ({
      protocol: c.protocol,
      localAddress: c.localAddress,
      localPort: Number(c.localPort) || null,
      peerAddress: c.peerAddress,
      peerPort: Number(c.peerPort) || null,
      state: c.state,
      pid: c.pid || null,
      process: c.process,
    }));
  },
  async disks() {
    return (await si.fsSize()).map((d) => ({
      mount: d.mount,
      fs: d.fs,
      type: d.type,
      sizeGb: round(d.size / GB, 2),
      usedGb: round(d.used / GB, 2),
      freeGb: round(d.available / GB, 2),
      usePercent: round(d.use),
    }));
  },
  async users() {
    return (await si.users()).map((u) => ({ user: u.user, terminal: u.tty, host: u.ip, since: `${u.date} ${u.time}`.trim() }));
  },
  async packages() {
    const { source, packages } = await listSoftware();
    return packages.map(([name, version, arch]) => ({ name, version, arch, source }));
  },
  file: (argument, signal) => file(argument ?? '', signal),
};

/**
 * An entity's rows as this machine has them, each with exactly the entity's columns (a value the
 * machine cannot tell is null), for the agent to run a live query over.
 */
export async function collectEntity(entity: string, argument: string | null, signal?: AbortSignal): Promise<Row[]> {
  const definition = liveQueryEntities[entity];
  const collect = collectors[entity];
  if (!definition || !collect) throw new Error(`unknown live query entity ${entity}`);
  const rows = await collect(argument, signal);
  const columns = Object.keys(definition.columns);
  return rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null])));
}
