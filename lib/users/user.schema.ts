import { z } from 'zod';
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
  displayName: z.string().trim().max(128).default(''),
  role: z.enum(roles),
  /** Omit to have a one-time password generated and shown once. */
  password: newPasswordSchema.optional(),
});

export const updateUserSchema = z
  .object({
    displayName: z.string().trim().max(128).optional(),
    role: z.enum(roles).optional(),
    disabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');

export const changeOwnPasswordSchema = z.object({
  currentPassword: z.string().min(1, 'is required').max(256),
  newPassword: newPasswordSchema,
});

export const signInSchema = z.object({
  userName: z.string().trim().min(1, 'is required').max(64),
  password: z.string().min(1, 'is required').max(256),
});

export type CreateUserInput = z.infer<typeof createUserSchema>;
export type UpdateUserInput = z.infer<typeof updateUserSchema>;
