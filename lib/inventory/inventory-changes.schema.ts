import { z } from 'zod';

/**
 * What one loaded inventory report changed on its device, stored in inventory_report.changes and
 * shown in Resource Explorer's history. The first report of a device is a `baseline` (everything
 * is new, so nothing is listed one by one); a full report after a resync lists its differences
 * from what the site held, exactly like a delta.
 */
export const hardwareClassChangeSchema = z.object({
  className: z.string(),
  change: z.enum(['added', 'removed', 'changed']),
  /** Instances before and after. */
  before: z.number().int(),
  after: z.number().int(),
});

const packageRef = z.object({ name: z.string(), version: z.string(), arch: z.string() });

export const inventoryChangesSchema = z.object({
  baseline: z.boolean(),
  hardware: z.array(hardwareClassChangeSchema),
  software: z.object({
    added: z.array(packageRef),
    removed: z.array(packageRef),
    /** A package of the same name and architecture whose version changed (removed + added, paired). */
    upgraded: z.array(z.object({ name: z.string(), arch: z.string(), from: z.string(), to: z.string() })),
  }),
});
export type InventoryChanges = z.infer<typeof inventoryChangesSchema>;
