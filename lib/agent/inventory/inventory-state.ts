import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { plural } from '../../plural';
import { writeFileAtomic } from '../write-file-atomic';
import { hardwareClassesSchema, softwareRowSchema, softwareSourceSchema } from '../../protocol/inventory.schema';

/** The three cycles the inventory client runs. */
export type InventoryTask = 'hardware' | 'software' | 'discovery';

const isoTime = z.iso.datetime();

/** What the inventory client keeps in the agent's state folder between runs. */
export const inventoryStateSchema = z.object({
  /** The version the next report takes. */
  nextVersion: z.number().int().min(1).default(1),
  /**
   * The inventory as of the last report spooled (the site holds it once the spool is sent, as
   * reports are sent in order): the base of the next delta. Null: the next report is full.
   */
  snapshot: z
    .object({
      version: z.number().int().min(1),
      hardware: hardwareClassesSchema,
      software: z.object({ source: softwareSourceSchema.nullable(), packages: z.array(softwareRowSchema) }),
    })
    .nullable()
    .default(null),
  /** The last version the site acknowledged (202 or 200). */
  acknowledgedVersion: z.number().int().nullable().default(null),
  /** When each cycle last ran (a report spooled, a heartbeat recorded): a restart does not run them again early. */
  lastRun: z.object({ hardware: isoTime.optional(), software: isoTime.optional(), discovery: isoTime.optional() }).default({}),
  /** A resync asked for in policy was answered with a full report; cleared once policy stops asking. */
  resyncAnswered: z.boolean().default(false),
});
export type InventoryState = z.infer<typeof inventoryStateSchema>;

export const emptyInventoryState = (): InventoryState => inventoryStateSchema.parse({});

/**
 * The saved state, or a fresh one when there is none or it cannot be read (the next report is then
 * full); `onUnreadable` hears why a file that is there could not be used.
 */
export async function readInventoryState(file: string, onUnreadable?: (reason: string) => void): Promise<InventoryState> {
  try {
    const parsed = inventoryStateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (parsed.success) return parsed.data;
    onUnreadable?.(parsed.error.issues[0]?.message ?? 'not an inventory state');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onUnreadable?.(error instanceof Error ? error.message : String(error));
  }
  return emptyInventoryState();
}

/** Writes the state atomically (temporary file, flushed, renamed). */
export async function writeInventoryState(file: string, state: InventoryState): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(state));
}

const utcMinute = (iso: string | undefined) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never');

/**
 * What `sitebox-agent status` says of inventory: the packages of the last report (the system's
 * and the snaps), whether the site has that report yet, and when each cycle last ran.
 */
export function describeInventoryState(state: InventoryState): string {
  const { snapshot, acknowledgedVersion, lastRun } = state;
  const cycles = `software inventoried ${utcMinute(lastRun.software)}, hardware ${utcMinute(lastRun.hardware)}`;
  if (!snapshot) return `no report yet (the next one is full); ${cycles}`;
  const snaps = snapshot.software.packages.filter((row) => row[4] === 'snap').length;
  const system = snapshot.software.packages.length - snaps;
  const packages = `${plural(system, 'package')}${snapshot.software.source ? ` (${snapshot.software.source})` : ''}${snaps ? ` and ${plural(snaps, 'snap')}` : ''}`;
  const site =
    acknowledgedVersion !== null && acknowledgedVersion >= snapshot.version
      ? `report ${snapshot.version}, which the site has`
      : `report ${snapshot.version} waiting to be sent (the site has ${acknowledgedVersion === null ? 'none' : `report ${acknowledgedVersion}`})`;
  return `${packages}; ${site}; ${cycles}`;
}
