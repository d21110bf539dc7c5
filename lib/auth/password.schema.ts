import { z } from 'zod';

/** The console's password rule: long rather than complicated. */
export const newPasswordSchema = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(256, 'must be at most 256 characters');
