// Properties of the pure ingest planner: how events are grouped into batches never changes what is decided
// (group commit is invisible), a replay of everything writes nothing, and rollups always equal a recount of
// the stored events.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClientState,
  EVENT_TYPES,
  type EventInsert,
  type EventRow,
  type ExistingEvent,
  eventKey,
  type Lookups,
  planBatch,
  type RollupDelta,
} from './ingest-plan.ts';

/** A tiny in-memory database that applies plans the way the writer kinds do. */
class Memory {
  events = new Map<string, EventInsert>();
  clients = new Map<string, ClientState>();
  rollups = new Map<string, RollupDelta>();
  outbox = 0;
  private n = 0;

  lookups(rows: EventRow[]): Lookups {
    const existing = new Map<string, ExistingEvent>();
    for (const r of rows) {
      const e = this.events.get(eventKey(r.sourceId, r.type, r.txid));
      if (e) existing.set(eventKey(r.sourceId, r.type, r.txid), e);
    }
    return {
      existing,
      clients: new Map([...this.clients].map(([k, v]) => [k, { ...v }])),
      clicks: new Map([
        ['c1', { sub1: 's1', sub2: null, sub3: null, sub4: null, sub5: null, country: 'DE' }],
      ]),
      programmes: new Map([
        [
          '',
          { ftd_definition: 'first_deposit', qualifying_deposit_minor: 10_000, qualifying_currency: 'USD' },
        ],
        [
          'p24',
          { ftd_definition: 'deposits_24h', qualifying_deposit_minor: 10_000, qualifying_currency: 'USD' },
        ],
      ]),
      linkCodes: new Map([['lnk_1', 'CODE1']]),
      postbacks: new Set(['ptr_A\u0000ftd', 'ptr_A\u0000deposit', 'ptr_B\u0000qualified_ftd']),
      newClientId: () => `cli_${++this.n}`,
    };
  }

  apply(rows: EventRow[]) {
    const plan = planBatch(rows, this.lookups(rows));
    for (const c of plan.clientInserts) this.clients.set(c.external_id, { ...c });
    for (const { state, baseVersion } of plan.clientUpdates) {
      expect(this.clients.get(state.external_id)?.version).toBe(baseVersion);
      this.clients.set(state.external_id, { ...state, version: baseVersion + 1 });
    }
    for (const e of plan.events) {
      const k = eventKey(e.source_id, e.type, e.txid);
      expect(this.events.has(k)).toBe(false);
      this.events.set(k, e);
    }
    for (const d of plan.rollups) {
      const k = `${d.partnerId}|${d.day}|${d.linkId}|${d.sub1}|${d.currency}`;
      const cur = this.rollups.get(k);
      if (!cur) this.rollups.set(k, { ...d });
      else
        for (const f of Object.keys(d) as (keyof RollupDelta)[])
          if (typeof d[f] === 'number') (cur[f] as number) += d[f] as number;
    }
    this.outbox += plan.outbox.length;
    return plan;
  }

  /** Clients without the volatile fields (ids and versions depend on batching). */
  clientFacts() {
    return [...this.clients.values()]
      .map((c) => ({
        ext: c.external_id,
        partner: c.partner_id,
        ftd: c.ftd_event_id,
        amount: c.ftd_amount_minor,
        qualified: c.qualified_at,
      }))
      .sort((a, b) => a.ext.localeCompare(b.ext));
  }

  recount() {
    const t = { registrations: 0, ftds: 0, qualified: 0, deposits: 0, amount: 0, lots: 0 };
    for (const e of this.events.values()) {
      if (!e.partner_id || e.is_test === 1) continue;
      if (e.type === 'registration') t.registrations += 1;
      if (e.is_ftd) t.ftds += 1;
      if (e.is_qualified_ftd) t.qualified += 1;
      if (e.type === 'deposit' || e.type === 'ftd') {
        t.deposits += 1;
        t.amount += e.amount_minor ?? 0;
      }
      if (e.type === 'trade') t.lots += e.lots ?? 0;
    }
    return t;
  }

  rollupTotals() {
    const t = { registrations: 0, ftds: 0, qualified: 0, deposits: 0, amount: 0, lots: 0 };
    for (const d of this.rollups.values()) {
      t.registrations += d.registrations;
      t.ftds += d.ftds;
      t.qualified += d.qualifiedFtds;
      t.deposits += d.deposits;
      t.amount += d.depositAmount;
      t.lots += d.lots;
    }
    return t;
  }
}

