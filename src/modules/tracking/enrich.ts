// Click enrichment that stays cheap on the click path: a conservative bot test on the user agent, an
// in-memory duplicate detector, and an optional local GeoIP table (IPv4 ranges → country).
import { readFileSync } from 'node:fs';

// Conservative on purpose: a false "bot" hides a real visitor from unique clicks, so only unmistakable
// crawler, preview, monitoring, HTTP-library and headless markers count. An empty user agent counts too.
const BOT_RE =
  /bot\b|bot\/|crawler|spider|slurp|headlesschrome|phantomjs|puppeteer|playwright|selenium|lighthouse|pingdom|uptimerobot|statuscake|facebookexternalhit|facebookcatalog|embedly|quora link preview|whatsapp|telegrambot|skypeuripreview|curl\/|wget\/|python-requests|python-urllib|aiohttp|httpx|go-http-client|java\/|okhttp|apache-httpclient|libwww-perl|node-fetch|axios\/|undici|scrapy|httpclient|postmanruntime|insomnia|ahrefs|semrush|mj12|dotbot|petalbot|yandex(bot|images)|baiduspider|bingpreview|google-inspectiontool|googleother|adsbot|mediapartners-google|applebot|duckduckbot|gptbot|chatgpt-user|claudebot|anthropic-ai|ccbot|bytespider|amazonbot/i;

export function isBotUserAgent(ua: string | null | undefined): boolean {
  if (!ua || ua.trim().length === 0) return true;
  return BOT_RE.test(ua);
}

/**
 * Duplicate clicks: the same IP + user agent + link within the window (60 s). An LRU of bounded size per
 * instance: behind a load balancer with several instances, duplicates are recognised per instance only (a
 * repeat that lands on another instance counts as unique there). Rollups count unique clicks from this mark.
 */
export class DuplicateDetector {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly windowMs = 60_000,
    private readonly maxEntries = 200_000,
  ) {}

  /** True when the same key was seen within the window; records the key either way. */
  check(key: string, now: number): boolean {
    const last = this.seen.get(key);
    const dup = last !== undefined && now - last < this.windowMs;
    if (last !== undefined) this.seen.delete(key); // re-insert to move it to the end (most recent)
    this.seen.set(key, dup ? (last as number) : now);
    if (this.seen.size > this.maxEntries) {
      // Evict the oldest quarter (Map iterates in insertion order).
      let drop = this.maxEntries >> 2;
      for (const k of this.seen.keys()) {
        this.seen.delete(k);
        if (--drop === 0) break;
      }
    }
    return dup;
  }

  get size(): number {
    return this.seen.size;
  }
}

/**
 * A local GeoIP table: a CSV of IPv4 ranges, one per line: `start_ip,end_ip,CC` (dotted quads or integers;
 * lines starting with # and a header line are ignored). Overlapping ranges are not merged: the first range
 * whose start is ≤ the address and end ≥ it (after sorting by start) wins.
 */
export class GeoIpTable {
  private constructor(
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly countries: string[],
  ) {}

  static fromCsv(text: string): GeoIpTable {
    const rows: [number, number, string][] = [];
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = (lines[i] as string).trim();
      if (!line || line.startsWith('#')) continue;
      const cols = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
      if (cols.length < 3) throw new Error(`GeoIP CSV line ${i + 1}: expected start,end,country`);
      const a = ipv4ToInt(cols[0] as string);
      const b = ipv4ToInt(cols[1] as string);
      const cc = (cols[2] as string).toUpperCase();
      if (a === null || b === null || !/^[A-Z]{2}$/.test(cc)) {
        if (rows.length === 0 && i === 0) continue; // a header line
        throw new Error(`GeoIP CSV line ${i + 1}: "${line.slice(0, 80)}" is not start_ip,end_ip,ISO2`);
      }
      if (b < a) throw new Error(`GeoIP CSV line ${i + 1}: the range ends before it starts`);
      rows.push([a, b, cc]);
    }
    rows.sort((x, y) => x[0] - y[0]);
    return new GeoIpTable(
      Uint32Array.from(rows.map((r) => r[0])),
      Uint32Array.from(rows.map((r) => r[1])),
      rows.map((r) => r[2]),
    );
  }

  static fromFile(file: string): GeoIpTable {
    return GeoIpTable.fromCsv(readFileSync(file, 'utf8'));
  }

  get size(): number {
    return this.starts.length;
  }

  /** The country of an address, or null (unknown, IPv6 or outside every range). */
  lookup(ip: string | null | undefined): string | null {
    if (!ip) return null;
    const v = ipv4ToInt(ip.startsWith('::ffff:') ? ip.slice(7) : ip);
    if (v === null) return null;
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.starts[mid] as number) <= v) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || (this.ends[found] as number) < v) return null;
    return this.countries[found] as string;
  }
}

export function ipv4ToInt(s: string): number | null {
  if (/^\d{1,10}$/.test(s)) {
    const n = Number(s);
    return n <= 0xffffffff ? n : null;
  }
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    n = n * 256 + o;
  }
  return n;
}
