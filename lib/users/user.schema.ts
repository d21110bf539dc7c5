import { z } from 'zod';
import { rawText, requiredText, safeText } from '../validation/primitives';
import { newPasswordSchema } from '../auth/password.schema';
import { roles } from '../auth/roles';

export const userNameSchema = z
  .string()
  .trim()
  .min(2, 'must be at least 2 characters')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9._@-]+$/, 'may contain letters, digits, dot, underscore, @ and hyphen');

export const createUserSchema = z.object({
  userName: userNameSchema,
  displayName: safeText(128).default(''),
  role: z.enum(roles),
  /** Omit to have a one-time password generated and shown once. */
  password: newPasswordSchema.optional(),
});

export const updateUserSchema = z
  .object({
    displayName: safeText(128).optional(),
    role: z.enum(roles).optional(),
    disabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');

export const changeOwnPasswordSchema = z.object({
  currentPassword: rawText(256).min(1, 'is required'),
  newPassword: newPasswordSchema,
});

export const signInSchema = z.object({
  userName: requiredText(64),
  password: rawText(256).min(1, 'is required'),
});

export type CreateUserInput = z.infer<typeof createUserSchema>;
export type UpdateUserInput = z.infer<typeof updateUserSchema>;