const base = Date.parse('2026-11-01T00:00:00Z');

/** What the request thread found: the click c1 of link lnk_1 for a partner, or nothing. */
function candidate(partner: string | null, programme: string | null): EventRow['cand'] {
  return partner
    ? {
        method: 'click',
        partnerId: partner,
        linkId: 'lnk_1',
        linkCode: 'CODE1',
        programmeId: programme,
        clickId: 'c1',
        note: null,
      }
    : {
        method: 'none',
        partnerId: null,
        linkId: null,
        linkCode: null,
        programmeId: null,
        clickId: null,
        note: 'no_click_id',
      };
}
const rowArb = fc
  .record({
    type: fc.constantFrom(...EVENT_TYPES),
    txid: fc.constantFrom('t1', 't2', 't3', 't4', 't5', 't6'),
    source: fc.constantFrom('evs_1', 'evs_2'),
    client: fc.option(fc.constantFrom('A1', 'A2', 'A3'), { nil: null }),
    partner: fc.constantFrom(null, 'ptr_A', 'ptr_B'),
    programme: fc.constantFrom(null, 'p24'),
    amount: fc.integer({ min: 1, max: 20_000 }),
    currency: fc.constantFrom('USD', 'EUR'),
    minutes: fc.integer({ min: 0, max: 3000 }),
    test: fc.constantFrom<0 | 1>(0, 0, 0, 1),
  })
  .map(
    (x, i = 0): EventRow => ({
      id: `evt_${x.source}${x.type}${x.txid}${i}`,
      sourceId: x.source,
      type: x.type,
      txid: x.txid,
      occurredAt: new Date(base + x.minutes * 60_000).toISOString(),
      receivedAt: new Date(base + 4000 * 60_000).toISOString(),
      clientExt: x.client,
      clickId: x.partner ? 'c1' : null,
      country: null,
      amountMinor: ['ftd', 'deposit', 'withdrawal', 'chargeback'].includes(x.type) ? x.amount : null,
      currency: ['ftd', 'deposit', 'withdrawal', 'chargeback'].includes(x.type) ? x.currency : null,
      lots: x.type === 'trade' ? 125 : null,
      instrumentGroup: x.type === 'trade' ? 'forex' : null,
      revenueMinor: null,
      isTest: x.test,
      trackingTestId: null,
      cand: candidate(x.partner, x.programme),
    }),
  );

// Give every row a unique id (an id is minted per request, before the writer sees it).
const rowsArb = fc
  .array(rowArb, { minLength: 1, maxLength: 40 })
  .map((rows) => rows.map((r, i) => ({ ...r, id: `evt_${String(i).padStart(4, '0')}` })));

function splits(n: number, cuts: number[]): [number, number][] {
  const points = [...new Set(cuts.map((c) => c % (n + 1)))].sort((a, b) => a - b);
  const out: [number, number][] = [];
  let at = 0;
  for (const p of [...points, n]) {
    if (p > at) out.push([at, p]);
    at = Math.max(at, p);
  }
  return out;
}

