// The traffic model of `partnerdesk simulate`: a pure, seeded plan of clicks and of the client journeys some of
// them lead to. The same seed and the same links give the same plan (the driver adds a per-run tag to client
// ids and txids so two runs never collide).
//
// The model, per click:
// - Partners are not equal: links are picked by partner with Zipf-like weights (the first partner in id order
//   gets the most traffic), then uniformly among the partner's links. Each link has 2–4 campaigns (sub1), each
//   with 1–3 creatives (sub2); sub3 is a placement (a site, a video, a keyword) or absent.
// - ~4% of clicks are bots (crawler, link-preview, monitoring and HTTP-library user agents, headless browsers)
//   with their own addresses; they never convert.
// - ~12% of human clicks are repeat visits: a recent visitor clicking the same link again with the same
//   address and browser (the server marks those as duplicates when they come within its 60 s window).
// - Every other click is a new visitor: a public-looking IPv4 address, a browser user agent (desktop and mobile
//   Chrome, Safari, Firefox, Edge, Samsung Internet) and a country (weighted towards the markets brokers buy
//   traffic in).
//
// The funnel (per partner, so traffic quality differs): of a new human visitor's click, 3–8% register; 25–40%
// of registrations pass KYC; 30–50% of those make a first deposit (FTD). Amounts are log-normal (FTD median
// ~250 in the account currency, half of them round numbers; later deposits smaller); the account currency is
// USD (60%), EUR (30%), GBP, AUD or ZAR. A depositor makes on average 1.5 further deposits, 85% trade
// (a geometric number of trades, mean ~10: forex 55%, metals 20%, indices 12%, commodities 8%, crypto 5%;
// lots log-normal with 2 decimals; revenue per lot by group, ±30%), 35% withdraw (at most 80% of what they
// paid in), and each deposit has a 1% chance of a chargeback of its amount.
//
// Times. Each client's events carry nominal offsets after its click (registration 30 s–2 h, KYC 10 min–3 days
// later, FTD 5 min–10 days after KYC, deposits, trades and withdrawals over the following weeks; all under 85
// days, inside the default programme's 90-day window). Clicks cannot be back-dated (the server mints click ids
// with its own clock), so the driver compresses each client's timeline into the time between its click + a
// few seconds and "now": the order and the proportions stay, every event is at least a few seconds after its
// click (the default programme refuses under 1 s) and none is in the future.
//
// Channels and replays. 35% of events go as single GET /postback requests, the rest in JSON batches
// (POST /api/v1/events). ~2% of events are sent a second time later (same source, type and txid): the server
// must answer "duplicate" and write nothing.

export const EVENT_TYPES = [
  'registration',
  'kyc_approved',
  'ftd',
  'deposit',
  'withdrawal',
  'trade',
  'chargeback',
] as const;
export type SimEventType = (typeof EVENT_TYPES)[number];

export const INSTRUMENT_GROUPS = ['forex', 'metals', 'indices', 'commodities', 'crypto'] as const;
export type InstrumentGroup = (typeof INSTRUMENT_GROUPS)[number];

export interface ModelLink {
  id: string;
  code: string;
  partnerId: string;
}

export interface PlannedEvent {
  type: SimEventType;
  /** Nominal milliseconds after the click; strictly increasing within a client. */
  offsetMs: number;
  amountMinor: number | null;
  currency: string | null;
  /** Hundredths of a lot. */
  lots: number | null;
  instrumentGroup: InstrumentGroup | null;
  revenueMinor: number | null;
  channel: 'postback' | 'batch';
  /** Sent a second time later (as a replay), through this channel. */
  replay: 'postback' | 'batch' | null;
}

export interface ClientPlan {
  /** Index of the client within the run (its id is `sim-<run tag>-<n>`). */
  n: number;
  country: string;
  currency: string;
  events: PlannedEvent[];
}

export interface PlannedClick {
  n: number;
  link: ModelLink;
  ip: string;
  userAgent: string;
  referer: string | null;
  subs: [string | null, string | null, string | null];
  bot: boolean;
  repeat: boolean;
  /** The client this click registers, if it converts. */
  client: ClientPlan | null;
}

export interface Plan {
  clicks: PlannedClick[];
  clients: ClientPlan[];
}

// ---------- Seeded randomness ----------

