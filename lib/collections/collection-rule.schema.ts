import { z } from 'zod';
import { INT4_MAX, rawText } from '../validation/primitives';
import { versionOps } from './package-version';

const cidr = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/, 'must be an IPv4 subnet such as 10.1.0.0/16')
  .refine(
    (v) =>
      v
        .split('/')[0]
        .split('.')
        .every((o) => Number(o) <= 255),
    'octets must be 0-255',
  );

// Messages read after the property's label in the form ("Operating system: needs a value").
const text = rawText(256).min(1, 'needs a value');

const days = z
  .number('must be a number of days')
  .int('must be a whole number of days')
  .min(1, 'must be 1 to 3650 days')
  .max(3650, 'must be 1 to 3650 days');

/** Megabytes as the inventory stores them (an int4 column). */
const megabytes = z
  .number('must be a number of MB')
  .int('must be a whole number of MB')
  .min(0, 'must be 0 or more MB')
  .max(INT4_MAX, `must be at most ${INT4_MAX} MB`);

/** A package name as dpkg and rpm write it: no spaces. */
const packageName = rawText(256).min(1, 'needs a package name').regex(/^\S*$/, 'a package name has no spaces');

/** "with version < 2.0": compared by the package manager's own ordering (lib/collections/package-version.ts). */
const packageVersion = z.object({
  op: z.enum(versionOps, 'must be one of <, <=, =, >=, >'),
  value: rawText(256).min(1, 'needs a version to compare with').regex(/^\S*$/, 'a version has no spaces (e.g. 1:2.3-1)'),
});

/** One condition of a query rule, on a device property. */
export const deviceConditionSchema = z.discriminatedUnion('field', [
  z.object({
    field: z.literal('name'),
    /** `*` matches any run of characters, `?` one character; case-insensitive. */
    pattern: text,
  }),
  z.object({ field: z.literal('osName'), op: z.enum(['equals', 'contains']), value: text }),
  z.object({ field: z.literal('osKind'), value: z.enum(['WORKSTATION', 'SERVER']) }),
  z.object({ field: z.literal('siteCode'), value: z.string().regex(/^[A-Z0-9]{3}$/, 'must be a 3-character site code') }),
  z.object({ field: z.literal('ipSubnet'), value: cidr }),
  z.object({ field: z.literal('lastSeenWithinDays'), value: days }),
  z.object({ field: z.literal('online'), value: z.boolean() }),
  /** Text (is, starts with) or version order (`22.04` < `22.10`, `10` > `9`). */
  z.object({ field: z.literal('osVersion'), op: z.enum(['equals', 'startsWith', '<', '<=', '>=', '>']), value: text }),
  z.object({ field: z.literal('memoryMb'), op: z.enum(['>=', '<=']), value: megabytes }),
  /** Free space of the system volume. */
  z.object({ field: z.literal('diskFreeMb'), op: z.enum(['>=', '<=']), value: megabytes }),
  z.object({ field: z.literal('model'), op: z.enum(['equals', 'contains']), value: text }),
  z.object({ field: z.literal('manufacturer'), op: z.enum(['equals', 'contains']), value: text }),
  /** Has the package (name case-insensitive), optionally in a version range. */
  z.object({ field: z.literal('software'), name: packageName, version: packageVersion.optional() }),
  /** Has no package of that name (in that version range, when given). */
  z.object({ field: z.literal('notSoftware'), name: packageName, version: packageVersion.optional() }),
  /**
   * Client activity as Client Status counts it: a policy request, heartbeat discovery record or
   * hardware inventory within the last `days` days (active), or none of them (inactive).
   */
  z.object({ field: z.literal('clientActivity'), value: z.enum(['active', 'inactive']), days }),
]);

export const queryRuleSchema = z.object({
  match: z.enum(['all', 'any']).default('all'),
  conditions: z.array(deviceConditionSchema).min(1).max(50),
});

export type DeviceCondition = z.infer<typeof deviceConditionSchema>;
/** A condition on installed software (has / has not). */
export type SoftwareCondition = Extract<DeviceCondition, { field: 'software' | 'notSoftware' }>;
export type QueryRule = z.infer<typeof queryRuleSchema>;