describe('the ingest planner', () => {
  it('decides the same whatever the batching', () => {
    fc.assert(
      fc.property(rowsArb, fc.array(fc.nat(), { maxLength: 8 }), (rows, cuts) => {
        const one = new Memory();
        const whole = one.apply(rows).results;
        const many = new Memory();
        const parts = splits(rows.length, cuts).flatMap(([a, b]) => many.apply(rows.slice(a, b)).results);
        expect(parts).toEqual(whole);
        expect(many.clientFacts()).toEqual(one.clientFacts());
        expect(many.rollupTotals()).toEqual(one.rollupTotals());
        expect(many.outbox).toBe(one.outbox);
      }),
      { numRuns: 300 },
    );
  });

  it('writes nothing on a replay and answers every original', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const m = new Memory();
        const first = m.apply(rows).results;
        const replay = m.apply(rows.map((r) => ({ ...r, id: `${r.id}x` })));
        expect(replay.events).toEqual([]);
        expect(replay.rollups).toEqual([]);
        expect(replay.partnerDayRollups).toEqual([]);
        expect(replay.outbox).toEqual([]);
        expect(replay.clientInserts).toEqual([]);
        expect(replay.clientUpdates).toEqual([]);
        expect(replay.results.map((r) => r.eventId)).toEqual(first.map((r) => r.eventId));
        expect(replay.results.every((r) => r.status === 'duplicate')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('plans the partner-day deltas as the rollup deltas summed per day, partner and currency, in key order', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const plan = planBatch(rows, new Memory().lookups(rows));
        const want = new Map<string, number[]>();
        for (const d of plan.rollups) {
          const { day, partnerId, linkId: _link, sub1: _sub1, currency, ...figures } = d;
          const k = `${day}|${partnerId}|${currency}`;
          const cur = want.get(k) ?? Object.values(figures).map(() => 0);
          want.set(
            k,
            Object.values(figures).map((v, i) => (cur[i] as number) + v),
          );
        }
        const got = plan.partnerDayRollups.map((d) => {
          const { day, partnerId, currency, ...figures } = d;
          return [`${day}|${partnerId}|${currency}`, Object.values(figures)] as const;
        });
        expect(new Map(got)).toEqual(want);
        expect(got.length).toBe(want.size);
        const keys = got.map(([k]) => k.replaceAll('|', '\u0000'));
        expect(keys).toEqual([...keys].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('keeps rollups equal to a recount of the stored real events, and one FTD per client at most', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const m = new Memory();
        m.apply(rows);
        expect(m.rollupTotals()).toEqual(m.recount());
        const ftdsPerClient = new Map<string, number>();
        for (const e of m.events.values())
          if (e.is_ftd && e.client_id)
            ftdsPerClient.set(e.client_id, (ftdsPerClient.get(e.client_id) ?? 0) + 1);
        for (const n of ftdsPerClient.values()) expect(n).toBe(1);
        // A client keeps the partner of its first attributed event.
        for (const c of m.clients.values()) {
          const firstAttributed = [...m.events.values()]
            .filter((e) => e.client_id === c.id && e.partner_id)
            .sort((a, b) => a.id.localeCompare(b.id))[0];
          expect(c.partner_id).toBe(firstAttributed?.partner_id ?? null);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rewrites a stored client only when an event changes it (attribution, FTD, qualification)', () => {
    const m = new Memory();
    const row = (
      txid: string,
      type: EventRow['type'],
      amount: number | null,
      partner: string | null,
    ): EventRow => ({
      id: `evt_${txid}`,
      sourceId: 'evs_1',
      type,
      txid,
      occurredAt: new Date(base).toISOString(),
      receivedAt: new Date(base + 60_000).toISOString(),
      clientExt: 'A1',
      clickId: null,
      country: null,
      amountMinor: amount,
      currency: amount === null ? null : 'USD',
      lots: type === 'trade' ? 100 : null,
      instrumentGroup: type === 'trade' ? 'forex' : null,
      revenueMinor: null,
      isTest: 0,
      trackingTestId: null,
      cand: candidate(partner, null),
    });
    // An orphan registration, then its first attribution: the client changes.
    expect(m.apply([row('r1', 'registration', null, null)]).clientInserts).toHaveLength(1);
    const attributed = m.apply([row('k1', 'kyc_approved', null, 'ptr_A')]);
    expect(attributed.clientUpdates.map((u) => u.state.partner_id)).toEqual(['ptr_A']);
    // A trade changes nothing about the client: no write, and its version stays.
    const trade = m.apply([row('t1', 'trade', null, null)]);
    expect(trade.clientUpdates).toEqual([]);
    expect(trade.events).toHaveLength(1);
    expect(m.clients.get('A1')?.version).toBe(2);
    // The first deposit is its FTD (and qualifies): one write; a second deposit writes nothing.
    const ftd = m.apply([row('d1', 'deposit', 20_000, null)]);
    expect(ftd.clientUpdates.map((u) => [u.state.ftd_event_id, u.state.qualified_at !== null])).toEqual([
      ['evt_d1', true],
    ]);
    expect(m.apply([row('d2', 'deposit', 5_000, null)]).clientUpdates).toEqual([]);
    expect(m.clients.get('A1')?.version).toBe(3);
    // Stored bigints come back from PostgreSQL as strings: the same amount is no change.
    const stored = m.clients.get('A1') as ClientState;
    m.clients.set('A1', {
      ...stored,
      ftd_amount_minor: String(stored.ftd_amount_minor) as unknown as number,
    });
    expect(m.apply([row('t2', 'trade', null, null)]).clientUpdates).toEqual([]);
  });
});
