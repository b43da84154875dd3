// Prefixed, time-sortable identifiers (ULID layout: 48-bit millisecond time + 80 random bits, Crockford
// base32). The prefix list is closed so an id always says what it names.
import { randomFillSync } from 'node:crypto';

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
const lastRandom = new Uint8Array(16);
// Random bytes drawn from a pool refilled 4 KB at a time: one randomFillSync call per 256 ids instead of one per
// id (the click and event paths mint ids on every request).
const pool = Buffer.allocUnsafe(4096);
let poolAt = pool.length;

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function nextRandom(ms: number): Uint8Array {
  if (ms === lastTime) {
    // Monotonic within one millisecond: increment the previous random part.
    for (let i = lastRandom.length - 1; i >= 0; i--) {
      if ((lastRandom[i] as number) < 31) {
        lastRandom[i] = (lastRandom[i] as number) + 1;
        break;
      }
      lastRandom[i] = 0;
    }
    return lastRandom;
  }
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  for (let i = 0; i < 16; i++) lastRandom[i] = (pool[poolAt + i] as number) % 32;
  poolAt += 16;
  lastRandom[0] = (lastRandom[0] as number) % 16; // leave headroom so increments never wrap within a millisecond
  lastTime = ms;
  return lastRandom;
}

export function ulid(now: number = Date.now()): string {
  const r = nextRandom(now);
  let out = encodeTime(now);
  for (let i = 0; i < 16; i++) out += ALPHABET[r[i] as number];
  return out;
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
