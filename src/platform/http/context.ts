import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../auth/actor.ts';
import { AppError } from '../errors.ts';

/** The acting user or key of a request that passed the access guard. */
export function ctxOf(req: FastifyRequest): RequestContext {
  if (!req.actor) throw new AppError('unauthenticated');
  return { actor: req.actor, requestId: String(req.id), ip: req.ip };
}
