import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SESSION_COOKIE } from '../../platform/auth/authenticate.ts';
import { permissionsFor } from '../../platform/auth/grants.ts';
import { AppError } from '../../platform/errors.ts';
import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import {
  apiKeyListQuerySchema,
  apiKeyListSchema,
  apiKeySchema,
  changeOwnPasswordBodySchema,
  createApiKeyBodySchema,
  createdApiKeySchema,
  createdUserSchema,
  createUserBodySchema,
  idParams,
  loginBodySchema,
  roleParams,
  rolePermissionsSchema,
  rolesSchema,
  sessionSchema,
  setPasswordBodySchema,
  setRolePermissionsBodySchema,
  updateUserBodySchema,
  userListQuerySchema,
  userListSchema,
  userSchema,
} from './access.schemas.ts';
import { createApiKey, login, logout, presentUser } from './access.service.ts';
import { listApiKeys, revokeApiKey } from './api-keys.service.ts';
import { rolesOverview, setRolePermissions } from './roles.service.ts';
import {
  changeOwnPassword,
  createUserByAdmin,
  disableUser,
  enableUser,
  getUser,
  listUsers,
  setUserPassword,
  updateUser,
} from './users.service.ts';

const reasonBodySchema = z
  .object({ reason: z.string().trim().max(1000).optional().describe('Why (kept in the audit log).') })
  .nullish()
  .describe('Optional; may be left out.');

function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string, expiresAt: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    // req.protocol honours X-Forwarded-Proto only when PARTNERDESK_TRUST_PROXY=true.
    secure: req.protocol === 'https',
    expires: new Date(expiresAt),
  });
}

