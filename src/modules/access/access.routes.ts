import { z } from 'zod';
import { SESSION_COOKIE } from '../../platform/auth/authenticate.ts';
import { permissionsFor } from '../../platform/auth/grants.ts';
import { AppError } from '../../platform/errors.ts';
import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import { login, logout, presentUser } from './access.service.ts';
import { loginBodySchema, sessionSchema } from './access.schemas.ts';

export async function accessRoutes(app: App, deps: Deps): Promise<void> {
  const { store, config } = deps;

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
      reply.setCookie(SESSION_COOKIE, result.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: req.protocol === 'https',
        expires: new Date(result.expiresAt),
      });
      const permissions = await permissionsFor(store.db, result.user.role);
      return { user: result.user, permissions: [...permissions].sort(), csrfToken: result.csrfToken, via: 'session' as const };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: 'End the current session', response: { 204: z.null() } },
    },
    async (req, reply) => {
      if (!req.sessionId) throw new AppError('bad_request', 'API keys have no session to end; revoke the key instead.');
      await logout(store, ctxOf(req), req.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/session',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: 'Who am I: the signed-in user, permissions and CSRF token', response: { 200: sessionSchema } },
    },
    async (req) => {
      const actor = ctxOf(req).actor;
      if (actor.type === 'api_key') {
        const key = await store.db.selectFrom('api_keys').selectAll().where('id', '=', actor.id).executeTakeFirstOrThrow();
        return {
          user: {
            id: key.id,
            email: '',
            name: key.name,
            role: actor.role,
            status: 'active' as const,
            partnerId: key.partner_id,
            lastLoginAt: key.last_used_at,
            createdAt: key.created_at,
            updatedAt: key.created_at,
          },
          permissions: [...actor.permissions].sort(),
          csrfToken: null,
          via: 'api_key' as const,
        };
      }
      const user = await store.db.selectFrom('users').selectAll().where('id', '=', actor.id).executeTakeFirstOrThrow();
      return { user: presentUser(user), permissions: [...actor.permissions].sort(), csrfToken: req.csrfToken, via: 'session' as const };
    },
  );
}
