import { z } from 'zod';

/** Marks, embeddings, overrides and isolates: in a name they would turn the text printed after it backwards. */
export const DIRECTION_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

export const directionControlsMessage = 'must not hold text direction controls (such as a right-to-left override)';

/**
 * A site's name as it is configured (SITEBOX_SITE_NAME) and as a child reports it to its parent:
 * printable text without direction controls, since it is shown among other text in headers, lists
 * and other sites' consoles. Apart from primitives.ts, so the configuration reads it without the
 * console's wording of zod's messages.
 */
export const siteNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must be printable text')
  .refine((name) => !DIRECTION_CONTROLS.test(name), directionControlsMessage);
