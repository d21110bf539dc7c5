import { z } from 'zod';
import { int4, rawText, requiredText, safeDate, safeText } from '../validation/primitives';

/** The kinds of value a script parameter takes; each reaches the script as text. */
export const parameterTypes = ['string', 'integer', 'boolean', 'choice'] as const;
export type ParameterType = (typeof parameterTypes)[number];

const compiles = (pattern: string) => {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
};

/**
 * One typed parameter. Its name is also the environment variable the script reads it from
 * (SITEBOX_PARAM_<name>), so it keeps to letters, digits and underscores.
 */
export const scriptParameterSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'must start with a letter and hold only letters, digits and underscores (at most 63)'),
    type: z.enum(parameterTypes),
    description: safeText(200).default(''),
    required: z.boolean().default(false),
    /** string: a regular expression the whole value must match. */
    pattern: rawText(500)
      .refine((p) => compiles(p), 'is not a valid regular expression')
      .optional(),
    /** string: the longest value accepted. */
    maxLength: int4(1, 65536).optional(),
    /** integer: the smallest and largest value accepted. */
    min: z.number().int('must be a whole number').safe().optional(),
    max: z.number().int('must be a whole number').safe().optional(),
    /** choice: the values offered. */
    choices: z.array(requiredText(200)).max(100, 'at most 100 choices').optional(),
  })
  .superRefine((p, ctx) => {
    if (p.type === 'choice' && !p.choices?.length)
      ctx.addIssue({ code: 'custom', path: ['choices'], message: 'a choice parameter needs at least one choice' });
    if (p.min !== undefined && p.max !== undefined && p.min > p.max)
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'must not be below min' });
  });
export type ScriptParameter = z.infer<typeof scriptParameterSchema>;

export const MAX_SCRIPT_BYTES = 256 * 1024;
export const MAX_TIMEOUT_SECONDS = 24 * 60 * 60;

export const scriptInputSchema = z
  .object({
    name: requiredText(100),
    description: safeText(1000).default(''),
    /** The bash text, byte for byte as the agent will run it. */
    body: rawText(MAX_SCRIPT_BYTES).refine((b) => b.trim().length > 0, 'is required'),
    parameters: z.array(scriptParameterSchema).max(30, 'at most 30 parameters').default([]),
    timeoutSeconds: int4(1, MAX_TIMEOUT_SECONDS).default(300),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.parameters.forEach((p, i) => {
      const key = p.name.toUpperCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['parameters', i, 'name'], message: 'is already used by another parameter' });
      seen.add(key);
    });
  });
export type ScriptInput = z.infer<typeof scriptInputSchema>;

/**
 * An edit: the script as it is to be saved and, from the console, the version it was made from
 * (`updatedAt` as read), so a form opened before someone else's save never overwrites it unseen.
 */
export const scriptEditSchema = scriptInputSchema.safeExtend({ baseUpdatedAt: safeDate().optional() });
export type ScriptEdit = z.infer<typeof scriptEditSchema>;

/**
 * Approving names the hash the approver read, so text changed meanwhile is never approved unseen,
 * and, from the console, the version read (`updatedAt`): an edit of the parameters' rules or the
 * timeout keeps the hash but is not what the approver read either.
 */
export const approveScriptSchema = z.object({
  contentHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be the 64-character SHA-256 of the script text'),
  baseUpdatedAt: safeDate().optional(),
});

/** A script as the console lists it. */
export interface ScriptRow {
  id: number;
  name: string;
  description: string;
  body: string;
  parameters: ScriptParameter[];
  timeoutSeconds: number;
  contentHash: string;
  authorIds: number[];
  createdBy: string;
  updatedBy: string;
  /** Set only while the approved hash equals the current text's. */
  approval: { by: string; at: string } | null;
  createdAt: string;
  updatedAt: string;
}
