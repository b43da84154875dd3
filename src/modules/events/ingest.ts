// Event ingestion on the request thread: validate each event (naming every bad field), decide the candidate
// attribution, and hand the events to the batched tracking writer, which commits them in groups with their
// clients, rollups and postback outbox rows. A request is answered only after its events are committed.
// Malformed requests from an authenticated source are answered 4xx and kept in the event inbox.
import { type FieldError, invalid } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { CURRENCIES, parseLots, parseMajor } from '../../platform/money.ts';
import { nowMs } from '../../platform/time.ts';
import type { TrackingWriter } from '../tracking/index.ts';
import { EVENT_TYPES, type EventResult, type EventRow, type EventType } from './ingest-plan.ts';
import type { Resolver } from './resolver.ts';

/** An event as sent, before validation: the same names for the postback URL (snake_case) and JSON (camelCase). */
export type RawEvent = Record<string, unknown>;

export interface EventInput {
  type: EventType;
  txid: string;
  clickId: string | null;
  clientId: string | null;
  referralCode: string | null;
  amountMinor: number | null;
  currency: string | null;
  lots: number | null;
  instrumentGroup: string | null;
  revenueMinor: number | null;
  occurredAtMs: number;
  country: string | null;
  test: boolean;
}

export const MAX_BATCH = 1000;
const MONEY_TYPES: ReadonlySet<string> = new Set(['ftd', 'deposit', 'withdrawal', 'chargeback']);
const CURRENCY_SET: ReadonlySet<string> = new Set(CURRENCIES);
const TXID_RE = /^[\x21-\x7e]{1,128}$/;
const CLIENT_RE = /^[\x21-\x7e]{1,128}$/;
const CODE_RE = /^[A-Za-z0-9_-]{1,64}$/;
const GROUP_RE = /^[a-z0-9_-]{1,32}$/;
const FUTURE_SLACK_MS = 5 * 60_000;
const MAX_PAST_MS = 400 * 86_400_000;

/** Field names accepted in both spellings: [camelCase, snake_case]. */
const NAMES = {
  type: ['type', 'event'],
  txid: ['txid', 'txid'],
  clickId: ['clickId', 'click_id'],
  clientId: ['clientId', 'client_id'],
  referralCode: ['referralCode', 'ref'],
  amount: ['amount', 'amount'],
  currency: ['currency', 'currency'],
  lots: ['lots', 'lots'],
  instrumentGroup: ['instrumentGroup', 'instrument_group'],
  revenue: ['revenue', 'revenue'],
  occurredAt: ['occurredAt', 'occurred_at'],
  country: ['country', 'country'],
  test: ['test', 'test'],
} as const;
type Name = keyof typeof NAMES;

const KNOWN_SNAKE: ReadonlySet<string> = new Set([
  ...Object.values(NAMES).map((n) => n[1]),
  'token',
  'sub1',
  'sub2',
  'sub3',
  'sub4',
  'sub5',
]);
const KNOWN_CAMEL: ReadonlySet<string> = new Set(Object.values(NAMES).map((n) => n[0]));

/**
 * Validates one event. `style` picks the field names (snake for /postback, camel for the JSON batch); `prefix`
 * is how fields are named in errors (`query.`, `body.events[3].`). Returns the input or the field errors.
 */