/** A small, fast, seedable PRNG (sfc32 seeded through splitmix32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

type Rand = () => number;
const between = (r: Rand, lo: number, hi: number) => lo + (hi - lo) * r();
const int = (r: Rand, lo: number, hi: number) => Math.floor(between(r, lo, hi + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
/** The first `k` of a seeded Fisher–Yates shuffle. */
function sample<T>(r: Rand, xs: readonly T[], k: number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a.slice(0, k);
}
function weighted<T>(r: Rand, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  return (items[items.length - 1] as readonly [T, number])[0];
}
/** A standard normal draw (Box–Muller). */
function normal(r: Rand): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}
const logNormal = (r: Rand, median: number, sigma: number) => median * Math.exp(sigma * normal(r));
/** Log-uniform between lo and hi (for waiting times). */
const logUniform = (r: Rand, lo: number, hi: number) => Math.exp(between(r, Math.log(lo), Math.log(hi)));
/** Number of successes before the first failure, with P(continue) = p, capped. */
function geometric(r: Rand, p: number, max: number): number {
  let n = 0;
  while (n < max && r() < p) n++;
  return n;
}

// ---------- The world ----------

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Every nominal offset stays under this (the default programme accepts events up to 90 days after a click). */
export const MAX_NOMINAL_MS = 85 * DAY;

export const BROWSER_USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.2849.80',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.107 Mobile Safari/537.36',
  'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
] as const;

export const BOT_USER_AGENTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
  'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  'TelegramBot (like TwitterBot)',
  'python-requests/2.32.3',
  'curl/8.5.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)',
] as const;

const COUNTRIES: readonly (readonly [string, number])[] = [
  ['DE', 9],
  ['GB', 8],
  ['AE', 7],
  ['ZA', 7],
  ['MY', 6],
  ['TH', 6],
  ['VN', 6],
  ['NG', 5],
  ['BR', 5],
  ['MX', 4],
  ['IT', 4],
  ['ES', 4],
  ['PL', 3],
  ['KE', 3],
  ['EG', 3],
  ['IN', 3],
  ['ID', 3],
  ['PH', 2],
  ['CO', 2],
  ['SA', 2],
  ['FR', 2],
  ['CY', 1],
];
const FIRST_OCTETS = [
  31, 37, 41, 46, 62, 77, 78, 79, 80, 81, 82, 85, 86, 88, 89, 90, 91, 93, 94, 95, 102, 105, 109, 110, 113,
  115, 116, 118, 119, 121, 124, 151, 176, 178, 185, 188, 193, 194, 195, 196, 197, 212, 213, 217,
];
const REFERERS = [
  'https://www.youtube.com/',
  'https://t.me/',
  'https://www.google.com/',
  'https://www.facebook.com/',
  'https://www.instagram.com/',
  'https://www.tiktok.com/',
  'https://forexforum.example/thread/',
  'https://trading-reviews.example/best-brokers',
];
const CAMPAIGNS = [
  'spring_promo',
  'gold_rush',
  'webinar_signup',
  'ytb_review',
  'tg_signals',
  'seo_compare',
  'ppc_brand',
  'crypto_week',
  'copy_trading',
  'zero_spread',
];
const CREATIVES = [
  'banner_728x90',
  'banner_300x250',
  'video_15s',
  'video_60s',
  'story',
  'text_link',
  'native_card',
];
const PLACEMENTS = [
  'homepage',
  'sidebar',
  'description',
  'pinned_post',
  'kw_best_broker',
  'kw_forex_app',
  'newsletter',
];

const CURRENCY_MIX: readonly (readonly [string, number])[] = [
  ['USD', 60],
  ['EUR', 30],
  ['GBP', 5],
  ['AUD', 3],
  ['ZAR', 2],
];
/** How many units of the currency one USD roughly buys (to keep amounts plausible per currency). */
const PER_USD: Record<string, number> = { USD: 1, EUR: 0.92, GBP: 0.79, AUD: 1.52, ZAR: 18 };

const GROUPS: readonly (readonly [InstrumentGroup, number])[] = [
  ['forex', 55],
  ['metals', 20],
  ['indices', 12],
  ['commodities', 8],
  ['crypto', 5],
];
/** Broker revenue (spread + commission) per lot, in USD. */
const REVENUE_PER_LOT: Record<InstrumentGroup, number> = {
  forex: 8,
  metals: 15,
  indices: 4,
  commodities: 10,
  crypto: 20,
};
const LOT_MEDIAN: Record<InstrumentGroup, number> = {
  forex: 0.3,
  metals: 0.2,
  indices: 0.5,
  commodities: 0.3,
  crypto: 0.1,
};

export const RATES = {
  bot: 0.04,
  repeat: 0.12,
  register: [0.03, 0.08],
  kyc: [0.25, 0.4],
  ftd: [0.3, 0.5],
  postback: 0.35,
  replay: 0.02,
  chargebackPerDeposit: 0.01,
} as const;

interface PartnerQuality {
  register: number;
  kyc: number;
  ftd: number;
}

