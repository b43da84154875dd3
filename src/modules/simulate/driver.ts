// The driver of `partnerdesk simulate`: plays the traffic model (model.ts) against a running server through its
// real HTTP endpoints only — GET /c/{code} for clicks, GET /postback (the source token) and POST /api/v1/events
// (the API key) for events — and keeps its own account of every answer, so that a test or an operator can
// compare it with what the server stored.
//
// 1. Setup (API key, ops or admin): list active links (GET /api/v1/links?status=active, every page), keep the
//    links of the first K partners when asked, and take an event source: the given token, or the active
//    unsigned source named "Simulator" with a fresh token (rotated: tokens are shown only once), or a new one.
// 2. Clicks: C at a time (optionally paced to R per second), each with its visitor's user agent, referer and
//    address (X-Forwarded-For: the server uses it when PARTNERDESK_TRUST_PROXY=true, so the per-IP click limit
//    and the duplicate detector see the simulated visitors). The click id and its time come from the 302's
//    Location. A 429 (the per-IP limit) is waited out and retried; a 503 is retried three times.
// 3. Events, in waves: wave k holds the k-th event of every client, so a client's events arrive in order while
//    different clients' events are sent concurrently; replays of wave k go out in wave k + 1. Each client's
//    nominal timeline is compressed between its click time + 3 s and the server's "now" (estimated from the
//    click ids' times), so nothing is too fast for the programme or in the future.
//
// Anything unexpected is a problem and named in the summary (and the CLI exits non-zero): a 5xx or network
// failure, a 4xx on a click or on an event the model built as valid, an original event answered "duplicate",
// or a replay that was not answered "duplicate" with its original event id.
import {
  buildPlan,
  type ClientPlan,
  clickTimeOf,
  compress,
  EVENT_TYPES,
  type ModelLink,
  type PlannedClick,
  type PlannedEvent,
  rng,
  type SimEventType,
} from './model.ts';

export interface SimulateOptions {
  /** Origin of the server, e.g. http://127.0.0.1:3000 */
  url: string;
  apiKey: string;
  sourceToken?: string | null;
  clicks: number;
  /** Clicks per second; null = as fast as the concurrency allows. */
  rate?: number | null;
  concurrency?: number;
  /** Only the links of the first K partners (in id order). */
  partners?: number | null;
  seed: number;
  test?: boolean;
  /** Name of the event source to create or reuse. */
  sourceName?: string;
  /** Prefix of client ids and txids (default: random); unique per run. */
  runTag?: string;
  /** Minimum time between a click and its first event (default 3 s). */
  minGapMs?: number;
  /** Called about 4 times a second while running, and once at the end with final = true. */
  onProgress?: (p: Progress, final: boolean) => void;
  /** Called with notes (setup decisions, phase changes). */
  onNote?: (message: string) => void;
}

export interface Progress {
  phase: 'setup' | 'clicks' | 'events' | 'done';
  clicksPlanned: number;
  clicksSent: number;
  clicksAnswered: number;
  throttled: number;
  eventsPlanned: number;
  eventsSent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  failed: number;
  elapsedMs: number;
  /** Requests per second over the last second or so. */
  rate: number;
}

export interface TypeCounts {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  failed: number;
  attributed: number;
}

export interface PartnerFigures {
  partnerId: string;
  name: string | null;
  clicks: number;
  registrations: number;
  ftds: number;
  ftdAmountMinor: Record<string, number>;
}

/** What the server's event rollups should hold after this run (attributed, accepted, non-test events only). */
export interface RollupExpectation {
  registrations: number;
  kycApproved: number;
  ftds: number;
  qualifiedFtds: number;
  ftdAmountMinor: number;
  deposits: number;
  depositAmountMinor: number;
  withdrawals: number;
  withdrawalAmountMinor: number;
  trades: number;
  lots: number;
  revenueMinor: number;
  chargebacks: number;
  chargebackAmountMinor: number;
}

