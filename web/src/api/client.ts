// The one way the UI talks to the API: typed from schema.d.ts (generated from /api/openapi.json), sends the
// session's CSRF token on every write, and turns application/problem+json into an ApiError that carries the
// code, detail, request id and the invalid fields, so forms can show each message beside its input.
import type { paths } from './schema';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    readonly requestId: string | null = null,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ApiError';
  }

  /** Field errors keyed by the field name without its `body.` / `query.` / `path.` prefix. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) {
      const key = e.field.replace(/^(body|query|path|header)\./, '');
      out[key] = out[key] ? `${out[key]}; ${e.message}` : e.message;
    }
    return out;
  }
}

let csrfToken: string | null = null;
/** Remembered from the login response or GET /api/v1/auth/session. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Unauthorized = () => void;
let onUnauthenticated: Unauthorized | null = null;
/** Called when a request answers 401 after sign-in (the session expired): the app shows the login page. */
export function setUnauthenticatedHandler(fn: Unauthorized | null): void {
  onUnauthenticated = fn;
}

// ---- types derived from the generated schema --------------------------------------------------------------

type OpOf<P extends keyof paths, M extends Method> = paths[P] extends { [K in M]: infer O }
  ? NonNullable<O>
  : never;
export type PathsWith<M extends Method> = {
  [P in keyof paths]: [OpOf<P, M>] extends [never] ? never : P;
}[keyof paths];

type ParamsOf<O> = O extends { parameters: infer Pm } ? Pm : Record<string, never>;
type QueryOf<O> =
  ParamsOf<O> extends { query?: infer Q } ? ([Q] extends [never | undefined] ? never : Q) : never;
type PathOf<O> =
  ParamsOf<O> extends { path?: infer Q } ? ([Q] extends [never | undefined] ? never : Q) : never;
type JsonBodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type ContentOf<R> = R extends { content: { 'application/json': infer C } }
  ? C
  : R extends { content: infer C2 }
    ? C2[keyof C2]
    : null;
type ResponsesOf<O> = O extends { responses: infer R } ? R : never;
type SuccessOf<O> =
  ResponsesOf<O> extends infer R
    ? 200 extends keyof R
      ? ContentOf<R[200]>
      : 201 extends keyof R
        ? ContentOf<R[201]>
        : 202 extends keyof R
          ? ContentOf<R[202]>
          : null
    : never;

export type ResponseOf<P extends keyof paths, M extends Method> = SuccessOf<OpOf<P, M>>;
export type BodyOf<P extends keyof paths, M extends Method> = JsonBodyOf<OpOf<P, M>>;
export type QueryParamsOf<P extends keyof paths, M extends Method> = QueryOf<OpOf<P, M>>;

export interface RequestOptions<P extends keyof paths, M extends Method> {
  path?: PathOf<OpOf<P, M>>;
  query?: QueryOf<OpOf<P, M>> | Record<string, unknown>;
  body?: JsonBodyOf<OpOf<P, M>>;
  /** Multipart or other raw bodies (document upload, CSV import). */
  rawBody?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

// ---- the request function -------------------------------------------------------------------------------

/** Fills `{id}` placeholders and appends the query string (skipping empty values). */
export function buildUrl(template: string, pathParams?: object, query?: object): string {
  let url = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const v = (pathParams as Record<string, unknown> | undefined)?.[name];
    if (v === undefined || v === null) throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(String(v));
  });
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue;
      if (Array.isArray(v)) for (const item of v) qs.append(k, String(item));
      else qs.set(k, String(v));
    }
    const s = qs.toString();
    if (s) url += `${url.includes('?') ? '&' : '?'}${s}`;
  }
  return url;
}

export async function request<P extends keyof paths & string, M extends Method>(
  method: M,
  path: P,
  opts: RequestOptions<P, M> = {},
): Promise<ResponseOf<P, M>> {
  const url = buildUrl(path, opts.path as object | undefined, opts.query as object | undefined);
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    ...opts.headers,
  };
  let body: BodyInit | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (method !== 'get' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, {
      method: method.toUpperCase(),
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
  }
  if (!res.ok) throw await problemFrom(res, path);
  if (res.status === 204) return null as ResponseOf<P, M>;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) return (await res.json()) as ResponseOf<P, M>;
  return (await res.text()) as unknown as ResponseOf<P, M>;
}

async function problemFrom(res: Response, path: string): Promise<ApiError> {
  const requestId = res.headers.get('x-request-id');
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const p = (await res.json()) as Record<string, unknown>;
      const { code, detail, errors, requestId: rid, type: _t, title, status: _s, instance: _i, ...extra } = p;
      const err = new ApiError(
        res.status,
        typeof code === 'string' ? code : `http_${res.status}`,
        typeof detail === 'string' ? detail : typeof title === 'string' ? title : res.statusText,
        Array.isArray(errors) ? (errors as FieldError[]) : [],
        typeof rid === 'string' ? rid : requestId,
        extra,
      );
      if (res.status === 401 && path !== '/api/v1/auth/login' && path !== '/api/v1/auth/session')
        onUnauthenticated?.();
      return err;
    } catch {
      // fall through to the generic error
    }
  }
  return new ApiError(
    res.status,
    `http_${res.status}`,
    `${res.status} ${res.statusText || 'error'}`,
    [],
    requestId,
  );
}

export const api = {
  get: <P extends PathsWith<'get'> & string>(path: P, opts?: RequestOptions<P, 'get'>) =>
    request('get', path, opts),
  post: <P extends PathsWith<'post'> & string>(path: P, opts?: RequestOptions<P, 'post'>) =>
    request('post', path, opts),
  put: <P extends PathsWith<'put'> & string>(path: P, opts?: RequestOptions<P, 'put'>) =>
    request('put', path, opts),
  patch: <P extends PathsWith<'patch'> & string>(path: P, opts?: RequestOptions<P, 'patch'>) =>
    request('patch', path, opts),
  delete: <P extends PathsWith<'delete'> & string>(path: P, opts?: RequestOptions<P, 'delete'>) =>
    request('delete', path, opts),
};

/** Turns any thrown value into an ApiError (for rendering). */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'client', err instanceof Error ? err.message : String(err));
}