export function parseEvent(
  raw: RawEvent,
  style: 'snake' | 'camel',
  prefix: string,
  now: number,
): { ok: true; value: EventInput } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const idx = style === 'camel' ? 0 : 1;
  const name = (n: Name) => NAMES[n][idx];
  const field = (n: Name) => `${prefix}${name(n)}`;
  const str = (n: Name): string | null => {
    const v = raw[name(n)];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'boolean') return String(v);
    if (typeof v !== 'string') {
      errors.push({ field: field(n), message: 'must be a string' });
      return null;
    }
    return v.trim() === '' ? null : v.trim();
  };
  const known = style === 'camel' ? KNOWN_CAMEL : KNOWN_SNAKE;
  for (const k of Object.keys(raw)) {
    if (!known.has(k)) errors.push({ field: `${prefix}${k}`, message: 'is not a known field' });
  }

  const typeS = str('type');
  let type: EventType | null = null;
  if (!typeS) errors.push({ field: field('type'), message: `is required: one of ${EVENT_TYPES.join(', ')}` });
  else if (!(EVENT_TYPES as readonly string[]).includes(typeS))
    errors.push({
      field: field('type'),
      message: `must be one of ${EVENT_TYPES.join(', ')} (got "${typeS.slice(0, 40)}")`,
    });
  else type = typeS as EventType;

  const txid = str('txid');
  if (!txid)
    errors.push({
      field: field('txid'),
      message: 'is required: the transaction id that makes the event unique',
    });
  else if (!TXID_RE.test(txid))
    errors.push({ field: field('txid'), message: 'must be 1 to 128 visible ASCII characters' });

  const clickId = str('clickId');
  if (clickId && clickId.length > 64)
    errors.push({ field: field('clickId'), message: 'must be at most 64 characters' });
  const clientId = str('clientId');
  if (clientId && !CLIENT_RE.test(clientId))
    errors.push({ field: field('clientId'), message: 'must be 1 to 128 visible ASCII characters' });
  const referralCode = str('referralCode');
  if (referralCode && !CODE_RE.test(referralCode))
    errors.push({ field: field('referralCode'), message: 'must be 1 to 64 letters, digits, "_" or "-"' });

  const currency = str('currency')?.toUpperCase() ?? null;
  if (currency && !CURRENCY_SET.has(currency))
    errors.push({ field: field('currency'), message: 'is not a supported ISO 4217 currency code' });
  const money = (n: 'amount' | 'revenue'): number | null => {
    const s = str(n);
    if (s === null) return null;
    if (!currency) {
      errors.push({ field: field('currency'), message: `is required with ${name(n)}` });
      return null;
    }
    if (!CURRENCY_SET.has(currency)) return null;
    const minor = parseMajor(s, currency);
    if (minor === null || minor < 0) {
      errors.push({
        field: field(n),
        message: `must be a non-negative decimal amount in major units with at most the currency's decimals (e.g. 250.00)`,
      });
      return null;
    }
    return minor;
  };
  const amountMinor = money('amount');
  const revenueMinor = money('revenue');
  if (
    type &&
    MONEY_TYPES.has(type) &&
    amountMinor === null &&
    !errors.some((e) => e.field === field('amount'))
  )
    errors.push({ field: field('amount'), message: `is required for ${type} events` });

  const lotsS = str('lots');
  let lots: number | null = null;
  if (lotsS !== null) {
    lots = parseLots(lotsS);
    if (lots === null)
      errors.push({
        field: field('lots'),
        message: 'must be a number of lots with at most 2 decimals (e.g. 1.25)',
      });
  } else if (type === 'trade') errors.push({ field: field('lots'), message: 'is required for trade events' });
  const instrumentGroup = str('instrumentGroup')?.toLowerCase() ?? null;
  if (instrumentGroup && !GROUP_RE.test(instrumentGroup))
    errors.push({
      field: field('instrumentGroup'),
      message: 'must be 1 to 32 letters, digits, "_" or "-" (e.g. forex, metals)',
    });

  const occurredS = str('occurredAt');
  let occurredAtMs = now;
  if (occurredS !== null) {
    const t = /^\d{9,11}$/.test(occurredS) ? Number(occurredS) * 1000 : Date.parse(occurredS);
    if (!Number.isFinite(t) || (!/^\d{9,11}$/.test(occurredS) && !/^\d{4}-\d{2}-\d{2}T/.test(occurredS)))
      errors.push({
        field: field('occurredAt'),
        message: 'must be an ISO 8601 time (2026-11-23T10:00:00Z) or Unix seconds',
      });
    else if (t > now + FUTURE_SLACK_MS)
      errors.push({ field: field('occurredAt'), message: 'is in the future' });
    else if (t < now - MAX_PAST_MS)
      errors.push({ field: field('occurredAt'), message: 'is more than 400 days ago' });
    else occurredAtMs = t;
  }

  const country = str('country')?.toUpperCase() ?? null;
  if (country && !/^[A-Z]{2}$/.test(country))
    errors.push({ field: field('country'), message: 'must be an ISO 3166-1 alpha-2 code such as DE' });

  const testS = str('test');
  let test = false;
  if (testS !== null) {
    if (/^(1|true|yes)$/i.test(testS)) test = true;
    else if (!/^(0|false|no)$/i.test(testS))
      errors.push({ field: field('test'), message: 'must be true or false (1 or 0)' });
  }

  if (errors.length > 0 || !type || !txid) return { ok: false, errors };
  return {
    ok: true,
    value: {
      type,
      txid,
      clickId,
      clientId,
      referralCode,
      amountMinor,
      currency: amountMinor !== null || revenueMinor !== null ? currency : null,
      lots,
      instrumentGroup,
      revenueMinor,
      occurredAtMs,
      country,
      test,
    },
  };
}

export interface IngestRuntime {
  writer: TrackingWriter;
  resolver: Resolver;
}

/** Turns a valid input into the writer's row (candidate attribution decided here). */
export async function toRow(
  rt: IngestRuntime,
  sourceId: string,
  e: EventInput,
  receivedMs: number,
  trackingTestId: string | null = null,
): Promise<EventRow> {
  const cand = await rt.resolver.candidate(e.clickId, e.referralCode, e.occurredAtMs);
  return {
    id: newId('event'),
    sourceId,
    type: e.type,
    txid: e.txid,
    occurredAt: new Date(e.occurredAtMs).toISOString(),
    receivedAt: new Date(receivedMs).toISOString(),
    clientExt: e.clientId,
    clickId: e.clickId,
    country: e.country,
    amountMinor: e.amountMinor,
    currency: e.currency,
    lots: e.lots,
    instrumentGroup: e.instrumentGroup,
    revenueMinor: e.revenueMinor,
    isTest: e.test || trackingTestId !== null ? 1 : 0,
    trackingTestId,
    cand,
  };
}

/** Commits events (as one group of writer rows) and answers their results in order. */
export async function ingest(
  rt: IngestRuntime,
  sourceId: string,
  inputs: EventInput[],
  trackingTestId: string | null = null,
): Promise<EventResult[]> {
  const received = nowMs();
  const rows = await Promise.all(inputs.map((e) => toRow(rt, sourceId, e, received, trackingTestId)));
  return Promise.all(rows.map((r) => rt.writer.submit('event', r)));
}

/** Validates a JSON batch: every item, naming each bad field; nothing is written unless all are valid. */
export function parseBatch(items: RawEvent[], now: number): EventInput[] {
  const errors: FieldError[] = [];
  const out: EventInput[] = [];
  items.forEach((raw, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      errors.push({ field: `body.events[${i}]`, message: 'must be an object' });
      return;
    }
    const r = parseEvent(raw, 'camel', `body.events[${i}].`, now);
    if (r.ok) out.push(r.value);
    else errors.push(...r.errors);
  });
  if (errors.length > 0)
    throw invalid(
      errors.slice(0, 100),
      `${new Set(errors.map((e) => e.field.replace(/\].*$/, ']'))).size} of ${items.length} events are not valid; nothing was recorded. ${errors[0]?.field} ${errors[0]?.message}.`,
    );
  return out;
}
