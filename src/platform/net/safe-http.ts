// Outbound HTTP that cannot be pointed at our own network (SSRF). A destination is resolved once, every
// address it resolves to is checked against the blocked ranges (ip-ranges.ts), and the connection goes to
// the address that was checked: the socket's `lookup` is pinned to it, while the Host header and the TLS
// server name (SNI, certificate check) keep the original host name. A DNS answer that changes between the
// check and the connection (DNS rebinding) therefore changes nothing. Redirects are never followed (a 3xx
// is reported as a failure), the connection must open within 5 s and the whole exchange finish within 10 s,
// and at most 4 KB of the answer is read. `allowPrivateNetwork` (PARTNERDESK_ALLOW_PRIVATE_NETWORK=true)
// switches the range check off for installations whose partners sit on the same private network.
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { classifyAddress } from './ip-ranges.ts';

export type NetErrorKind = 'invalid_url' | 'refused_private' | 'dns' | 'timeout' | 'connection' | 'redirect';

export interface NetError {
  kind: NetErrorKind;
  message: string;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses. Injected in tests to play DNS without a network. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const all = await dnsLookup(hostname, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_TOTAL_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024;

export interface DestinationOptions {
  allowPrivateNetwork: boolean;
  resolve?: Resolver;
  /** How long the name lookup may take (default 5 s). */
  timeoutMs?: number;
}

export interface Destination {
  url: URL;
  /** Host name without IPv6 brackets. */
  hostname: string;
  port: number;
  /** Every address the name resolved to (each one checked). */
  addresses: ResolvedAddress[];
  /** The address the connection goes to. */
  pinned: ResolvedAddress;
}

export class NetRefusal extends Error {
  constructor(
    readonly kind: NetErrorKind,
    message: string,
  ) {
    super(message);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Parses the URL (http or https, no credentials) without resolving anything. */
export function parseOutboundUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new NetRefusal('invalid_url', 'is not a valid URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NetRefusal(
      'invalid_url',
      `uses the ${url.protocol.replace(/:$/, '')} scheme; only http and https are allowed.`,
    );
  }
  if (url.username || url.password) {
    throw new NetRefusal(
      'invalid_url',
      'contains credentials (user:password@); put a token in the query or use the signing secret.',
    );
  }
  if (!url.hostname) throw new NetRefusal('invalid_url', 'has no host.');
  return url;
}

/**
 * Resolves the URL's host once and checks every address. Throws NetRefusal (kind invalid_url, dns or
 * refused_private) when the destination may not be called. Used at save time and before each connection.
 */
export async function resolveDestination(text: string, opts: DestinationOptions): Promise<Destination> {
  const url = parseOutboundUrl(text);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  let addresses: ResolvedAddress[];
  const literal = isIP(hostname);
  const bare = hostname.toLowerCase().replace(/\.$/, '');
  if (!opts.allowPrivateNetwork && (bare === 'localhost' || bare.endsWith('.localhost'))) {
    // RFC 6761: localhost names are loopback whatever a resolver says; refused without asking one.
    throw new NetRefusal(
      'refused_private',
      `${hostname} is a loopback name; only public internet addresses are allowed.`,
    );
  }
  if (literal) {
    addresses = [{ address: hostname, family: literal === 6 ? 6 : 4 }];
  } else {
    const resolve = opts.resolve ?? systemResolver;
    try {
      addresses = await withTimeout(
        resolve(hostname),
        opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        () =>
          new NetRefusal(
            'dns',
            `${hostname} did not resolve within ${Math.round((opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000)} s.`,
          ),
      );
    } catch (err) {
      if (err instanceof NetRefusal) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new NetRefusal('dns', `${hostname} does not resolve${code ? ` (${code})` : ''}.`);
    }
    if (addresses.length === 0) throw new NetRefusal('dns', `${hostname} does not resolve to any address.`);
  }
  if (!opts.allowPrivateNetwork) {
    for (const a of addresses) {
      const verdict = classifyAddress(a.address);
      if (verdict.blocked) {
        throw new NetRefusal(
          'refused_private',
          `${hostname} resolves to ${a.address}, a ${verdict.reason} address; only public internet addresses are allowed.`,
        );
      }
    }
  }
  return { url, hostname, port, addresses, pinned: addresses[0] as ResolvedAddress };
}

export interface SafeRequest {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | null;
  allowPrivateNetwork: boolean;
  resolve?: Resolver;
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
  maxResponseBytes?: number;
}

export interface SafeResponse {
  /** The answer's status code, or null when none arrived. */
  statusCode: number | null;
  headers: http.IncomingHttpHeaders;
  /** The start of the answer body (at most maxResponseBytes, decoded as UTF-8). */
  body: string;
  /** The address the request went to (null when it was refused before connecting). */
  address: string | null;
  latencyMs: number;
  /** Why the exchange failed at the transport level (a non-2xx status alone is not an error here; a 3xx is). */
  error: NetError | null;
}

function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

function connectionMessage(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'the connection was refused';
  if (code === 'ECONNRESET') return 'the connection was reset';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'the host is unreachable';
  if (
    code.startsWith('ERR_TLS') ||
    code.includes('CERT') ||
    code.includes('SELF_SIGNED') ||
    code.includes('SSL')
  ) {
    return `TLS failed (${code})`;
  }
  return `${err.message}${code ? ` (${code})` : ''}`;
}

/** Sends one request under the SSRF rules. Never throws: every outcome is described in the result. */
export async function safeRequest(req: SafeRequest): Promise<SafeResponse> {
  const started = performance.now();
  const totalMs = req.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS;
  const connectMs = req.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const maxBytes = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const elapsed = () => Math.round(performance.now() - started);
  const fail = (kind: NetErrorKind, message: string, address: string | null = null): SafeResponse => ({
    statusCode: null,
    headers: {},
    body: '',
    address,
    latencyMs: elapsed(),
    error: { kind, message },
  });

  let dest: Destination;
  try {
    dest = await resolveDestination(req.url, {
      allowPrivateNetwork: req.allowPrivateNetwork,
      ...(req.resolve ? { resolve: req.resolve } : {}),
      timeoutMs: Math.min(connectMs, totalMs),
    });
  } catch (err) {
    if (err instanceof NetRefusal) return fail(err.kind, err.message);
    return fail('dns', (err as Error).message);
  }

  const body = req.body ?? null;
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  for (const k of Object.keys(headers))
    if (k.toLowerCase() === 'host' || k.toLowerCase() === 'content-length') delete headers[k];
  headers.host = dest.url.host;
  if (body !== null) headers['content-length'] = String(Buffer.byteLength(body));
  const isHttps = dest.url.protocol === 'https:';
  const options: https.RequestOptions = {
    protocol: dest.url.protocol,
    hostname: dest.hostname,
    port: dest.port,
    path: `${dest.url.pathname}${dest.url.search}`,
    method: req.method,
    headers,
    agent: false, // a fresh socket to the pinned address; never a pooled one
    lookup: pinnedLookup(dest.pinned),
    ...(isHttps && !isIP(dest.hostname) ? { servername: dest.hostname } : {}),
  };

  return new Promise<SafeResponse>((resolve) => {
    let settled = false;
    let statusCode: number | null = null;
    let resHeaders: http.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let size = 0;
    let readEnough = false;
    // Set when we cut the exchange short (a timeout); wins over whatever the streams report afterwards.
    let abortReason: NetError | null = null;
    const timers: NodeJS.Timeout[] = [];
    const finish = (error: NetError | null) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      const text = Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
      let err = abortReason ?? error;
      if (!err && statusCode !== null && statusCode >= 300 && statusCode < 400) {
        const location = resHeaders.location;
        err = {
          kind: 'redirect',
          message: `answered ${statusCode}${location ? ` pointing to ${String(location).slice(0, 200)}` : ''}; redirects are not followed`,
        };
      }
      resolve({
        statusCode,
        headers: resHeaders,
        body: text,
        address: dest.pinned.address,
        latencyMs: elapsed(),
        error: err,
      });
      request.destroy();
    };
    const abort = (reason: NetError) => {
      if (settled) return;
      abortReason = reason;
      request.destroy();
      finish(reason);
    };

    const request = (isHttps ? https : http).request(options, (res) => {
      statusCode = res.statusCode ?? null;
      resHeaders = res.headers;
      res.on('data', (chunk: Buffer) => {
        if (readEnough) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size >= maxBytes) {
          // Enough to judge the answer; the rest is not read.
          readEnough = true;
          finish(null);
          res.destroy();
        }
      });
      res.on('end', () => finish(null));
      res.on('error', () => undefined);
      res.on('close', () => {
        if (!res.complete && !readEnough) {
          finish({ kind: 'connection', message: 'the connection closed before the answer was complete' });
        } else finish(null);
      });
    });
    request.on('error', (err: NodeJS.ErrnoException) => {
      finish({ kind: 'connection', message: connectionMessage(err) });
    });
    const remaining = Math.max(1, totalMs - elapsed());
    timers.push(
      setTimeout(
        () =>
          abort({ kind: 'timeout', message: `no complete answer within ${Math.round(totalMs / 1000)} s` }),
        remaining,
      ),
    );
    const connectTimer = setTimeout(
      () =>
        abort({
          kind: 'timeout',
          message: `the connection did not open within ${Math.round(connectMs / 1000)} s`,
        }),
      Math.min(connectMs, remaining),
    );
    timers.push(connectTimer);
    request.on('socket', (socket) => {
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    if (body !== null) request.end(body);
    else request.end();
  });
}
