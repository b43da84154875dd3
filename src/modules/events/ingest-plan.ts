// The heart of event ingestion, as a pure function: given a batch of validated events (with the attribution
// the request thread could decide from the click id or referral code alone) and what the database already
// holds (existing events by source/type/txid, clients, clicks, programmes, active postbacks), decide for each
// event: duplicate or new, its attribution (a client's first attribution sticks; later events follow the
// client), FTD and qualification, and what to write: event rows, client inserts/updates, rollup deltas and
// outbox rows for partner postbacks. Both databases' writer kinds (ingest-kind.ts) gather the lookups, call
// this, and write the plan in the batch's one transaction, so SQLite and PostgreSQL decide identically.
//
// This file is loaded by the SQLite writer thread: it must import nothing that opens connections.
import { exponent } from '../../platform/money.ts';

export const EVENT_TYPES = [
  'registration',
  'kyc_approved',
  'ftd',
  'deposit',
  'withdrawal',
  'trade',
  'chargeback',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** How an event was attributed: from its click id, a referral code, the client it belongs to, a manual decision. */
export type Attribution = 'click' | 'referral' | 'client' | 'manual' | 'none';

/** An event as the writer receives it (plain data: it crosses a thread boundary). */
export interface EventRow {
  id: string; // minted by the request thread; used only when the event is new
  sourceId: string;
  type: EventType;
  txid: string;
  occurredAt: string;
  receivedAt: string;
  clientExt: string | null;
  clickId: string | null; // as received
  country: string | null;
  amountMinor: number | null;
  currency: string | null;
  lots: number | null;
  instrumentGroup: string | null;
  revenueMinor: number | null;
  isTest: 0 | 1;
  trackingTestId: string | null;
  /** What the request thread decided from the click id / referral code (windows already applied). */
  cand: {
    method: 'click' | 'referral' | 'none';
    partnerId: string | null;
    linkId: string | null;
    linkCode: string | null;
    programmeId: string | null;
    /** The verified click id (null when none, unknown or forged). */
    clickId: string | null;
    /** Why there is no attribution, or a remark (too_fast, too_old, forged_click_id, unknown_link, ...). */
    note: string | null;
  };
}

/** What a request learns about its event. A replay answers with the stored original. */
export interface EventResult {
  eventId: string;
  status: 'accepted' | 'duplicate';
  partnerId: string | null;
  attribution: Attribution;
  attributionNote: string | null;
  isFtd: boolean;
  isQualifiedFtd: boolean;
}

export interface ExistingEvent {
  id: string;
  partner_id: string | null;
  attribution: string;
  attribution_note: string | null;
  is_ftd: number;
  is_qualified_ftd: number;
}

export interface ClientState {
  id: string;
  external_id: string;
  partner_id: string | null;
  link_id: string | null;
  click_id: string | null;
  attribution: string;
  attributed_at: string | null;
  country: string | null;
  first_event_at: string;
  programme_id: string | null;
  ftd_at: string | null;
  ftd_event_id: string | null;
  ftd_amount_minor: number | null;
  ftd_currency: string | null;
  qualified_at: string | null;
  is_test: number;
  version: number;
  updated_at?: string;
}

export interface ClickFacts {
  sub1: string | null;
  sub2: string | null;
  sub3: string | null;
  sub4: string | null;
  sub5: string | null;
  country: string | null;
}

export interface ProgrammeFacts {
  ftd_definition: string; // first_deposit | deposits_24h
  qualifying_deposit_minor: number;
  qualifying_currency: string;
}

export interface Lookups {
  existing: Map<string, ExistingEvent>; // key: eventKey()
  clients: Map<string, ClientState>; // by external id
  clicks: Map<string, ClickFacts>; // by click id
  programmes: Map<string, ProgrammeFacts>; // by id; '' = the default programme
  linkCodes: Map<string, string>; // link id -> code
  /** "partnerId\u0000eventType" for every active partner postback. */
  postbacks: Set<string>;
  newClientId: () => string;
}

export interface RollupDelta {
  day: string;
  partnerId: string;
  linkId: string;
  sub1: string;
  currency: string;
  registrations: number;
  kycApproved: number;
  ftds: number;
  qualifiedFtds: number;
  ftdAmount: number;
  deposits: number;
  depositAmount: number;
  withdrawals: number;
  withdrawalAmount: number;
  trades: number;
  lots: number;
  revenue: number;
  chargebacks: number;
  chargebackAmount: number;
}

/** A rollup delta summed over links and sub1: one row of partner_day_event_rollups. */
export type PartnerDayDelta = Omit<RollupDelta, 'linkId' | 'sub1'>;

/**
 * Rollup deltas summed per day, partner and currency, sorted by that key (the table's primary key order).
 * Writers apply them after the event_rollups deltas, so every writer locks fine rows first, coarse rows second,
 * each in key order.
 */
export function partnerDayDeltas(deltas: RollupDelta[]): PartnerDayDelta[] {
  const map = new Map<string, PartnerDayDelta>();
  for (const d of deltas) {
    const k = `${d.day}\u0000${d.partnerId}\u0000${d.currency}`;
    let p = map.get(k);
    if (!p) {
      const { linkId: _l, sub1: _s, ...rest } = emptyDelta(d.day, d.partnerId, '', '', d.currency);
      p = rest;
      map.set(k, p);
    }
    p.registrations += d.registrations;
    p.kycApproved += d.kycApproved;
    p.ftds += d.ftds;
    p.qualifiedFtds += d.qualifiedFtds;
    p.ftdAmount += d.ftdAmount;
    p.deposits += d.deposits;
    p.depositAmount += d.depositAmount;
    p.withdrawals += d.withdrawals;
    p.withdrawalAmount += d.withdrawalAmount;
    p.trades += d.trades;
    p.lots += d.lots;
    p.revenue += d.revenue;
    p.chargebacks += d.chargebacks;
    p.chargebackAmount += d.chargebackAmount;
  }
  return [...map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}

export interface EventInsert {
  id: string;
  source_id: string;
  type: string;
  txid: string;
  occurred_at: string;
  received_at: string;
  client_id: string | null;
  click_id: string | null;
  partner_id: string | null;
  link_id: string | null;
  sub1: string | null;
  sub2: string | null;
  sub3: string | null;
  sub4: string | null;
  sub5: string | null;
  country: string | null;
  attribution: string;
  attribution_note: string | null;
  amount_minor: number | null;
  currency: string | null;
  lots: number | null;
  instrument_group: string | null;
  revenue_minor: number | null;
  is_ftd: number;
  is_qualified_ftd: number;
  is_test: number;
  tracking_test_id: string | null;
}

export interface OutboxInsert {
  id: string; // the outbox row id: derived from the event id so a retried batch cannot double it
  key: string;
  payload: string;
  created_at: string;
}

export interface Plan {
  results: EventResult[];
  events: EventInsert[];
  clientInserts: ClientState[];
  /** Changed clients: write where the stored version is still baseVersion (else the batch is retried). */
  clientUpdates: { state: ClientState; baseVersion: number; attributionChanged: boolean }[];
  rollups: RollupDelta[];
  /** The same deltas per day, partner and currency (partner_day_event_rollups). */
  partnerDayRollups: PartnerDayDelta[];
  outbox: OutboxInsert[];
  /** Sources that received a new event, with the latest received time. */
  sourcesSeen: Map<string, string>;
}

export const eventKey = (sourceId: string, type: string, txid: string) =>
  `${sourceId}\u0000${type}\u0000${txid}`;

/** "123.45" for 12345 minor units of a 2-decimal currency. */
export function majorString(minor: number, currency: string): string {
  const exp = exponent(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (exp === 0) return `${sign}${abs}`;
  const units = Math.floor(abs / 10 ** exp);
  return `${sign}${units}.${String(abs % 10 ** exp).padStart(exp, '0')}`;
}

const DAY_MS = 86_400_000;

function emptyDelta(
  day: string,
  partnerId: string,
  linkId: string,
  sub1: string,
  currency: string,
): RollupDelta {
  return {
    day,
    partnerId,
    linkId,
    sub1,
    currency,
    registrations: 0,
    kycApproved: 0,
    ftds: 0,
    qualifiedFtds: 0,
    ftdAmount: 0,
    deposits: 0,
    depositAmount: 0,
    withdrawals: 0,
    withdrawalAmount: 0,
    trades: 0,
    lots: 0,
    revenue: 0,
    chargebacks: 0,
    chargebackAmount: 0,
  };
}

/** The columns an event may change on a stored client (what the writer kinds' client update sets). */
const CLIENT_ATTRIBUTION_FIELDS = [
  'partner_id',
  'link_id',
  'click_id',
  'attribution',
  'attributed_at',
  'programme_id',
] as const;
const CLIENT_EVENT_FIELDS = [
  ...CLIENT_ATTRIBUTION_FIELDS,
  'ftd_at',
  'ftd_event_id',
  'ftd_amount_minor',
  'ftd_currency',
  'qualified_at',
] as const;

function clientChanged(
  stored: ClientState,
  next: ClientState,
  fields: readonly (typeof CLIENT_EVENT_FIELDS)[number][] = CLIENT_EVENT_FIELDS,
): boolean {
  for (const f of fields) {
    const a = stored[f] ?? null;
    const b = next[f] ?? null;
    if (a === null || b === null) {
      if (a !== b) return true;
    } else if (String(a) !== String(b)) return true; // PostgreSQL answers bigints as strings
  }
  return false;
}

export function planBatch(rows: EventRow[], look: Lookups): Plan {
  const results: EventResult[] = [];
  const events: EventInsert[] = [];
  const inserted = new Map<string, ClientState>();
  const updated = new Map<string, ClientState>();
  const rollups = new Map<string, RollupDelta>();
  const outbox: OutboxInsert[] = [];
  const sourcesSeen = new Map<string, string>();
  // Events of this batch, so a txid repeated within the batch is a duplicate of the first.
  const seen = new Map<string, EventResult>();

  const delta = (day: string, partnerId: string, linkId: string, sub1: string, currency: string) => {
    const k = `${partnerId}\u0000${day}\u0000${linkId}\u0000${sub1}\u0000${currency}`;
    let d = rollups.get(k);
    if (!d) {
      d = emptyDelta(day, partnerId, linkId, sub1, currency);
      rollups.set(k, d);
    }
    return d;
  };

  for (const r of rows) {
    const key = eventKey(r.sourceId, r.type, r.txid);
    const prior = seen.get(key);
    if (prior) {
      results.push({ ...prior, status: 'duplicate' });
      continue;
    }
    const old = look.existing.get(key);
    if (old) {
      const res: EventResult = {
        eventId: old.id,
        status: 'duplicate',
        partnerId: old.partner_id,
        attribution: old.attribution as Attribution,
        attributionNote: old.attribution_note,
        isFtd: Number(old.is_ftd) === 1,
        isQualifiedFtd: Number(old.is_qualified_ftd) === 1,
      };
      seen.set(key, res);
      results.push(res);
      continue;
    }

    // Attribution: a known client's attribution sticks; otherwise what the request thread found.
    let attribution: Attribution = r.cand.method;
    let partnerId = r.cand.partnerId;
    let linkId = r.cand.linkId;
    let clickId = r.cand.clickId;
    let programmeId = r.cand.programmeId;
    let note = r.cand.note;
    let client: ClientState | null = null;
    if (r.clientExt !== null) {
      const known =
        inserted.get(r.clientExt) ?? updated.get(r.clientExt) ?? look.clients.get(r.clientExt) ?? null;
      if (known) {
        client = { ...known };
        if (known.partner_id) {
          if (partnerId && partnerId !== known.partner_id) note = `client_attributed_to_${known.partner_id}`;
          else note = null;
          attribution = known.attribution === 'manual' ? 'manual' : 'client';
          partnerId = known.partner_id;
          linkId = known.link_id;
          clickId = known.click_id;
          programmeId = known.programme_id;
        } else if (partnerId) {
          // An orphan client gets its first attribution now, and keeps it.
          client.partner_id = partnerId;
          client.link_id = linkId;
          client.click_id = clickId;
          client.programme_id = programmeId;
          client.attribution = attribution;
          client.attributed_at = r.receivedAt;
        }
      } else {
        client = {
          id: look.newClientId(),
          external_id: r.clientExt,
          partner_id: partnerId,
          link_id: linkId,
          click_id: clickId,
          attribution: partnerId ? attribution : 'none',
          attributed_at: partnerId ? r.receivedAt : null,
          country: r.country,
          first_event_at: r.occurredAt,
          programme_id: programmeId,
          ftd_at: null,
          ftd_event_id: null,
          ftd_amount_minor: null,
          ftd_currency: null,
          qualified_at: null,
          is_test: r.isTest,
          version: 0,
        };
      }
    }
    if (!partnerId) attribution = 'none';

    const click = clickId ? (look.clicks.get(clickId) ?? null) : null;
    const country = r.country ?? click?.country ?? client?.country ?? null;

    // FTD and qualification (deposits and explicit ftd events of a client).
    let isFtd = false;
    let isQualified = false;
    const programme = look.programmes.get(programmeId ?? '') ?? look.programmes.get('') ?? null;
    if (client && (r.type === 'ftd' || r.type === 'deposit') && r.amountMinor !== null && r.currency) {
      if (client.ftd_at === null) {
        isFtd = true;
        client.ftd_at = r.occurredAt;
        client.ftd_event_id = r.id;
        client.ftd_amount_minor = r.amountMinor;
        client.ftd_currency = r.currency;
      } else if (
        r.type === 'deposit' &&
        programme?.ftd_definition === 'deposits_24h' &&
        client.ftd_currency === r.currency &&
        Date.parse(r.occurredAt) - Date.parse(client.ftd_at) <= DAY_MS &&
        Date.parse(r.occurredAt) >= Date.parse(client.ftd_at)
      ) {
        client.ftd_amount_minor = (client.ftd_amount_minor ?? 0) + r.amountMinor;
      }
      if (
        client.qualified_at === null &&
        client.partner_id &&
        programme &&
        client.ftd_currency === programme.qualifying_currency &&
        (client.ftd_amount_minor ?? 0) >= programme.qualifying_deposit_minor &&
        (isFtd ||
          (programme.ftd_definition === 'deposits_24h' &&
            Date.parse(r.occurredAt) - Date.parse(client.ftd_at) <= DAY_MS))
      ) {
        isQualified = true;
        client.qualified_at = r.occurredAt;
      }
    } else if (!client && r.type === 'ftd') {
      isFtd = true; // an ftd without a client id: counted as FTD, never qualified (nothing to sum)
    }

    if (client) {
      client.version += 1;
      client.updated_at = r.receivedAt;
      if (client.version === 1 || inserted.has(client.external_id)) inserted.set(client.external_id, client);
      else updated.set(client.external_id, client);
    }

    const ev: EventInsert = {
      id: r.id,
      source_id: r.sourceId,
      type: r.type,
      txid: r.txid,
      occurred_at: r.occurredAt,
      received_at: r.receivedAt,
      client_id: client?.id ?? null,
      click_id: r.clickId,
      partner_id: partnerId,
      link_id: linkId,
      sub1: click?.sub1 ?? null,
      sub2: click?.sub2 ?? null,
      sub3: click?.sub3 ?? null,
      sub4: click?.sub4 ?? null,
      sub5: click?.sub5 ?? null,
      country,
      attribution,
      attribution_note: note,
      amount_minor: r.amountMinor,
      currency: r.currency,
      lots: r.lots,
      instrument_group: r.instrumentGroup,
      revenue_minor: r.revenueMinor,
      is_ftd: isFtd ? 1 : 0,
      is_qualified_ftd: isQualified ? 1 : 0,
      is_test: r.isTest,
      tracking_test_id: r.trackingTestId,
    };
    events.push(ev);
    const prev = sourcesSeen.get(r.sourceId);
    if (!prev || prev < r.receivedAt) sourcesSeen.set(r.sourceId, r.receivedAt);

    // Rollups: attributed, real events only.
    if (partnerId && r.isTest === 0) {
      const day = r.occurredAt.slice(0, 10);
      const d = delta(
        day,
        partnerId,
        linkId ?? '',
        ev.sub1 ?? '',
        r.amountMinor !== null || r.revenueMinor !== null ? (r.currency ?? '') : '',
      );
      const amt = r.amountMinor ?? 0;
      switch (r.type) {
        case 'registration':
          d.registrations += 1;
          break;
        case 'kyc_approved':
          d.kycApproved += 1;
          break;
        case 'ftd':
        case 'deposit':
          d.deposits += 1;
          d.depositAmount += amt;
          break;
        case 'withdrawal':
          d.withdrawals += 1;
          d.withdrawalAmount += amt;
          break;
        case 'trade':
          d.trades += 1;
          d.lots += r.lots ?? 0;
          d.revenue += r.revenueMinor ?? 0;
          break;
        case 'chargeback':
          d.chargebacks += 1;
          d.chargebackAmount += amt;
          break;
      }
      if (isFtd) {
        d.ftds += 1;
        d.ftdAmount += amt;
      }
      if (isQualified) d.qualifiedFtds += 1;
    }

    // Partner postbacks: one outbox row per event type that has an active postback (test events too: QA).
    if (partnerId) {
      const values = {
        click_id: clickId,
        sub1: ev.sub1,
        sub2: ev.sub2,
        sub3: ev.sub3,
        sub4: ev.sub4,
        sub5: ev.sub5,
        txid: r.txid,
        amount: r.amountMinor !== null && r.currency ? majorString(r.amountMinor, r.currency) : null,
        currency: r.currency,
        link_code: linkId ? (look.linkCodes.get(linkId) ?? null) : null,
        country,
        timestamp: String(Math.floor(Date.parse(r.occurredAt) / 1000)),
      };
      const fire = (eventType: string, suffix: string) => {
        if (!look.postbacks.has(`${partnerId}\u0000${eventType}`)) return;
        outbox.push({
          id: `obx_${r.id.slice(4)}${suffix}`,
          key: r.id,
          payload: JSON.stringify({
            eventId: r.id,
            partnerId,
            eventType,
            isTest: r.isTest === 1,
            values: { ...values, event: eventType },
          }),
          created_at: r.receivedAt,
        });
      };
      fire(r.type, '');
      if (isFtd && r.type === 'deposit') fire('ftd', 'F');
      if (isQualified) fire('qualified_ftd', 'Q');
    }

    const res: EventResult = {
      eventId: r.id,
      status: 'accepted',
      partnerId,
      attribution,
      attributionNote: note,
      isFtd,
      isQualifiedFtd: isQualified,
    };
    seen.set(key, res);
    results.push(res);
  }

  const sortedRollups = [...rollups.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((e) => e[1]);
  return {
    results,
    events,
    clientInserts: [...inserted.values()],
    // Only clients whose record changed are written: a deposit or trade of an attributed client that has had its
    // FTD changes nothing (rewriting the row and its partner index for every such event was a third of the
    // write-ahead log per event). Manual decisions and event batches never interleave (the writer is one
    // thread on SQLite; both take EVENTS_LOCK_KEY on PostgreSQL), so skipping the version bump is safe.
    clientUpdates: [...updated.values()].flatMap((state) => {
      const stored = look.clients.get(state.external_id);
      if (stored && !clientChanged(stored, state)) return [];
      return [
        {
          state,
          baseVersion: Number(stored?.version ?? 0),
          attributionChanged: !stored || clientChanged(stored, state, CLIENT_ATTRIBUTION_FIELDS),
        },
      ];
    }),
    rollups: sortedRollups,
    partnerDayRollups: partnerDayDeltas(sortedRollups),
    outbox,
    sourcesSeen,
  };
}
