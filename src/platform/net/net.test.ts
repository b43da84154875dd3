// The SSRF wall: blocked ranges, ~30 payloads that try to reach this machine (a canary listener on
// 127.0.0.1 must see 0 connections), pinning of the checked address (DNS rebinding), Host and SNI kept,
// redirects not followed, timeouts and the 4 KB read limit. Only 127.0.0.1 (and 127.0.0.2) is ever called.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAddress, parseIPv6, type Resolver, resolveDestination, safeRequest } from './index.ts';
import { type Receiver, startReceiver } from './testing/receiver.ts';

const fixed = (...answers: string[][]): Resolver & { calls: string[] } => {
  const calls: string[] = [];
  const fn = (async (host: string) => {
    calls.push(host);
    const list = answers[Math.min(calls.length - 1, answers.length - 1)] ?? [];
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) as const);
  }) as Resolver & { calls: string[] };
  fn.calls = calls;
  return fn;
};

describe('blocked address ranges', () => {
  it.each([
    ['0.0.0.0', true],
    ['0.1.2.3', true],
    ['10.0.0.1', true],
    ['10.255.255.255', true],
    ['100.64.0.1', true],
    ['100.127.255.255', true],
    ['100.128.0.1', false],
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['169.254.169.254', true],
    ['168.63.129.16', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.0.0.8', true],
    ['192.0.2.10', true],
    ['192.168.1.1', true],
    ['198.18.0.1', true],
    ['198.19.255.255', true],
    ['198.20.0.1', false],
    ['198.51.100.7', true],
    ['203.0.113.9', true],
    ['224.0.0.1', true],
    ['239.255.255.250', true],
    ['240.0.0.1', true],
    ['255.255.255.255', true],
    ['8.8.8.8', false],
    ['93.184.216.34', false],
    ['::', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:10.1.2.3', true],
    ['::ffff:8.8.8.8', false],
    ['::127.0.0.1', true],
    ['fc00::1', true],
    ['fd12:3456::1', true],
    ['fe80::1', true],
    ['febf::1', true],
    ['fec0::1', true],
    ['ff02::1', true],
    ['64:ff9b::7f00:1', true],
    ['64:ff9b::808:808', true],
    ['2002:7f00:1::', true],
    ['2001::1', true],
    ['2001:db8::1', true],
    ['2606:4700:4700::1111', false],
    ['2a00:1450:4001:80b::200e', false],
    ['[::1]', true],
    ['not-an-ip', true],
  ])('%s blocked=%s', (address, blocked) => {
    const v = classifyAddress(address);
    expect(v.blocked).toBe(blocked);
    if (blocked) expect(v.reason).toBeTruthy();
  });

  it('parses every IPv6 spelling to eight groups', () => {
    expect(parseIPv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(parseIPv6('1:2:3:4:5:6:7::')).toEqual([1, 2, 3, 4, 5, 6, 7, 0]);
    expect(parseIPv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('1.2.3.4')).toBeNull();
  });

  const v4Arb = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));

  it('an IPv4-mapped IPv6 address is judged like the IPv4 address it carries', () => {
    fc.assert(
      fc.property(v4Arb, (ip) => {
        expect(classifyAddress(`::ffff:${ip}`).blocked).toBe(classifyAddress(ip).blocked);
      }),
      { numRuns: 2000 },
    );
  });

  it('every address in the private, loopback, link-local and CGNAT ranges is blocked', () => {
    const inRange = fc.oneof(
      fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`),
      fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `127.${a}.${b}.${c}`),
      fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `169.254.${a}.${b}`),
      fc
        .tuple(fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255))
        .map(([a, b, c]) => `172.${a}.${b}.${c}`),
      fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `192.168.${a}.${b}`),
      fc
        .tuple(fc.integer({ min: 64, max: 127 }), fc.nat(255), fc.nat(255))
        .map(([a, b, c]) => `100.${a}.${b}.${c}`),
      fc
        .tuple(fc.integer({ min: 224, max: 255 }), fc.nat(255), fc.nat(255), fc.nat(255))
        .map((p) => p.join('.')),
    );
    fc.assert(
      fc.property(inRange, (ip) => {
        expect(classifyAddress(ip).blocked).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary text and blocks anything that is not an address', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const v = classifyAddress(s);
        if (!/^[0-9a-fA-F:.%[\]a-z]+$/.test(s)) expect(v.blocked).toBe(true);
      }),
    );
  });
});

describe('SSRF payloads never reach this machine', () => {
  let canary: Receiver;
  beforeAll(async () => {
    canary = await startReceiver(() => ({ status: 200, body: 'canary' }));
  });
  afterAll(async () => canary.close());

  const payloads = (p: number): [string, Resolver | undefined][] => [
    [`http://127.0.0.1:${p}/`, undefined],
    [`http://127.1:${p}/`, undefined],
    [`http://2130706433:${p}/`, undefined],
    [`http://0x7f000001:${p}/`, undefined],
    [`http://0177.0.0.1:${p}/`, undefined],
    [`http://0x7f.1:${p}/`, undefined],
    [`http://017700000001:${p}/`, undefined],
    [`http://%31%32%37.0.0.1:${p}/`, undefined],
    [`http://127.000.000.001:${p}/`, undefined],
    [`http://0.0.0.0:${p}/`, undefined],
    [`http://0:${p}/`, undefined],
    [`http://[::1]:${p}/`, undefined],
    [`http://[::]:${p}/`, undefined],
    [`http://[::ffff:127.0.0.1]:${p}/`, undefined],
    [`http://[0:0:0:0:0:ffff:127.0.0.1]:${p}/`, undefined],
    [`http://[::127.0.0.1]:${p}/`, undefined],
    [`http://[64:ff9b::127.0.0.1]:${p}/`, undefined],
    [`http://[2002:7f00:1::]:${p}/`, undefined],
    [`http://localhost:${p}/`, undefined],
    [`http://LOCALHOST:${p}/`, undefined],
    [`http://localhost.:${p}/`, undefined],
    [`http://169.254.169.254:${p}/latest/meta-data/`, undefined],
    [`http://100.64.0.1:${p}/`, undefined],
    [`http://10.0.0.1:${p}/`, undefined],
    [`http://172.16.0.1:${p}/`, undefined],
    [`http://192.168.0.1:${p}/`, undefined],
    [`http://[fe80::1]:${p}/`, undefined],
    [`http://[fd00::1]:${p}/`, undefined],
    [`http://127.0.0.1.nip.io:${p}/`, fixed(['127.0.0.1'])],
    [`http://rebind.example:${p}/`, fixed(['203.0.113.5'], ['127.0.0.1'], ['10.0.0.1'])],
    [`http://mixed.example:${p}/`, fixed(['93.184.216.34', '127.0.0.1'])],
    [`http://v6only.example:${p}/`, fixed(['::1'])],
    [`http://mapped.example:${p}/`, fixed(['::ffff:127.0.0.1'])],
    [`gopher://127.0.0.1:${p}/_GET`, undefined],
    [`file:///etc/passwd`, undefined],
    [`ftp://127.0.0.1:${p}/`, undefined],
    [`http://user:pass@127.0.0.1:${p}/`, undefined],
  ];

  it('refuses every payload before connecting, at check time and at send time', async () => {
    const list = payloads(canary.port);
    expect(list.length).toBeGreaterThanOrEqual(30);
    // No resolver here ever hands out an address that would be connected to: a refused payload must not
    // leave the machine either.
    for (const [url, resolve] of list) {
      const check = resolveDestination(url, { allowPrivateNetwork: false, ...(resolve ? { resolve } : {}) });
      await expect(check, url).rejects.toMatchObject({
        kind: expect.stringMatching(/^(refused_private|invalid_url)$/),
      });
      for (const method of ['GET', 'POST'] as const) {
        const res = await safeRequest({
          url,
          method,
          body: method === 'POST' ? '{}' : null,
          allowPrivateNetwork: false,
          ...(resolve ? { resolve } : {}),
        });
        expect(res.error?.kind, url).toMatch(/^(refused_private|invalid_url)$/);
        expect(res.statusCode).toBeNull();
        expect(res.address).toBeNull();
      }
    }
    expect(canary.connections).toBe(0);
    expect(canary.requests).toHaveLength(0);
  });

  it('names the address and the range it refused', async () => {
    const res = await safeRequest({
      url: 'http://metadata.example/',
      method: 'GET',
      allowPrivateNetwork: false,
      resolve: fixed(['169.254.169.254']),
    });
    expect(res.error).toEqual({
      kind: 'refused_private',
      message: expect.stringContaining(
        '169.254.169.254, a link-local / cloud metadata (169.254.0.0/16) address',
      ),
    });
  });

  it('reaches the canary only when private networks are allowed', async () => {
    const res = await safeRequest({
      url: `http://2130706433:${canary.port}/hello`,
      method: 'GET',
      allowPrivateNetwork: true,
    });
    expect(res.error).toBeNull();
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('canary');
    expect(canary.requests.map((r) => r.url)).toEqual(['/hello']);
    canary.requests.length = 0;
    canary.connections = 0;
  });

  it('reports a name that does not resolve as a DNS failure', async () => {
    const res = await safeRequest({
      url: 'http://nothing.invalid/',
      method: 'GET',
      allowPrivateNetwork: false,
      resolve: fixed([]),
    });
    expect(res.error?.kind).toBe('dns');
    const failing: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const res2 = await safeRequest({
      url: 'http://nothing.invalid/',
      method: 'GET',
      allowPrivateNetwork: false,
      resolve: failing,
    });
    expect(res2.error).toEqual({ kind: 'dns', message: 'nothing.invalid does not resolve (ENOTFOUND).' });
  });
});

describe('the connection goes to the checked address', () => {
  let a: Receiver;
  let b: Receiver;
  beforeAll(async () => {
    a = await startReceiver(() => ({ status: 200, body: 'A' }));
    b = await startReceiver(() => ({ status: 200, body: 'B' }), '127.0.0.2');
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('resolves once and connects to that answer even when the name later points elsewhere (DNS rebinding)', async () => {
    // Both receivers listen on their own port; the name is asked for once and must not be asked again.
    const resolver = fixed(['127.0.0.1'], ['127.0.0.2'], ['127.0.0.2']);
    const res = await safeRequest({
      url: `http://partner.example:${a.port}/pb?x=1`,
      method: 'GET',
      allowPrivateNetwork: true,
      resolve: resolver,
    });
    expect(res.error).toBeNull();
    expect(res.body).toBe('A');
    expect(res.address).toBe('127.0.0.1');
    expect(resolver.calls).toEqual(['partner.example']);
    expect(a.requests).toHaveLength(1);
    expect(a.requests[0]?.headers.host).toBe(`partner.example:${a.port}`);
    expect(a.requests[0]?.url).toBe('/pb?x=1');
    expect(b.connections).toBe(0);
  });

  it('sends the body with its length and the caller headers, but never a caller Host', async () => {
    const res = await safeRequest({
      url: `${a.url}/post`,
      method: 'POST',
      body: '{"é":1}',
      headers: { 'content-type': 'application/json', Host: 'evil.example', 'x-test': 'yes' },
      allowPrivateNetwork: true,
    });
    expect(res.statusCode).toBe(200);
    const got = a.requests.at(-1);
    expect(got?.body).toBe('{"é":1}');
    expect(got?.headers['content-length']).toBe(String(Buffer.byteLength('{"é":1}')));
    expect(got?.headers.host).toBe(`127.0.0.1:${a.port}`);
    expect(got?.headers['x-test']).toBe('yes');
  });
});

describe('answers', () => {
  let r: Receiver;
  let target: Receiver;
  beforeAll(async () => {
    target = await startReceiver(() => ({ status: 200, body: 'target' }));
    r = await startReceiver((req) => {
      if (req.url === '/redirect') return { status: 302, headers: { location: `${target.url}/x` } };
      if (req.url === '/slow') return { status: 200, body: 'late', delayMs: 1500 };
      if (req.url === '/big') return { status: 200, body: 'x'.repeat(100_000) };
      if (req.url === '/500') return { status: 500, body: 'boom' };
      return { status: 200, body: 'ok' };
    });
  });
  afterAll(async () => {
    await r.close();
    await target.close();
  });

  it('never follows a redirect and reports it as a failure', async () => {
    const res = await safeRequest({ url: `${r.url}/redirect`, method: 'GET', allowPrivateNetwork: true });
    expect(res.statusCode).toBe(302);
    expect(res.error?.kind).toBe('redirect');
    expect(res.error?.message).toContain(`${target.url}/x`);
    expect(target.connections).toBe(0);
  });

  it('times out a slow answer', async () => {
    const res = await safeRequest({
      url: `${r.url}/slow`,
      method: 'GET',
      allowPrivateNetwork: true,
      totalTimeoutMs: 300,
    });
    expect(res.error?.kind).toBe('timeout');
    expect(res.latencyMs).toBeGreaterThanOrEqual(250);
    expect(res.latencyMs).toBeLessThan(1400);
  });

  it('gives up on a name lookup that does not answer in time', async () => {
    const hanging: Resolver = () => new Promise(() => undefined);
    const res = await safeRequest({
      url: 'http://slow-dns.example/',
      method: 'GET',
      allowPrivateNetwork: true,
      resolve: hanging,
      connectTimeoutMs: 200,
    });
    expect(res.error?.kind).toBe('dns');
    expect(res.error?.message).toContain('did not resolve within');
    expect(res.latencyMs).toBeLessThan(1000);
  });

  it('reads at most 4 KB of the answer', async () => {
    const res = await safeRequest({ url: `${r.url}/big`, method: 'GET', allowPrivateNetwork: true });
    expect(res.error).toBeNull();
    expect(res.statusCode).toBe(200);
    expect(res.body.length).toBe(4096);
  });

  it('reports a non-2xx answer with its status and body, and a refused port as a connection failure', async () => {
    const res = await safeRequest({ url: `${r.url}/500`, method: 'GET', allowPrivateNetwork: true });
    expect(res).toMatchObject({ statusCode: 500, body: 'boom', error: null });
    const closed = await startReceiver();
    const port = closed.port;
    await closed.close();
    const refused = await safeRequest({
      url: `http://127.0.0.1:${port}/`,
      method: 'GET',
      allowPrivateNetwork: true,
    });
    expect(refused.error).toEqual({ kind: 'connection', message: 'the connection was refused' });
  });
});

describe('https', () => {
  let dir: string;
  let server: https.Server;
  let port: number;
  const sniSeen: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pd-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=partner.test',
      ],
      { stdio: 'ignore' },
    );
    const key = readFileSync(path.join(dir, 'key.pem'));
    const cert = readFileSync(path.join(dir, 'cert.pem'));
    server = https.createServer(
      {
        key,
        cert,
        SNICallback: (name, cb) => {
          sniSeen.push(name);
          cb(null, undefined);
        },
      },
      (_req, res) => res.end('secret'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('presents the original host name (SNI) to the pinned address and verifies the certificate', async () => {
    const res = await safeRequest({
      url: `https://partner.test:${port}/`,
      method: 'GET',
      allowPrivateNetwork: true,
      resolve: fixed(['127.0.0.1']),
    });
    expect(sniSeen).toEqual(['partner.test']);
    // A self-signed certificate is not trusted: the exchange fails instead of sending data to an impostor.
    expect(res.error?.kind).toBe('connection');
    expect(res.error?.message).toMatch(/TLS|certificate/i);
    expect(res.body).toBe('');
  });
});
