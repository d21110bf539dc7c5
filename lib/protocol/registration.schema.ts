import { z } from 'zod';
import { requiredText, safeText } from '../validation/primitives';

const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'must be an IPv4 address');

/** What a client agent says about itself when it registers with a management point. */
export const registerDeviceSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(63, 'must be at most 63 characters')
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'must be a computer name: letters, digits and hyphens'),
  domain: safeText(255).optional(),
  osName: requiredText(128),
  osVersion: requiredText(64),
  osKind: z.enum(['WORKSTATION', 'SERVER']),
  ipAddress: ipv4.optional(),
  macAddress: z
    .string()
    .regex(/^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/, 'must be a MAC address like 00:11:22:AA:BB:CC')
    .optional(),
  clientVersion: requiredText(32),
});

export type RegisterDeviceInput = z.infer<typeof registerDeviceSchema>;