export async function accessRoutes(app: App, deps: Deps): Promise<void> {
  const { store, config } = deps;

  // Sign-in and sessions ---------------------------------------------------------------------------------

  app.post(
    '/api/v1/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password (sets the session cookie)',
        body: loginBodySchema,
        response: { 200: sessionSchema },
      },
    },
    async (req, reply) => {
      const result = await login(
        store,
        {
          email: req.body.email,
          password: req.body.password,
          ip: req.ip,
          userAgent: req.headers['user-agent'] ?? null,
          previousToken: req.cookies[SESSION_COOKIE] ?? null,
        },
        config.sessionAbsoluteHours,
      );
      setSessionCookie(req, reply, result.token, result.expiresAt);
      const permissions = result.user.mustChangePassword
        ? []
        : [...(await permissionsFor(store.db, result.user.role))].sort();
      return { user: result.user, permissions, csrfToken: result.csrfToken, via: 'session' as const };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: 'End the current session', response: { 204: z.null() } },
    },
    async (req, reply) => {
      if (!req.sessionId)
        throw new AppError('bad_request', 'API keys have no session to end; revoke the key instead.');
      await logout(store, ctxOf(req), req.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/session',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Who am I: the signed-in user, permissions and CSRF token',
        response: { 200: sessionSchema },
      },
    },
    async (req) => {
      const actor = ctxOf(req).actor;
      if (actor.type === 'api_key') {
        const key = await store.db
          .selectFrom('api_keys')
          .selectAll()
          .where('id', '=', actor.id)
          .executeTakeFirstOrThrow();
        return {
          user: {
            id: key.id,
            email: '',
            name: key.name,
            role: actor.role,
            status: 'active' as const,
            partnerId: key.partner_id,
            lastLoginAt: key.last_used_at,
            mustChangePassword: false,
            createdAt: key.created_at,
            updatedAt: key.created_at,
          },
          permissions: [...actor.permissions].sort(),
          csrfToken: null,
          via: 'api_key' as const,
        };
      }
      const user = await store.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', actor.id)
        .executeTakeFirstOrThrow();
      return {
        user: presentUser(user),
        permissions: [...actor.permissions].sort(),
        csrfToken: req.csrfToken,
        via: 'session' as const,
      };
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary:
          'Change your own password (with the current one); ends your other sessions and renews this one',
        body: changeOwnPasswordBodySchema,
        response: { 200: sessionSchema },
      },
    },
    async (req, reply) => {
      const result = await changeOwnPassword(
        store,
        ctxOf(req),
        {
          sessionId: req.sessionId,
          currentPassword: req.body.currentPassword,
          newPassword: req.body.newPassword,
          userAgent: req.headers['user-agent'] ?? null,
        },
        config.sessionAbsoluteHours,
      );
      setSessionCookie(req, reply, result.token, result.expiresAt);
      const permissions = [...(await permissionsFor(store.db, result.user.role))].sort();
      return { user: result.user, permissions, csrfToken: result.csrfToken, via: 'session' as const };
    },
  );

  // Users ------------------------------------------------------------------------------------------------

  app.get(
    '/api/v1/users',
    {
      config: { access: 'users.read' },
      schema: {
        tags: ['users'],
        summary: 'List users (filter by role and status, search by name or email)',
        querystring: userListQuerySchema,
        response: { 200: userListSchema },
      },
    },
    async (req) => listUsers(store, ctxOf(req).actor, req.query),
  );

  app.get(
    '/api/v1/users/:id',
    {
      config: { access: 'users.read' },
      schema: { tags: ['users'], summary: 'One user', params: idParams, response: { 200: userSchema } },
    },
    async (req) => getUser(store, ctxOf(req).actor, req.params.id),
  );

  app.post(
    '/api/v1/users',
    {
      config: { access: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: 'Create a user (with a password, or a generated one-time password returned once)',
        body: createUserBodySchema,
        response: { 201: createdUserSchema },
      },
    },
    async (req, reply) => {
      const result = await createUserByAdmin(store, ctxOf(req), req.body);
      return reply.code(201).send(result);
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: { access: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: "Change a user's name, role or partner",
        params: idParams,
        body: updateUserBodySchema,
        response: { 200: userSchema },
      },
    },
    async (req) => updateUser(store, ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/api/v1/users/:id/disable',
    {
      config: { access: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: 'Disable a user: their sessions end at once',
        params: idParams,
        body: reasonBodySchema,
        response: { 200: userSchema },
      },
    },
    async (req) => disableUser(store, ctxOf(req), req.params.id, req.body?.reason || null),
  );

  app.post(
    '/api/v1/users/:id/enable',
    {
      config: { access: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: 'Enable a disabled user',
        params: idParams,
        body: reasonBodySchema,
        response: { 200: userSchema },
      },
    },
    async (req) => enableUser(store, ctxOf(req), req.params.id, req.body?.reason || null),
  );

  app.post(
    '/api/v1/users/:id/password',
    {
      config: { access: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: "Set a user's password: their sessions end and they must choose a new one at sign-in",
        params: idParams,
        body: setPasswordBodySchema,
        response: { 200: userSchema },
      },
    },
    async (req) => setUserPassword(store, ctxOf(req), req.params.id, req.body.password),
  );

  // API keys ---------------------------------------------------------------------------------------------

  app.get(
    '/api/v1/api-keys',
    {
      config: { access: 'apikeys.manage' },
      schema: {
        tags: ['api-keys'],
        summary: 'List API keys (never the key itself)',
        querystring: apiKeyListQuerySchema,
        response: { 200: apiKeyListSchema },
      },
    },
    async (req) => listApiKeys(store, ctxOf(req).actor, req.query),
  );

  app.post(
    '/api/v1/api-keys',
    {
      config: { access: 'apikeys.manage' },
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key (the key is in this response only)',
        body: createApiKeyBodySchema,
        response: { 201: createdApiKeySchema },
      },
    },
    async (req, reply) => {
      const result = await createApiKey(store, ctxOf(req), req.body);
      return reply.code(201).send(result);
    },
  );

  app.post(
    '/api/v1/api-keys/:id/revoke',
    {
      config: { access: 'apikeys.manage' },
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key: it stops working at once',
        params: idParams,
        body: reasonBodySchema,
        response: { 200: apiKeySchema },
      },
    },
    async (req) => revokeApiKey(store, ctxOf(req), req.params.id, req.body?.reason || null),
  );

  // Roles ------------------------------------------------------------------------------------------------

  app.get(
    '/api/v1/roles',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['roles'],
        summary: 'Roles, every permission with its description, and which role has which',
        response: { 200: rolesSchema },
      },
    },
    async () => rolesOverview(store),
  );

  app.put(
    '/api/v1/roles/:role/permissions',
    {
      config: { access: 'roles.manage' },
      schema: {
        tags: ['roles'],
        summary: "Replace a role's permissions with the given full list (not the admin role)",
        params: roleParams,
        body: setRolePermissionsBodySchema,
        response: { 200: rolePermissionsSchema },
      },
    },
    async (req) => setRolePermissions(store, ctxOf(req), req.params.role, req.body.permissions),
  );
}
