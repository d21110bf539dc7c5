import { z } from 'zod';
import { rawText } from '../validation/primitives';

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
  z.object({
    field: z.literal('lastSeenWithinDays'),
    value: z
      .number('must be a number of days')
      .int('must be a whole number of days')
      .min(1, 'must be 1 to 3650 days')
      .max(3650, 'must be 1 to 3650 days'),
  }),
  z.object({ field: z.literal('online'), value: z.boolean() }),
]);

export const queryRuleSchema = z.object({
  match: z.enum(['all', 'any']).default('all'),
  conditions: z.array(deviceConditionSchema).min(1).max(50),
});

export type DeviceCondition = z.infer<typeof deviceConditionSchema>;
export type QueryRule = z.infer<typeof queryRuleSchema>;