export interface SimulationSummary {
  url: string;
  seed: number;
  runTag: string;
  test: boolean;
  source: { id: string | null; name: string; how: 'given' | 'created' | 'rotated' };
  links: number;
  partners: number;
  durationMs: number;
  clicks: {
    planned: number;
    answered302: number;
    bots: number;
    repeats: number;
    throttled: number;
    rejected: number;
    failed: number;
  };
  clients: number;
  events: {
    planned: number;
    sent: number;
    accepted: number;
    duplicates: number;
    rejected: number;
    failed: number;
    postbacks: number;
    batches: number;
    replaysSent: number;
    replaysDuplicate: number;
    attributed: number;
    byType: Record<SimEventType, TypeCounts>;
  };
  /** Event ids the server answered "accepted" (for reconciliation). */
  acceptedEventIds: string[];
  rollups: RollupExpectation;
  /** All partners with traffic, busiest first (FTDs, then registrations, then clicks). */
  partnersByActivity: PartnerFigures[];
  problems: string[];
  problemCount: number;
  ok: boolean;
}

export class SimulateError extends Error {}

const CLICK_ID_IN = /c[0-9A-HJKMNP-TV-Z]{29}/;
const MAX_PROBLEMS = 20;

interface Sent {
  client: ClientPlan;
  clickId: string;
  event: PlannedEvent;
  index: number;
  txid: string;
  occurredAt: string;
  replay: boolean;
}

