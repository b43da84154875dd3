// One error envelope for the whole API: RFC 9457 problem+json with a stable `code` from a closed list
// and, for invalid input, an `errors` list naming each field and why.
export const ERROR_CODES = {
  validation_failed: { status: 422, title: 'The request is not valid' },
  bad_request: { status: 400, title: 'The request cannot be read' },
  unauthenticated: { status: 401, title: 'Sign in or send an API key' },
  forbidden: { status: 403, title: 'You are not allowed to do this' },
  csrf_failed: { status: 403, title: 'The CSRF token is missing or wrong' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  gone: { status: 410, title: 'Gone' },
  payload_too_large: { status: 413, title: 'The request is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  too_many_requests: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Something went wrong on our side' },
  unavailable: { status: 503, title: 'The service is not available' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  /** Dotted path of the field (`body.email`, `query.limit`, `row 4: email`). */
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly errors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message ?? ERROR_CODES[code].title);
    this.status = ERROR_CODES[code].status;
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found.`);
export const forbidden = (why = 'You do not have the permission this needs.') => new AppError('forbidden', why);
export const conflict = (why: string, extra?: Record<string, unknown>) => new AppError('conflict', why, [], extra);
export const invalid = (errors: FieldError[], message = 'Some fields are not valid.') =>
  new AppError('validation_failed', message, errors);
export const invalidField = (field: string, message: string) => invalid([{ field, message }], message);

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [k: string]: unknown;
}

export function toProblem(err: AppError, requestId?: string): Problem {
  return {
    type: `https://partnerdesk.dev/problems/${err.code}`,
    title: ERROR_CODES[err.code].title,
    status: err.status,
    code: err.code,
    detail: err.message,
    ...(requestId ? { requestId } : {}),
    ...(err.errors.length > 0 ? { errors: err.errors } : {}),
    ...err.extra,
  };
}