interface Visitor {
  ip: string;
  userAgent: string;
  country: string;
  link: ModelLink;
  subs: [string | null, string | null, string | null];
  referer: string | null;
}

function ipv4(r: Rand): string {
  return `${pick(r, FIRST_OCTETS)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`;
}

/** Amount in minor units (2-decimal currencies) of a log-normal draw in USD, converted and rounded. */
function amountMinor(
  r: Rand,
  medianUsd: number,
  sigma: number,
  currency: string,
  minUsd: number,
  maxUsd: number,
): number {
  const usd = Math.min(maxUsd, Math.max(minUsd, logNormal(r, medianUsd, sigma)));
  const major = usd * (PER_USD[currency] ?? 1);
  // Half of the amounts are round numbers (50, 100, 250 ...), as people deposit.
  if (r() < 0.5) {
    const step = major >= 1000 ? 100 : major >= 100 ? 50 : 10;
    return Math.max(step, Math.round(major / step) * step) * 100;
  }
  return Math.max(100, Math.round(major * 100));
}

function journey(r: Rand, n: number, country: string, q: PartnerQuality): ClientPlan {
  const currency = weighted(r, CURRENCY_MIX);
  const events: Omit<PlannedEvent, 'channel' | 'replay'>[] = [];
  const none = { amountMinor: null, currency: null, lots: null, instrumentGroup: null, revenueMinor: null };
  let t = logUniform(r, 30 * SEC, 2 * HOUR);
  events.push({ type: 'registration', offsetMs: t, ...none });
  if (r() < q.kyc) {
    t += logUniform(r, 10 * MIN, 3 * DAY);
    events.push({ type: 'kyc_approved', offsetMs: t, ...none });
    if (r() < q.ftd) {
      t += logUniform(r, 5 * MIN, 10 * DAY);
      const ftdAt = t;
      const deposits: { at: number; amount: number }[] = [];
      const ftdAmount = amountMinor(r, 250, 0.9, currency, 10, 25_000);
      events.push({ type: 'ftd', offsetMs: ftdAt, ...none, amountMinor: ftdAmount, currency });
      deposits.push({ at: ftdAt, amount: ftdAmount });
      let at = ftdAt;
      for (let i = geometric(r, 0.6, 10); i > 0; i--) {
        at += logUniform(r, HOUR, 20 * DAY);
        if (at >= MAX_NOMINAL_MS - 10 * DAY) break;
        const amount = amountMinor(r, 150, 0.9, currency, 10, 20_000);
        events.push({ type: 'deposit', offsetMs: at, ...none, amountMinor: amount, currency });
        deposits.push({ at, amount });
      }
      const horizon = Math.min(MAX_NOMINAL_MS - 2 * DAY, ftdAt + 60 * DAY);
      if (r() < 0.85) {
        const trades = 1 + geometric(r, 0.9, 59);
        for (let i = 0; i < trades; i++) {
          const group = weighted(r, GROUPS);
          const lots = Math.min(5000, Math.max(1, Math.round(logNormal(r, LOT_MEDIAN[group], 1) * 100)));
          const perLotMinor = REVENUE_PER_LOT[group] * (PER_USD[currency] ?? 1) * 100 * between(r, 0.7, 1.3);
          events.push({
            type: 'trade',
            offsetMs: between(r, ftdAt + MIN, horizon),
            ...none,
            lots,
            instrumentGroup: group,
            revenueMinor: Math.max(1, Math.round((lots / 100) * perLotMinor)),
            currency,
          });
        }
      }
      if (r() < 0.35) {
        const paidIn = deposits.reduce((s, d) => s + d.amount, 0);
        const count = r() < 0.7 ? 1 : 2;
        for (let i = 0; i < count; i++) {
          const amount = Math.max(100, Math.round((paidIn * between(r, 0.1, 0.8)) / count / 100) * 100);
          events.push({
            type: 'withdrawal',
            offsetMs: between(r, ftdAt + HOUR, horizon),
            ...none,
            amountMinor: amount,
            currency,
          });
        }
      }
      for (const d of deposits) {
        if (r() < RATES.chargebackPerDeposit) {
          events.push({
            type: 'chargeback',
            offsetMs: Math.min(MAX_NOMINAL_MS - DAY, d.at + logUniform(r, 10 * DAY, 60 * DAY)),
            ...none,
            amountMinor: d.amount,
            currency,
          });
        }
      }
    }
  }
  events.sort((a, b) => a.offsetMs - b.offsetMs);
  // Strictly increasing whole milliseconds.
  let last = 0;
  const out: PlannedEvent[] = events.map((e) => {
    const offsetMs = Math.max(last + 1, Math.round(e.offsetMs));
    last = offsetMs;
    const channel = r() < RATES.postback ? 'postback' : 'batch';
    const replay = r() < RATES.replay ? (r() < RATES.postback ? 'postback' : 'batch') : null;
    return { ...e, offsetMs, channel, replay };
  });
  return { n, country, currency, events: out };
}