interface EventAnswer {
  eventId: string;
  status: 'accepted' | 'duplicate';
  partnerId: string | null;
  attribution: string;
  isFtd: boolean;
  isQualifiedFtd: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function major(minor: number): string {
  return (minor / 100).toFixed(2);
}

/** Runs `task(i)` for i in [0, n) with at most `limit` running at once. */
async function pool(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

export async function simulate(opts: SimulateOptions): Promise<SimulationSummary> {
  const base = opts.url.replace(/\/+$/, '');
  const concurrency = Math.max(1, opts.concurrency ?? 20);
  const minGap = opts.minGapMs ?? 3000;
  const runTag =
    opts.runTag ?? `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
  const note = opts.onNote ?? (() => {});
  const started = Date.now();
  const auth = { authorization: `Bearer ${opts.apiKey}` };
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (what: string) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS) problems.push(what);
  };

  const progress: Progress = {
    phase: 'setup',
    clicksPlanned: opts.clicks,
    clicksSent: 0,
    clicksAnswered: 0,
    throttled: 0,
    eventsPlanned: 0,
    eventsSent: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    failed: 0,
    elapsedMs: 0,
    rate: 0,
  };
  let requests = 0;
  let lastTick = { at: started, requests: 0 };
  const tick = () => {
    const now = Date.now();
    progress.elapsedMs = now - started;
    if (now - lastTick.at >= 1000) {
      progress.rate = ((requests - lastTick.requests) * 1000) / (now - lastTick.at);
      lastTick = { at: now, requests };
    }
    opts.onProgress?.({ ...progress }, false);
  };
  const timer = opts.onProgress ? setInterval(tick, 250) : null;

  /** A request to the server's API; throws SimulateError on anything but the expected status. */
  async function api<T>(method: string, path: string, body?: unknown, expect = [200]): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new SimulateError(
        `Cannot reach ${base} (${method} ${path}): ${(e as Error).cause ?? (e as Error).message}. Is the server running?`,
      );
    }
    const text = await res.text();
    if (!expect.includes(res.status)) {
      let detail = text.slice(0, 300);
      try {
        detail = (JSON.parse(text) as { detail?: string }).detail ?? detail;
      } catch {}
      const hint =
        res.status === 401
          ? ' Check the API key (--api-key or PARTNERDESK_API_KEY).'
          : res.status === 403
            ? ' The API key needs the ops or admin role (links, event sources and event ingest).'
            : '';
      throw new SimulateError(`${method} ${path} answered ${res.status}: ${detail}${hint}`);
    }
    return JSON.parse(text) as T;
  }

  try {
    // ---------- Setup ----------
    const all: (ModelLink & { status?: string })[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: ModelLink[]; nextCursor: string | null } = await api(
        'GET',
        `/api/v1/links?status=active&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      all.push(...page.data.map((l) => ({ id: l.id, code: l.code, partnerId: l.partnerId })));
      cursor = page.nextCursor;
    } while (cursor);
    if (all.length === 0)
      throw new SimulateError(
        'There are no active tracking links to send clicks to. Create links (POST /api/v1/links or the partner page), or load the demo workspace ("partnerdesk seed --demo"), which gives every active partner a link.',
      );
    let links: ModelLink[] = all;
    if (opts.partners) {
      const keep = new Set([...new Set(all.map((l) => l.partnerId))].sort().slice(0, opts.partners));
      links = all.filter((l) => keep.has(l.partnerId));
    }
    const partnerCount = new Set(links.map((l) => l.partnerId)).size;

    type Source = { id: string; name: string; status: string; signed: boolean; tokenHint: string };
    let source: SimulationSummary['source'];
    let token: string;
    const sourceName = opts.sourceName ?? 'Simulator';
    if (opts.sourceToken) {
      token = opts.sourceToken;
      const list = await api<{ data: Source[] }>('GET', '/api/v1/event-sources').catch(() => ({
        data: [] as Source[],
      }));
      const match = list.data.filter((s) => s.status === 'active' && s.tokenHint === token.slice(-4));
      source = {
        id: match.length === 1 ? (match[0] as Source).id : null,
        name: match.length === 1 ? (match[0] as Source).name : '(given token)',
        how: 'given',
      };
      if (!source.id)
        note('Could not tell which event source the token belongs to: every event goes through /postback.');
    } else {
      const list = await api<{ data: Source[] }>('GET', '/api/v1/event-sources');
      const existing = list.data.find((s) => s.name === sourceName && s.status === 'active' && !s.signed);
      if (existing) {
        const r = await api<{ id: string; token: string }>(
          'POST',
          `/api/v1/event-sources/${existing.id}/rotate`,
          {},
        );
        source = { id: r.id, name: sourceName, how: 'rotated' };
        token = r.token;
      } else {
        const r = await api<{ id: string; token: string }>(
          'POST',
          '/api/v1/event-sources',
          { name: sourceName, kind: 'other', description: 'Simulated traffic from "partnerdesk simulate".' },
          [201],
        );
        source = { id: r.id, name: sourceName, how: 'created' };
        token = r.token;
      }
    }
    note(
      `${links.length} active link${links.length === 1 ? '' : 's'} of ${partnerCount} partner${partnerCount === 1 ? '' : 's'}; event source "${source.name}" (${source.how}${source.id ? `, ${source.id}` : ''}); seed ${opts.seed}, run ${runTag}${opts.test ? ', test events' : ''}.`,
    );

    const plan = buildPlan(links, { clicks: opts.clicks, seed: opts.seed });
    progress.eventsPlanned = plan.clients.reduce(
      (s, c) => s + c.events.length + c.events.filter((e) => e.replay).length,
      0,
    );

    // ---------- Clicks ----------
    progress.phase = 'clicks';
    const clickIds = new Map<ClientPlan, { clickId: string; time: number }>();
    const byPartner = new Map<string, PartnerFigures>();
    const partnerOf = (id: string) => {
      let p = byPartner.get(id);
      if (!p) {
        p = { partnerId: id, name: null, clicks: 0, registrations: 0, ftds: 0, ftdAmountMinor: {} };
        byPartner.set(id, p);
      }
      return p;
    };
    const clicks = {
      planned: plan.clicks.length,
      answered302: 0,
      bots: 0,
      repeats: 0,
      throttled: 0,
      rejected: 0,
      failed: 0,
    };
    let newest = { time: 0, local: 0 };
    const paceStart = Date.now();
    const sendClick = async (c: PlannedClick): Promise<void> => {
      const q = new URLSearchParams();
      c.subs.forEach((s, i) => {
        if (s !== null) q.set(`sub${i + 1}`, s);
      });
      const url = `${base}/c/${encodeURIComponent(c.link.code)}${q.size ? `?${q}` : ''}`;
      const headers: Record<string, string> = { 'user-agent': c.userAgent, 'x-forwarded-for': c.ip };
      if (c.referer) headers.referer = c.referer;
      let unavailable = 0;
      for (let attempt = 0; ; attempt++) {
        progress.clicksSent += attempt === 0 ? 1 : 0;
        requests++;
        let res: Response;
        try {
          res = await fetch(url, { headers, redirect: 'manual' });
          await res.arrayBuffer();
        } catch (e) {
          clicks.failed++;
          progress.failed++;
          problem(
            `click ${c.n} on /c/${c.link.code}: network error ${(e as Error).cause ?? (e as Error).message}`,
          );
          return;
        }
        if (res.status === 302) {
          const location = res.headers.get('location') ?? '';
          const id = CLICK_ID_IN.exec(location)?.[0] ?? null;
          const time = id ? clickTimeOf(id) : null;
          if (!id || time === null) {
            clicks.rejected++;
            problem(
              `click ${c.n} on /c/${c.link.code}: the 302 Location carries no click id (${location.slice(0, 120)})`,
            );
            return;
          }
          clicks.answered302++;
          progress.clicksAnswered++;
          if (c.bot) clicks.bots++;
          if (c.repeat) clicks.repeats++;
          partnerOf(c.link.partnerId).clicks++;
          if (time > newest.time) newest = { time, local: Date.now() };
          if (c.client) clickIds.set(c.client, { clickId: id, time });
          return;
        }
        if (res.status === 429 && attempt < 50) {
          clicks.throttled++;
          progress.throttled++;
          await sleep(Math.min(5, Number(res.headers.get('retry-after')) || 1) * 1000);
          continue;
        }
        if (res.status === 503 && ++unavailable <= 3) {
          await sleep(Math.min(5, Number(res.headers.get('retry-after')) || 1) * 1000);
          continue;
        }
        if (res.status >= 500 || res.status === 429) {
          clicks.failed++;
          progress.failed++;
        } else clicks.rejected++;
        problem(`click ${c.n} on /c/${c.link.code}: answered ${res.status}`);
        return;
      }
    };
    await pool(plan.clicks.length, concurrency, async (i) => {
      if (opts.rate) {
        const due = paceStart + (i * 1000) / opts.rate;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
      }
      await sendClick(plan.clicks[i] as PlannedClick);
    });
    if (clicks.throttled > 0)
      note(
        `${clicks.throttled} clicks were throttled (429) by the per-IP click limit and retried. Start the server with PARTNERDESK_TRUST_PROXY=true so each simulated visitor has its own address, or PARTNERDESK_CLICK_RATE_PER_IP=0.`,
      );

    // ---------- Events ----------
    progress.phase = 'events';
    // The server's "now" must be at least minGap + 1 s past the newest click before the events start.
    const ready = newest.local + minGap + 1000;
    if (Date.now() < ready) await sleep(ready - Date.now());
    const anchor = newest.time + (Date.now() - newest.local) - 1000; // server time, 1 s of margin
    const clients = plan.clients.filter((c) => clickIds.has(c));
    const waves: Sent[][] = [];
    const waveAt = (k: number): Sent[] => {
      while (waves.length <= k) waves.push([]);
      return waves[k] as Sent[];
    };
    for (const client of clients) {
      const { clickId, time } = clickIds.get(client) as { clickId: string; time: number };
      let last = 0;
      client.events.forEach((event, index) => {
        const at = Math.max(last + 1, compress(time, event.offsetMs, anchor, minGap));
        last = at;
        const sent: Sent = {
          client,
          clickId,
          event,
          index,
          txid: `sim-${runTag}-${client.n}-${index}`,
          occurredAt: new Date(at).toISOString(),
          replay: false,
        };
        waveAt(index).push(sent);
        if (event.replay) waveAt(index + 1).push({ ...sent, replay: true });
      });
    }
    const r = rng(opts.seed ^ 0x5eed5);
    const byType = Object.fromEntries(
      EVENT_TYPES.map((t) => [
        t,
        { sent: 0, accepted: 0, duplicates: 0, rejected: 0, failed: 0, attributed: 0 },
      ]),
    ) as Record<SimEventType, TypeCounts>;
    const events = {
      planned: progress.eventsPlanned,
      sent: 0,
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      failed: 0,
      postbacks: 0,
      batches: 0,
      replaysSent: 0,
      replaysDuplicate: 0,
      attributed: 0,
      byType,
    };
    const rollups: RollupExpectation = {
      registrations: 0,
      kycApproved: 0,
      ftds: 0,
      qualifiedFtds: 0,
      ftdAmountMinor: 0,
      deposits: 0,
      depositAmountMinor: 0,
      withdrawals: 0,
      withdrawalAmountMinor: 0,
      trades: 0,
      lots: 0,
      revenueMinor: 0,
      chargebacks: 0,
      chargebackAmountMinor: 0,
    };
    const originals = new Map<string, string>(); // txid -> event id
    const acceptedEventIds: string[] = [];
    const clientExt = (c: ClientPlan) => `sim-${runTag}-${c.n}`;
    const label = (s: Sent) => `${s.replay ? 'replay of ' : ''}${s.event.type} ${s.txid}`;

    const fields = (s: Sent) => {
      const e = s.event;
      return {
        type: e.type,
        txid: s.txid,
        clickId: e.type === 'registration' ? s.clickId : null,
        clientId: clientExt(s.client),
        amount: e.amountMinor !== null ? major(e.amountMinor) : null,
        currency: e.currency,
        lots: e.lots !== null ? major(e.lots) : null,
        instrumentGroup: e.instrumentGroup,
        revenue: e.revenueMinor !== null ? major(e.revenueMinor) : null,
        occurredAt: s.occurredAt,
        country: s.client.country,
        test: opts.test ? true : null,
      };
    };
    const count = (s: Sent, outcome: 'rejected' | 'failed') => {
      events[outcome]++;
      progress[outcome]++;
      byType[s.event.type][outcome]++;
    };
    const record = (s: Sent, a: EventAnswer) => {
      const t = byType[s.event.type];
      if (s.replay) {
        events.duplicates++;
        progress.duplicates++;
        t.duplicates++;
        if (a.status === 'duplicate' && a.eventId === originals.get(s.txid)) events.replaysDuplicate++;
        else
          problem(
            `${label(s)}: answered ${a.status} (event ${a.eventId}); a replay must answer "duplicate" with the original event ${originals.get(s.txid)}`,
          );
        return;
      }
      if (a.status !== 'accepted') {
        events.duplicates++;
        progress.duplicates++;
        t.duplicates++;
        problem(`${label(s)}: a new event answered "${a.status}"`);
        return;
      }
      events.accepted++;
      progress.accepted++;
      t.accepted++;
      originals.set(s.txid, a.eventId);
      acceptedEventIds.push(a.eventId);
      if (!a.partnerId) return;
      events.attributed++;
      t.attributed++;
      const p = partnerOf(a.partnerId);
      if (s.event.type === 'registration') p.registrations++;
      if (a.isFtd) {
        p.ftds++;
        const cur = s.event.currency ?? '';
        p.ftdAmountMinor[cur] = (p.ftdAmountMinor[cur] ?? 0) + (s.event.amountMinor ?? 0);
      }
      if (opts.test) return;
      const e = s.event;
      const amt = e.amountMinor ?? 0;
      if (e.type === 'registration') rollups.registrations++;
      else if (e.type === 'kyc_approved') rollups.kycApproved++;
      else if (e.type === 'ftd' || e.type === 'deposit') {
        rollups.deposits++;
        rollups.depositAmountMinor += amt;
      } else if (e.type === 'withdrawal') {
        rollups.withdrawals++;
        rollups.withdrawalAmountMinor += amt;
      } else if (e.type === 'trade') {
        rollups.trades++;
        rollups.lots += e.lots ?? 0;
        rollups.revenueMinor += e.revenueMinor ?? 0;
      } else if (e.type === 'chargeback') {
        rollups.chargebacks++;
        rollups.chargebackAmountMinor += amt;
      }
      if (a.isFtd) {
        rollups.ftds++;
        rollups.ftdAmountMinor += amt;
      }
      if (a.isQualifiedFtd) rollups.qualifiedFtds++;
    };
    const begin = (s: Sent) => {
      events.sent++;
      progress.eventsSent++;
      byType[s.event.type].sent++;
      if (s.replay) events.replaysSent++;
    };
    const explain = async (res: Response) => {
      const text = await res.text().catch(() => '');
      try {
        const p = JSON.parse(text) as { detail?: string };
        return p.detail ?? text.slice(0, 200);
      } catch {
        return text.slice(0, 200);
      }
    };

    const sendPostback = async (s: Sent) => {
      begin(s);
      events.postbacks++;
      requests++;
      const f = fields(s);
      const q = new URLSearchParams({ token });
      const snake: Record<string, unknown> = {
        event: f.type,
        txid: f.txid,
        click_id: f.clickId,
        client_id: f.clientId,
        amount: f.amount,
        currency: f.currency,
        lots: f.lots,
        instrument_group: f.instrumentGroup,
        revenue: f.revenue,
        occurred_at: f.occurredAt,
        country: f.country,
        test: f.test ? '1' : null,
      };
      for (const [k, v] of Object.entries(snake)) if (v !== null && v !== undefined) q.set(k, String(v));
      let res: Response;
      try {
        res = await fetch(`${base}/postback?${q}`);
      } catch (e) {
        count(s, 'failed');
        problem(`${label(s)} via GET /postback: network error ${(e as Error).cause ?? (e as Error).message}`);
        return;
      }
      if (res.status === 200) return record(s, (await res.json()) as EventAnswer);
      const why = await explain(res);
      count(s, res.status >= 500 ? 'failed' : 'rejected');
      problem(`${label(s)} via GET /postback: answered ${res.status}: ${why}`);
    };
    const sendBatch = async (batch: Sent[]) => {
      for (const s of batch) begin(s);
      events.batches++;
      requests++;
      const body = {
        sourceId: source.id,
        events: batch.map((s) => Object.fromEntries(Object.entries(fields(s)).filter(([, v]) => v !== null))),
      };
      let res: Response;
      try {
        res = await fetch(`${base}/api/v1/events`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      } catch (e) {
        for (const s of batch) count(s, 'failed');
        problem(
          `a batch of ${batch.length} events via POST /api/v1/events: network error ${(e as Error).cause ?? (e as Error).message}`,
        );
        return;
      }
      if (res.status === 200) {
        const out = (await res.json()) as { results: EventAnswer[] };
        batch.forEach((s, i) => {
          const a = out.results[i];
          if (a) record(s, a);
          else {
            count(s, 'failed');
            problem(`${label(s)}: the batch answer has no result for it`);
          }
        });
        return;
      }
      const why = await explain(res);
      for (const s of batch) count(s, res.status >= 500 ? 'failed' : 'rejected');
      problem(`a batch of ${batch.length} events via POST /api/v1/events: answered ${res.status}: ${why}`);
    };

    for (const wave of waves) {
      if (!wave) continue;
      const singles: Sent[] = [];
      const batched: Sent[] = [];
      for (const s of wave) {
        const channel = s.replay ? s.event.replay : s.event.channel;
        (channel === 'postback' || !source.id ? singles : batched).push(s);
      }
      const batches: Sent[][] = [];
      for (let i = 0; i < batched.length; ) {
        const size = 100 + Math.floor(r() * 901); // 100..1000
        batches.push(batched.slice(i, i + size));
        i += size;
      }
      const tasks: (() => Promise<void>)[] = [
        ...batches.map((b) => () => sendBatch(b)),
        ...singles.map((s) => () => sendPostback(s)),
      ];
      await pool(tasks.length, concurrency, (i) => (tasks[i] as () => Promise<void>)());
    }

    // ---------- Summary ----------
    const partnersByActivity = [...byPartner.values()].sort(
      (a, b) =>
        b.ftds - a.ftds ||
        b.registrations - a.registrations ||
        b.clicks - a.clicks ||
        (a.partnerId < b.partnerId ? -1 : 1),
    );
    for (const p of partnersByActivity.slice(0, 5)) {
      const got = await api<{ displayName?: string }>(
        'GET',
        `/api/v1/partners/${encodeURIComponent(p.partnerId)}`,
      ).catch(() => null);
      p.name = got?.displayName ?? null;
    }
    progress.phase = 'done';
    progress.elapsedMs = Date.now() - started;
    progress.rate = (requests * 1000) / Math.max(1, progress.elapsedMs); // the whole run's average
    opts.onProgress?.({ ...progress }, true);
    return {
      url: base,
      seed: opts.seed,
      runTag,
      test: opts.test ?? false,
      source,
      links: links.length,
      partners: partnerCount,
      durationMs: Date.now() - started,
      clicks,
      clients: clients.length,
      events,
      acceptedEventIds,
      rollups,
      partnersByActivity,
      problems,
      problemCount,
      ok: problemCount === 0,
    };
  } finally {
    if (timer) clearInterval(timer);
  }
}

/** One progress line (no newline). */
export function progressLine(p: Progress): string {
  const secs = (p.elapsedMs / 1000).toFixed(0);
  const ev =
    p.phase === 'events' || p.phase === 'done'
      ? `  events ${p.eventsSent}/${p.eventsPlanned}: ${p.accepted} accepted, ${p.duplicates} duplicates, ${p.rejected} rejected`
      : '';
  return `[${p.phase}] clicks ${p.clicksAnswered}/${p.clicksPlanned}${p.throttled ? ` (${p.throttled} throttled)` : ''}${ev}${p.failed ? `  FAILED ${p.failed}` : ''}  ${p.rate.toFixed(0)} req/s  ${secs} s`;
}

function money(m: Record<string, number>): string {
  const parts = Object.entries(m)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([cur, minor]) => `${major(minor)} ${cur}`);
  return parts.length ? parts.join(' + ') : '-';
}

