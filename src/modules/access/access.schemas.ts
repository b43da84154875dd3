import { z } from 'zod';
import { ROLES } from '../../platform/auth/permissions.ts';

export const roleSchema = z.enum(ROLES);

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: roleSchema,
    status: z.enum(['active', 'disabled']),
    partnerId: z.string().nullable(),
    lastLoginAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'User' });

export const loginBodySchema = z.object({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(1024),
});

export const sessionSchema = z
  .object({
    user: userSchema,
    permissions: z.array(z.string()),
    csrfToken: z.string().nullable().describe('Send as X-CSRF-Token on every cookie-authenticated write.'),
    via: z.enum(['session', 'api_key']),
  })
  .meta({ id: 'Session' });
