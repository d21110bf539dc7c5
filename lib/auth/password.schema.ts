import { rawText } from '../validation/primitives';

/** The console's password rule: long rather than complicated. */
export const newPasswordSchema = rawText(256).min(12, 'must be at least 12 characters');
