// Prefixed, time-sortable identifiers (ULID layout: 48-bit millisecond time + 80 random bits, Crockford
// base32). The prefix list is closed so an id always says what it names.
import { randomBytes } from 'node:crypto';

export const ID_PREFIXES = {
  user: 'usr',
  session: 'ses',
  apiKey: 'key',
  partner: 'ptr',
  contact: 'con',
  document: 'doc',
  terms: 'trm',
  approval: 'apr',
  audit: 'aud',
  outbox: 'obx',
  policy: 'pol',
  customField: 'fld',
  import: 'imp',
  authority: 'ath',
  request: 'req',
  checklistTemplate: 'clt',
  stageEntry: 'stg',
  gateTick: 'gtk',
  handover: 'hnd',
  task: 'tsk',
  slaPolicy: 'sla',
  ddCase: 'ddc',
  ddParty: 'ddp',
  screening: 'scr',
  docRequest: 'drq',
  payoutDetails: 'pay',
  riskFlag: 'rsk',
  postback: 'pbk',
  postbackDelivery: 'pbd',
  postbackAttempt: 'pba',
  link: 'lnk',
  eventSource: 'evs',
  programme: 'prg',
  client: 'cli',
  event: 'evt',
  inbox: 'ibx',
  attributionDecision: 'atd',
  trackingTest: 'tqa',
  reconciliation: 'rcn',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
export type IdPrefix = (typeof ID_PREFIXES)[IdKind];

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = -1;
let lastRandom: number[] = [];

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function nextRandom(ms: number): number[] {
  if (ms === lastTime) {
    // Monotonic within one millisecond: increment the previous random part.
    const r = [...lastRandom];
    for (let i = r.length - 1; i >= 0; i--) {
      if ((r[i] as number) < 31) {
        r[i] = (r[i] as number) + 1;
        break;
      }
      r[i] = 0;
    }
    lastRandom = r;
    return r;
  }
  const bytes = randomBytes(16);
  const r: number[] = [];
  for (let i = 0; i < 16; i++) r.push((bytes[i] as number) % 32);
  r[0] = (r[0] as number) % 16; // leave headroom so increments never wrap within a millisecond
  lastTime = ms;
  lastRandom = r;
  return r;
}

export function ulid(now: number = Date.now()): string {
  return encodeTime(now) + nextRandom(now).map((n) => ALPHABET[n]).join('');
}

export function newId(kind: IdKind, now?: number): string {
  return `${ID_PREFIXES[kind]}_${ulid(now)}`;
}

const ID_RE = /^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when value looks like an id of the given kind (prefix and shape). */
export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(`${ID_PREFIXES[kind]}_`) && ID_RE.test(value);
}

export function idTime(id: string): number {
  const body = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 11);
  let t = 0;
  for (const ch of body) t = t * 32 + ALPHABET.indexOf(ch);
  return t;
}