/** The whole plan: `clicks` clicks over `links` (any order; sorted by id here so the seed alone decides). */
export function buildPlan(links: readonly ModelLink[], opts: { clicks: number; seed: number }): Plan {
  if (links.length === 0) throw new Error('buildPlan needs at least one link');
  const r = rng(opts.seed);
  const sorted = [...links].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byPartner = new Map<string, ModelLink[]>();
  for (const l of sorted) byPartner.set(l.partnerId, [...(byPartner.get(l.partnerId) ?? []), l]);
  const partners = [...byPartner.keys()];
  const partnerWeights = partners.map((p, i) => [p, 1 / (i + 1) ** 0.8] as const);
  const quality = new Map<string, PartnerQuality>(
    partners.map((p) => [
      p,
      {
        register: between(r, RATES.register[0], RATES.register[1]),
        kyc: between(r, RATES.kyc[0], RATES.kyc[1]),
        ftd: between(r, RATES.ftd[0], RATES.ftd[1]),
      },
    ]),
  );
  const campaigns = new Map<string, { sub1: string; creatives: string[] }[]>(
    sorted.map((l) => {
      const list = sample(r, CAMPAIGNS, int(r, 2, 4));
      return [l.id, list.map((sub1) => ({ sub1, creatives: sample(r, CREATIVES, int(r, 1, 3)) }))];
    }),
  );

  const clicks: PlannedClick[] = [];
  const clients: ClientPlan[] = [];
  const recent: Visitor[] = [];
  for (let n = 0; n < opts.clicks; n++) {
    if (r() < RATES.bot) {
      const link = pick(r, byPartner.get(weighted(r, partnerWeights)) as ModelLink[]);
      const camp = pick(r, campaigns.get(link.id) as { sub1: string; creatives: string[] }[]);
      clicks.push({
        n,
        link,
        ip: ipv4(r),
        userAgent: pick(r, BOT_USER_AGENTS),
        referer: null,
        subs: r() < 0.5 ? [camp.sub1, null, null] : [null, null, null],
        bot: true,
        repeat: false,
        client: null,
      });
      continue;
    }
    if (recent.length > 0 && r() < RATES.repeat) {
      const v = pick(r, recent);
      clicks.push({ n, ...v, bot: false, repeat: true, client: null });
      continue;
    }
    const link = pick(r, byPartner.get(weighted(r, partnerWeights)) as ModelLink[]);
    const camp = pick(r, campaigns.get(link.id) as { sub1: string; creatives: string[] }[]);
    const v: Visitor = {
      ip: ipv4(r),
      userAgent: pick(r, BROWSER_USER_AGENTS),
      country: weighted(r, COUNTRIES),
      link,
      subs: [camp.sub1, pick(r, camp.creatives), r() < 0.6 ? pick(r, PLACEMENTS) : null],
      referer: r() < 0.7 ? pick(r, REFERERS) : null,
    };
    recent.push(v);
    if (recent.length > 20) recent.shift();
    const q = quality.get(link.partnerId) as PartnerQuality;
    const client = r() < q.register ? journey(r, clients.length, v.country, q) : null;
    if (client) clients.push(client);
    clicks.push({
      n,
      link,
      ip: v.ip,
      userAgent: v.userAgent,
      referer: v.referer,
      subs: v.subs,
      bot: false,
      repeat: false,
      client,
    });
  }
  return { clicks, clients };
}

/**
 * Maps a nominal offset into the real window [click + minGap, anchor]: the client's timeline is compressed by
 * one factor, so order and proportions stay. `anchor` is at least click + minGap (the caller waits for it).
 */
export function compress(clickMs: number, offsetMs: number, anchorMs: number, minGapMs: number): number {
  const start = clickMs + minGapMs;
  const span = Math.max(0, anchorMs - start);
  return Math.floor(start + (Math.min(offsetMs, MAX_NOMINAL_MS) / MAX_NOMINAL_MS) * span);
}

/** The click time carried in a click id (its first 48 bits, in clear: Crockford base32 after the "c"). */
export function clickTimeOf(clickId: string): number | null {
  if (!/^c[0-9A-HJKMNP-TV-Z]{29}$/.test(clickId)) return null;
  const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let v = 0n;
  for (const ch of clickId.slice(1, 11)) v = (v << 5n) | BigInt(ALPHABET.indexOf(ch));
  return Number(v >> 2n); // 10 characters = 50 bits; the time is the first 48
}