/** The summary as printable lines. */
export function formatSummary(s: SimulationSummary): string[] {
  const c = s.clicks;
  const e = s.events;
  const lines = [
    `Simulated ${c.planned} click${c.planned === 1 ? '' : 's'} on ${s.links} link${s.links === 1 ? '' : 's'} of ${s.partners} partner${s.partners === 1 ? '' : 's'} in ${(s.durationMs / 1000).toFixed(1)} s (seed ${s.seed}, run ${s.runTag}${s.test ? ', test events' : ''}) against ${s.url}.`,
    `Clicks: ${c.answered302} answered 302 (${c.bots} bots, ${c.repeats} repeat visits), ${c.throttled} throttled and retried, ${c.rejected} rejected, ${c.failed} failed.`,
    `Events: ${e.sent} sent (${e.postbacks} GET /postback, ${e.batches} batches), ${e.accepted} accepted (${e.attributed} attributed), ${e.duplicates} duplicates (${e.replaysDuplicate}/${e.replaysSent} replays answered "duplicate"), ${e.rejected} rejected, ${e.failed} failed; ${s.clients} clients.`,
    '',
    `  ${'type'.padEnd(13)}${['sent', 'accepted', 'duplicate', 'rejected', 'failed'].map((h) => h.padStart(10)).join('')}`,
    ...Object.entries(e.byType).map(
      ([type, t]) =>
        `  ${type.padEnd(13)}${[t.sent, t.accepted, t.duplicates, t.rejected, t.failed].map((n) => String(n).padStart(10)).join('')}`,
    ),
    '',
    'Top partners:',
    `  ${'partner'.padEnd(28)}${'id'.padEnd(31)}${'clicks'.padStart(7)}${'regs'.padStart(6)}${'FTDs'.padStart(6)}  FTD amount`,
    ...s.partnersByActivity
      .slice(0, 5)
      .map(
        (p) =>
          `  ${(p.name ?? '?').slice(0, 27).padEnd(28)}${p.partnerId.padEnd(31)}${String(p.clicks).padStart(7)}${String(p.registrations).padStart(6)}${String(p.ftds).padStart(6)}  ${money(p.ftdAmountMinor)}`,
      ),
  ];
  if (s.problemCount > 0) {
    lines.push('', `${s.problemCount} request(s) went wrong:`, ...s.problems.map((p) => `  - ${p}`));
    if (s.problemCount > s.problems.length) lines.push(`  … and ${s.problemCount - s.problems.length} more.`);
  }
  return lines;
}
