// The load generator of bench/events.ts, run as its own process: autocannon (programmatic, so every request
// carries fresh txids) at N connections against one target, in one of two shapes:
//   single — GET /postback?token=…&event=…&txid=…  (one event a request)
//   batch  — POST /api/v1/events {sourceId, events: [...]}  (BATCH events a request, API key)
// About 5% of the events are replays of events already answered 'accepted' in this run (same type and txid,
// same fields). Every answer is checked: a new event must come back 'accepted', a replay 'duplicate' with the
// original's eventId. Prints one JSON object (autocannon's figures plus this accounting) on stdout.
// Usage: node --import tsx bench/events/load.ts '<json options>'
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Options {
  base: string;
  shape: 'single' | 'batch';
  batch: number;
  connections: number;
  seconds?: number;
  amount?: number;
  token: string;
  apiKey: string;
  sourceId: string;
  clickIdsFile: string;
  /** Unique per run: every txid and client id of the run starts with it. */
  prefix: string;
  dupRate: number;
}

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number; max: number };
  statusCodeStats?: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
  duration: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const opts = JSON.parse(process.argv[2] as string) as Options;
const clickIds = JSON.parse(readFileSync(opts.clickIdsFile, 'utf8')) as string[];

type Fields = Record<string, string>;
/** An event as JSON (camelCase); the postback spelling is derived from it. */
interface Sent {
  fields: Fields;
  replayOf: Acked | null;
}
interface Acked {
  fields: Fields;
  eventId: string;
}
interface Ctx {
  sent?: Sent[];
}

const POOL = 100_000;
const acked: Acked[] = []; // events answered 'accepted' (replay candidates)
const clients: string[] = []; // client ids whose registration was answered 'accepted'
let seq = 0;
const tally = {
  events: 0, // events in 200 answers
  accepted: 0, // new events answered 'accepted' (each a distinct txid)
  replaysSent: 0,
  replaysOk: 0, // replays answered 'duplicate' with the original eventId
  mismatches: 0,
  firstMismatch: null as string | null,
  firstError: null as string | null,
};

const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
const keep = <T>(xs: T[], x: T) => {
  if (xs.length < POOL) xs.push(x);
  else xs[Math.floor(Math.random() * POOL)] = x;
};
const money = (lo: number, hi: number) => (lo + Math.floor(Math.random() * (hi - lo) * 100) / 100).toFixed(2);

/** A new event: registrations from real clicks, then deposits, trades, withdrawals of registered clients. */
function fresh(): Fields {
  seq += 1;
  const txid = `${opts.prefix}-${seq}`;
  const r = Math.random();
  if (clients.length === 0 || r < 0.4) {
    return { type: 'registration', txid, clickId: pick(clickIds), clientId: `${opts.prefix}-c${seq}` };
  }
  const clientId = pick(clients);
  if (r < 0.65) return { type: 'deposit', txid, clientId, amount: money(50, 500), currency: 'USD' };
  if (r < 0.9)
    return {
      type: 'trade',
      txid,
      clientId,
      lots: (Math.floor(Math.random() * 500) / 100 + 0.01).toFixed(2),
      instrumentGroup: pick(['forex', 'metals', 'indices']),
      revenue: money(1, 40),
      currency: 'USD',
    };
  if (r < 0.95) return { type: 'withdrawal', txid, clientId, amount: money(10, 100), currency: 'USD' };
  return { type: 'kyc_approved', txid, clientId };
}

function next(): Sent {
  if (acked.length > 0 && Math.random() < opts.dupRate) {
    const a = pick(acked);
    tally.replaysSent += 1;
    return { fields: a.fields, replayOf: a };
  }
  return { fields: fresh(), replayOf: null };
}

const SNAKE: Record<string, string> = {
  type: 'event',
  clickId: 'click_id',
  clientId: 'client_id',
  instrumentGroup: 'instrument_group',
};
function postbackPath(f: Fields): string {
  const q = new URLSearchParams({ token: opts.token });
  for (const [k, v] of Object.entries(f)) q.set(SNAKE[k] ?? k, v);
  return `/postback?${q}`;
}

interface Result {
  eventId: string;
  status: string;
}
function check(s: Sent, r: Result | undefined): void {
  if (s.replayOf) {
    if (r?.status === 'duplicate' && r.eventId === s.replayOf.eventId) tally.replaysOk += 1;
    else {
      tally.mismatches += 1;
      tally.firstMismatch ??= `replay of ${s.fields.txid} answered ${JSON.stringify(r)}`;
    }
    return;
  }
  if (r?.status !== 'accepted' || !r.eventId) {
    tally.mismatches += 1;
    tally.firstMismatch ??= `new event ${s.fields.txid} answered ${JSON.stringify(r)}`;
    return;
  }
  tally.accepted += 1;
  keep(acked, { fields: s.fields, eventId: r.eventId });
  if (s.fields.type === 'registration' && s.fields.clientId) keep(clients, s.fields.clientId);
}

function onResponse(status: number, body: string, ctx: Ctx): void {
  const sent = ctx.sent ?? [];
  if (status !== 200) {
    tally.firstError ??= `${status}: ${body.slice(0, 300)}`;
    return;
  }
  tally.events += sent.length;
  try {
    const j = JSON.parse(body) as Result & { results?: Result[] };
    if (opts.shape === 'single') check(sent[0] as Sent, j);
    else
      sent.forEach((s, i) => {
        check(s, j.results?.[i]);
      });
  } catch (err) {
    tally.mismatches += sent.length;
    tally.firstMismatch ??= `unreadable answer: ${String(err)} ${body.slice(0, 200)}`;
  }
}

const request =
  opts.shape === 'single'
    ? {
        method: 'GET',
        setupRequest(req: AutocannonRequest, ctx: Ctx) {
          const s = next();
          ctx.sent = [s];
          req.path = postbackPath(s.fields);
          return req;
        },
        onResponse,
      }
    : {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.apiKey}` },
        setupRequest(req: AutocannonRequest, ctx: Ctx) {
          const sent: Sent[] = [];
          for (let i = 0; i < opts.batch; i++) sent.push(next());
          ctx.sent = sent;
          req.path = '/api/v1/events';
          req.body = JSON.stringify({ sourceId: opts.sourceId, events: sent.map((s) => s.fields) });
          return req;
        },
        onResponse,
      };

const res = await autocannon({
  url: opts.base,
  connections: opts.connections,
  ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds ?? 3 }),
  timeout: 30,
  requests: [request],
});
const status: Record<string, number> = {};
for (const [k, v] of Object.entries(res.statusCodeStats ?? {})) status[k] = v.count;
const answered = Object.values(status).reduce((a, b) => a + b, 0);
process.stdout.write(
  `${JSON.stringify({
    requests: answered,
    rps: answered / res.duration,
    eventsPerSecond: tally.events / res.duration,
    p50: res.latency.p50,
    p99: res.latency.p99,
    max: res.latency.max,
    status,
    errors: res.errors + res.timeouts,
    durationS: res.duration,
    ...tally,
  })}\n`,
);
