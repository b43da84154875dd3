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
    mustChangePassword: z
      .boolean()
      .describe(
        'The password was generated or set by an administrator; the user must choose their own before doing anything else.',
      ),
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

const limitSchema = z.coerce.number().int().min(1).max(200).default(50);
const cursorSchema = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe('Opaque cursor from the previous page (nextCursor).');
const idParams = z.object({ id: z.string().min(1).max(100) });

export { idParams };

// Users ---------------------------------------------------------------------------------------------------

export const userListQuerySchema = z.object({
  role: roleSchema.optional(),
  status: z.enum(['active', 'disabled']).optional(),
  q: z.string().trim().min(1).max(200).optional().describe('Part of the name or email (case-insensitive).'),
  limit: limitSchema,
  cursor: cursorSchema,
});

export const userListSchema = z
  .object({ data: z.array(userSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'UserList' });

export const createUserBodySchema = z.object({
  email: z.string().trim().min(3).max(254),
  name: z.string().trim().min(1).max(200),
  role: roleSchema,
  password: z
    .string()
    .max(1024)
    .optional()
    .describe(
      'Leave out to generate a one-time password (returned once; the user must replace it at first sign-in).',
    ),
  partnerId: z
    .string()
    .min(1)
    .max(100)
    .nullable()
    .optional()
    .describe('Required for partner users; the partner they belong to.'),
});

export const createdUserSchema = z
  .object({
    user: userSchema,
    oneTimePassword: z
      .string()
      .nullable()
      .describe('The generated password, shown only in this response; null when a password was given.'),
  })
  .meta({ id: 'CreatedUser' });

export const updateUserBodySchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  role: roleSchema.optional(),
  partnerId: z.string().min(1).max(100).nullable().optional(),
});

export const setPasswordBodySchema = z.object({
  password: z.string().min(1).max(1024),
});

export const changeOwnPasswordBodySchema = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(1).max(1024),
});

// API keys ------------------------------------------------------------------------------------------------

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    partnerId: z.string().nullable(),
    prefix: z
      .string()
      .describe('The first characters of the key, to recognise it; the key itself is never shown again.'),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const apiKeyListQuerySchema = z.object({
  status: z.enum(['active', 'revoked']).optional(),
  limit: limitSchema,
  cursor: cursorSchema,
});

export const apiKeyListSchema = z
  .object({ data: z.array(apiKeySchema), nextCursor: z.string().nullable() })
  .meta({ id: 'ApiKeyList' });

export const createApiKeyBodySchema = z.object({
  name: z.string().trim().min(1).max(200).describe('What system will use the key.'),
  role: roleSchema,
  partnerId: z.string().min(1).max(100).nullable().optional(),
});

export const createdApiKeySchema = z
  .object({
    apiKey: apiKeySchema,
    key: z
      .string()
      .describe('The key, shown only in this response. Send it as "Authorization: Bearer <key>".'),
  })
  .meta({ id: 'CreatedApiKey' });

// Roles ---------------------------------------------------------------------------------------------------

export const rolesSchema = z
  .object({
    roles: z.array(z.object({ role: roleSchema, editable: z.boolean(), permissions: z.array(z.string()) })),
    permissions: z.array(z.object({ name: z.string(), description: z.string() })),
    grants: z
      .record(z.string(), z.array(z.string()))
      .describe('The grant matrix: for each role, the permissions it has.'),
  })
  .meta({ id: 'Roles' });

export const roleParams = z.object({ role: z.string().min(1).max(50) });

export const setRolePermissionsBodySchema = z.object({
  permissions: z
    .array(z.string().max(100))
    .max(500)
    .describe('The full list of permissions the role will have.'),
});

export const rolePermissionsSchema = z
  .object({
    role: roleSchema,
    permissions: z.array(z.string()),
    added: z.array(z.string()),
    removed: z.array(z.string()),
  })
  .meta({ id: 'RolePermissions' });
