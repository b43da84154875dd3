// Every error leaves the server as application/problem+json. Known errors keep their status and name the
// invalid fields; anything unexpected is logged with its request id and shown as a generic 500.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode, type FieldError, toProblem } from '../errors.ts';

const CONTEXT_NAMES: Record<string, string> = { querystring: 'query', body: 'body', params: 'path', headers: 'header' };

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'bad_request',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'bad_request',
  431: 'bad_request',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

/** The headers and body of a problem answer (sendProblem and the hot path send the same). */
export function problemParts(err: AppError, requestId: string): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json; charset=utf-8' };
  // 429 and 503 say when to come back (the body carries the same number).
  if (typeof err.extra.retryAfterSeconds === 'number') headers['retry-after'] = String(err.extra.retryAfterSeconds);
  return { headers, body: JSON.stringify(toProblem(err, requestId)) };
}

export function sendProblem(reply: FastifyReply, err: AppError): FastifyReply {
  const { headers, body } = problemParts(err, String(reply.request.id));
  return reply.code(err.status).headers(headers).send(body);
}

export function toAppError(error: unknown, req: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  const err = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = CONTEXT_NAMES[err.validationContext ?? 'body'] ?? 'body';
    const errors: FieldError[] = err.validation.map((v) => {
      const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
      return { field: path ? `${where}.${path}` : where, message: v.message ?? 'is not valid' };
    });
    return new AppError('validation_failed', `The ${where} has ${errors.length} invalid field(s).`, errors);
  }
  if (isResponseSerializationError(err)) {
    req.log.error({ err, issues: err.cause?.issues }, 'response did not match its schema');
    return new AppError('internal');
  }
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = STATUS_CODES[status] ?? 'bad_request';
    const message =
      err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
        ? 'The body is not valid JSON.'
        : err.message || undefined;
    return new AppError(code, message);
  }
  req.log.error({ err }, 'unhandled error');
  return internalError(String(req.id));
}

/** What an unexpected error shows (it is logged with the request id first). */
export function internalError(requestId: string): AppError {
  return new AppError('internal', `Something went wrong on our side. Quote request id ${requestId} when reporting it.`);
}
