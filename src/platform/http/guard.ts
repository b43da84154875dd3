// The access guard: runs before any body is read. Every route must declare `config.access`; a route without
// one is denied (and the route-table test fails the build). Cookie-authenticated writes must carry the
// session's CSRF token in the X-CSRF-Token header.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorFromApiKey, actorFromSession, SESSION_COOKIE } from '../auth/authenticate.ts';
import { safeEqual } from '../auth/tokens.ts';
import { AppError } from '../errors.ts';
import { sendProblem } from './errors.ts';
import type { Deps } from './types.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function accessGuard(deps: Deps) {
  const { db } = deps.store;
  return async function guard(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    req.actor = null;
    req.csrfToken = null;
    req.sessionId = null;
    if (req.is404) return;
    const access = req.routeOptions.config?.access;
    if (!access) {
      req.log.error({ route: req.routeOptions.url }, 'route declares no access rule; denied by default');
      return sendProblem(reply, new AppError('forbidden', 'This route has no access rule, so it is closed.'));
    }

    const auth = req.headers.authorization;
    let viaSession = false;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      req.actor = m?.[1] ? await actorFromApiKey(db, m[1]) : null;
      if (!req.actor && access !== 'public') {
        return sendProblem(reply, new AppError('unauthenticated', 'The API key is unknown or revoked.'));
      }
    } else {
      const token = req.cookies?.[SESSION_COOKIE];
      if (token) {
        const session = await actorFromSession(db, token, deps.config.sessionIdleMinutes);
        if (session) {
          const { sessionId, csrfToken, ...actor } = session;
          req.actor = actor;
          req.sessionId = sessionId;
          req.csrfToken = csrfToken;
          viaSession = true;
        } else {
          reply.clearCookie(SESSION_COOKIE, { path: '/' });
        }
      }
    }

    if (access === 'public') return;
    if (!req.actor) {
      return sendProblem(reply, new AppError('unauthenticated', 'Sign in, or send an API key as "Authorization: Bearer <key>".'));
    }
    if (viaSession && !SAFE_METHODS.has(req.method)) {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !req.csrfToken || !safeEqual(sent, req.csrfToken)) {
        req.log.warn({ actor: req.actor.id, route: req.routeOptions.url }, 'csrf check failed');
        return sendProblem(reply, new AppError('csrf_failed', 'Send the X-CSRF-Token header from GET /api/v1/auth/session.'));
      }
    }
    if (access === 'authenticated') return;
    if (!req.actor.permissions.has(access)) {
      req.log.warn(
        { denied: true, actor: req.actor.id, role: req.actor.role, permission: access, route: req.routeOptions.url, method: req.method },
        'access denied',
      );
      return sendProblem(reply, new AppError('forbidden', `Your role (${req.actor.role}) does not have the "${access}" permission.`));
    }
  };
}
