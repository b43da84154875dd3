// Click ids: time-sortable and self-proving. Layout (144 bits, big-endian), then Crockford base32 upper case
// with a "c" prefix (30 characters in all):
//   [48-bit ms since epoch][32-bit link seq][24-bit per-process counter][40-bit truncated HMAC-SHA256]
// The MAC (key derived from the instance secret) covers time, link seq and counter, so an event can be
// attributed from the id alone — to the link and the click time — even after raw clicks are pruned, and a
// forged or altered id is recognised. The counter starts at a random value per process and increments per
// click, so ids minted by one process never collide (unless 16M clicks on one link share a millisecond).
import { createHmac, timingSafeEqual } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const BYTES = 18; // 6 time + 4 seq + 3 counter + 5 mac
const MAC_BYTES = 5;
const DATA_BYTES = BYTES - MAC_BYTES;
const CHARS = 29; // ceil(144 / 5); the last character carries 4 bits and one zero pad bit
export const CLICK_ID_LENGTH = CHARS + 1;
export const CLICK_ID_RE = /^c[0-9A-HJKMNP-TV-Z]{29}$/;
const MAX_TIME = 2 ** 48 - 1;

export type ParsedClickId =
  | { ok: true; time: number; linkSeq: number }
  | { ok: false; reason: 'malformed' | 'forged' };

export interface ClickIdCodec {
  mint(linkSeq: number, now?: number): string;
  parse(id: string): ParsedClickId;
}

function encode(buf: Buffer): string {
  let out = 'c';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < BYTES; i++) {
    acc = ((acc << 8) | (buf[i] as number)) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
  }
  // 144 = 28*5 + 4: four bits left, padded with one zero bit.
  out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

function decode(id: string): Buffer | null {
  if (id.length !== CLICK_ID_LENGTH || id.charCodeAt(0) !== 99 /* c */) return null;
  const buf = Buffer.allocUnsafe(BYTES);
  let acc = 0;
  let bits = 0;
  let pos = 0;
  for (let i = 1; i <= CHARS; i++) {
    const code = id.charCodeAt(i);
    const v = code < 128 ? (DECODE[code] as number) : -1;
    if (v < 0) return null;
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8 && pos < BYTES) {
      bits -= 8;
      buf[pos++] = (acc >> bits) & 0xff;
    }
  }
  // Exactly one pad bit must remain, and it must be zero (otherwise two spellings would decode alike).
  if (pos !== BYTES || bits !== 1 || (acc & 1) !== 0) return null;
  return buf;
}

/** A codec bound to the instance secret (the MAC key is derived, so the secret itself is never the key). */
export function clickIdCodec(secret: string): ClickIdCodec {
  const key = createHmac('sha256', secret).update('partnerdesk click id v1').digest();
  let counter = (Math.random() * 0x1000000) >>> 0;
  const buf = Buffer.alloc(BYTES);

  function mac(data: Buffer): Buffer {
    return createHmac('sha256', key).update(data.subarray(0, DATA_BYTES)).digest().subarray(0, MAC_BYTES);
  }

  return {
    mint(linkSeq: number, now: number = Date.now()): string {
      if (!Number.isInteger(linkSeq) || linkSeq < 0 || linkSeq > 0xffffffff)
        throw new RangeError('link seq out of range');
      if (!Number.isInteger(now) || now < 0 || now > MAX_TIME) throw new RangeError('time out of range');
      counter = (counter + 1) & 0xffffff;
      buf.writeUIntBE(now, 0, 6);
      buf.writeUInt32BE(linkSeq, 6);
      buf.writeUIntBE(counter, 10, 3);
      mac(buf).copy(buf, DATA_BYTES);
      return encode(buf);
    },
    parse(id: string): ParsedClickId {
      if (typeof id !== 'string') return { ok: false, reason: 'malformed' };
      const raw = decode(id);
      if (!raw) return { ok: false, reason: 'malformed' };
      const expected = mac(raw);
      if (!timingSafeEqual(expected, raw.subarray(DATA_BYTES))) return { ok: false, reason: 'forged' };
      return { ok: true, time: raw.readUIntBE(0, 6), linkSeq: raw.readUInt32BE(6) };
    },
  };
}

const codecs = new Map<string, ClickIdCodec>();
function codecFor(secret: string): ClickIdCodec {
  let c = codecs.get(secret);
  if (!c) {
    c = clickIdCodec(secret);
    codecs.set(secret, c);
  }
  return c;
}

/** Mints a click id for a link (by its seq) at a time. */
export function mintClickId(secret: string, linkSeq: number, now?: number): string {
  return codecFor(secret).mint(linkSeq, now);
}

/** Reads a click id: its time and link seq when the MAC verifies; 'malformed' or 'forged' otherwise. */
export function parseClickId(secret: string, id: string): ParsedClickId {
  return codecFor(secret).parse(id);
}
