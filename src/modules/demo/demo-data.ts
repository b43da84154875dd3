// Deterministic, realistic demo data for an FX/CFD broker's partner programme: who the partners are, where
// they sit in onboarding, how IB hierarchies nest. Pure: the same seed gives the same workspace.

export function prng(seed: number): () => number {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
export const chance = (r: Rand, p: number): boolean => r() < p;
export function weighted<T>(r: Rand, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of table) {
    x -= w;
    if (x < 0) return v;
  }
  return table[table.length - 1]?.[0] as T;
}

export const STAGES_IN_ORDER = [
  'intake',
  'due_diligence',
  'tracking_setup',
  'activation_readiness',
  'handover',
  'active',
] as const;
export type DemoStage = (typeof STAGES_IN_ORDER)[number] | 'rejected' | 'suspended' | 'offboarded';
export type DemoType = 'ib' | 'affiliate' | 'white_label' | 'network' | 'influencer';

export const FIRST = [
  'Ahmed',
  'Maria',
  'Chen',
  'Olga',
  'Ravi',
  'Fatima',
  'Lucas',
  'Sofia',
  'Nikos',
  'Elena',
  'Omar',
  'Ana',
  'Tomasz',
  'Priya',
  'Daniel',
  'Yusuf',
  'Mei',
  'Carlos',
  'Ioana',
  'Kwame',
  'Hana',
  'Marco',
  'Aisha',
  'Pavel',
  'Leila',
  'Thanh',
  'Giorgos',
  'Nadia',
  'Felipe',
  'Sara',
];
export const LAST = [
  'Al-Rashid',
  'Papadopoulos',
  'Nguyen',
  'Kowalski',
  'Sharma',
  'Haddad',
  'Silva',
  'Ivanova',
  'Georgiou',
  'Mensah',
  'Tanaka',
  'Rossi',
  'Khan',
  'Novak',
  'Hassan',
  'Lim',
  'Garcia',
  'Popescu',
  'Okafor',
  'Müller',
  'Demir',
  'Santos',
  'Petrov',
  'Costa',
  'Ali',
  'Wong',
  'Christou',
  'Mendes',
  'Yilmaz',
  'Ramos',
];
const COMPANY_WORDS = [
  'Alpha',
  'Pip',
  'Apex',
  'Meridian',
  'Falcon',
  'Atlas',
  'Orion',
  'Vertex',
  'Summit',
  'Harbor',
  'Nova',
  'Pinnacle',
  'Sterling',
  'Crescent',
  'Zenith',
  'Pioneer',
  'Blue Wave',
  'Golden Bull',
  'Silk Road',
  'Delta',
];
const COMPANY_KINDS = [
  'Trading Academy',
  'Capital Partners',
  'FX Signals',
  'Markets Media',
  'Traders Club',
  'Invest Hub',
  'Finance Network',
  'Trading Group',
  'Wealth Education',
  'Brokers Introductions',
];
const SUFFIX: Record<string, string> = {
  CY: 'Ltd',
  GB: 'Ltd',
  AE: 'FZE',
  MY: 'Sdn Bhd',
  TH: 'Co., Ltd',
  VN: 'JSC',
  ZA: '(Pty) Ltd',
  NG: 'Ltd',
  BR: 'Ltda',
  MX: 'S.A. de C.V.',
  PL: 'Sp. z o.o.',
  DE: 'GmbH',
  ID: 'PT',
  KE: 'Ltd',
  EG: 'LLC',
  TR: 'A.Ş.',
  IN: 'Pvt Ltd',
  SG: 'Pte Ltd',
  CO: 'S.A.S.',
  PH: 'Inc.',
};
const COUNTRIES: readonly (readonly [string, number, string[]])[] = [
  ['AE', 8, ['ar', 'en']],
  ['MY', 8, ['ms', 'en']],
  ['TH', 6, ['th']],
  ['VN', 7, ['vi']],
  ['ZA', 6, ['en']],
  ['NG', 6, ['en']],
  ['BR', 6, ['pt']],
  ['MX', 5, ['es']],
  ['PL', 4, ['pl']],
  ['DE', 3, ['de']],
  ['ID', 7, ['id']],
  ['KE', 4, ['en', 'sw']],
  ['EG', 4, ['ar']],
  ['TR', 4, ['tr']],
  ['IN', 6, ['hi', 'en']],
  ['SG', 3, ['en', 'zh']],
  ['CO', 3, ['es']],
  ['PH', 4, ['en']],
  ['CY', 3, ['el', 'en']],
  ['GB', 3, ['en']],
];
const TRAFFIC: Record<DemoType, string[]> = {
  ib: ['education', 'signals', 'telegram', 'offline', 'social'],
  affiliate: ['seo', 'ppc', 'email', 'social'],
  white_label: ['offline', 'education', 'seo'],
  network: ['ppc', 'seo', 'email', 'social'],
  influencer: ['youtube', 'social', 'telegram', 'influencer'],
};
const TAGS = [
  'vip',
  'mena',
  'latam',
  'apac',
  'africa',
  'europe',
  'high-volume',
  'crypto-focus',
  'education',
  'signals',
  'watchlist',
  'q4-push',
  'referral-programme',
];

export interface DemoPartnerSpec {
  index: number;
  displayName: string;
  legalName: string | null;
  kind: 'individual' | 'company';
  type: DemoType;
  stage: DemoStage;
  country: string;
  languages: string[];
  websites: string[];
  trafficSources: string[];
  email: string;
  phone: string;
  tier: 'standard' | 'silver' | 'gold' | 'platinum';
  tags: string[];
  /** Index of the parent IB in the spec list (always earlier), for sub-IBs. */
  parentIndex: number | null;
  ownerIndex: number; // which demo BDM owns it
  contacts: { name: string; email: string; phone: string; role: string; isPrimary: boolean }[];
}

export function slug(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

/** The partner list: about 40% IBs (with 2- and 3-level hierarchies), then affiliates, influencers, networks, white labels. */
export function demoPartners(count: number, bdmCount: number, seed = 20261123): DemoPartnerSpec[] {
  const r = prng(seed);
  const specs: DemoPartnerSpec[] = [];
  const masterIbs: number[] = [];
  const secondLevel: number[] = [];
  const usedNames = new Set<string>();
  for (let i = 0; i < count; i++) {
    const type = weighted<DemoType>(r, [
      ['ib', 40],
      ['affiliate', 28],
      ['influencer', 12],
      ['network', 10],
      ['white_label', 10],
    ]);
    const kind: 'individual' | 'company' =
      type === 'influencer'
        ? chance(r, 0.85)
          ? 'individual'
          : 'company'
        : type === 'ib'
          ? chance(r, 0.45)
            ? 'individual'
            : 'company'
          : 'company';
    const [country, , langs] = weighted(
      r,
      COUNTRIES.map((c) => [c, c[1]] as const),
    );
    const person = `${pick(r, FIRST)} ${pick(r, LAST)}`;
    let displayName: string;
    let legalName: string | null;
    if (kind === 'individual') {
      displayName =
        type === 'influencer'
          ? `${person.split(' ')[0]} Trades ${pick(r, ['FX', 'Gold', 'Daily', 'Live', 'Pro'])}`
          : person;
      legalName = person;
    } else {
      displayName = `${pick(r, COMPANY_WORDS)} ${pick(r, COMPANY_KINDS)}`;
      legalName = `${displayName} ${SUFFIX[country] ?? 'Ltd'}`;
    }
    let n = 2;
    const base = displayName;
    while (usedNames.has(displayName)) displayName = `${base} ${n++}`;
    usedNames.add(displayName);
    // Stages: most partners are live or on the way; a few rejected/suspended/offboarded.
    const stage = weighted<DemoStage>(r, [
      ['intake', 14],
      ['due_diligence', 14],
      ['tracking_setup', 11],
      ['activation_readiness', 9],
      ['handover', 6],
      ['active', 36],
      ['rejected', 4],
      ['suspended', 3],
      ['offboarded', 3],
    ]);
    let parentIndex: number | null = null;
    if (type === 'ib' && i > 5) {
      // Roughly a third of IBs are sub-IBs; some of those sit under a sub-IB (three levels).
      if (secondLevel.length > 0 && chance(r, 0.12)) parentIndex = pick(r, secondLevel);
      else if (masterIbs.length > 0 && chance(r, 0.3)) parentIndex = pick(r, masterIbs);
    }
    const domain = `${slug(displayName).slice(0, 24)}.example`;
    const websites = type === 'ib' && kind === 'individual' && chance(r, 0.5) ? [] : [`https://${domain}`];
    if (type === 'influencer')
      websites.push(`https://youtube.example/@${slug(displayName).replace(/-/g, '')}`);
    const spec: DemoPartnerSpec = {
      index: i,
      displayName,
      legalName,
      kind,
      type,
      stage,
      country,
      languages: langs,
      websites,
      trafficSources: [...new Set([pick(r, TRAFFIC[type]), pick(r, TRAFFIC[type])])],
      email: `${slug(person).replace(/-/g, '.')}.${i}@${domain}`,
      phone: `+${Math.floor(10 + r() * 89)} ${Math.floor(100 + r() * 899)} ${Math.floor(100000 + r() * 899999)}`,
      tier: weighted(r, [
        ['standard', 60],
        ['silver', 22],
        ['gold', 13],
        ['platinum', 5],
      ] as const),
      tags: [...new Set(Array.from({ length: Math.floor(r() * 3) }, () => pick(r, TAGS)))],
      parentIndex,
      ownerIndex: Math.floor(r() * bdmCount),
      contacts: [],
    };
    spec.contacts.push({
      name: person,
      email: spec.email,
      phone: spec.phone,
      role: 'primary',
      isPrimary: true,
    });
    if (kind === 'company' && chance(r, 0.7)) {
      const fin = `${pick(r, FIRST)} ${pick(r, LAST)}`;
      spec.contacts.push({
        name: fin,
        email: `${slug(fin).replace(/-/g, '.')}@${domain}`,
        phone: spec.phone,
        role: 'billing',
        isPrimary: false,
      });
    }
    if (chance(r, 0.35)) {
      const tech = `${pick(r, FIRST)} ${pick(r, LAST)}`;
      spec.contacts.push({
        name: tech,
        email: `${slug(tech).replace(/-/g, '.')}@${domain}`,
        phone: spec.phone,
        role: 'technical',
        isPrimary: false,
      });
    }
    if (type === 'ib') {
      if (parentIndex === null) masterIbs.push(i);
      else if ((specs[parentIndex] as DemoPartnerSpec).parentIndex === null) secondLevel.push(i);
    }
    specs.push(spec);
  }
  // Guarantee the demo shows deep hierarchies even for small counts: chain three IBs if none exists.
  if (!specs.some((s) => s.parentIndex !== null && specs[s.parentIndex]?.parentIndex != null)) {
    const ibs = specs.filter((s) => s.type === 'ib' && s.parentIndex === null).slice(0, 3);
    if (ibs.length === 3) {
      (ibs[1] as DemoPartnerSpec).parentIndex = (ibs[0] as DemoPartnerSpec).index;
      (ibs[2] as DemoPartnerSpec).parentIndex = (ibs[1] as DemoPartnerSpec).index;
    }
  }
  // A master IB brings in sub-IBs once it is live: every parent is active (or suspended since).
  const parents = new Set(specs.flatMap((s) => (s.parentIndex === null ? [] : [s.parentIndex])));
  for (const i of parents) {
    const p = specs[i] as DemoPartnerSpec;
    if (p.stage !== 'active' && p.stage !== 'suspended') p.stage = 'active';
  }
  // Every stage shows up, even in a small workspace: take partners from the most crowded stage.
  for (const stage of ALL_DEMO_STAGES) {
    if (specs.some((s) => s.stage === stage)) continue;
    const counts = new Map<DemoStage, number>();
    for (const s of specs) counts.set(s.stage, (counts.get(s.stage) ?? 0) + 1);
    const crowded = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    const donor = [...specs].reverse().find((s) => s.stage === crowded && !parents.has(s.index));
    if (donor) donor.stage = stage;
  }
  return specs;
}

export const ALL_DEMO_STAGES: readonly DemoStage[] = [
  ...STAGES_IN_ORDER,
  'rejected',
  'suspended',
  'offboarded',
];

// ---------------------------------------------------------------------------------------------------------
// Journeys: when each partner entered each stage (in days before "now") and what happened on the way. The
// seed walks each partner through the real services at these times.

/** How the partner's due-diligence case goes. */
export type DdOutcome =
  | 'approve' // decided positively in one go
  | 'approve_after_request' // Compliance asked for more, the BDM answered, then approved
  | 'request_open' // Compliance asked for more and is waiting (the case clock is stopped)
  | 'open' // Compliance is still working on it
  | 'reject'; // rejected (the partner is rejected with it)

export interface DemoVisit {
  stage: DemoStage;
  /** Days before now the partner entered this stage (the first visit: when the partner was created). */
  enteredDaysAgo: number;
}

export interface DemoJourney {
  index: number;
  /** Every stage the partner is in or passed through, oldest first; the last one is where it is now. */
  visits: DemoVisit[];
  dd: DdOutcome;
  /** Over 14 days in its current stage, with little happening. */
  stalled: boolean;
  /** Stuck in activation readiness on an open blocking risk flag raised by Compliance. */
  blockingRisk: boolean;
  /** Its terms wait in the approvals inbox (activation readiness). */
  pendingTerms: boolean;
  /** Active and negotiating better terms, waiting in the approvals inbox. */
  negotiating: boolean;
  /** An open, non-blocking risk flag (some active partners). */
  watchFlag: boolean;
  /** How much of the current stage's work is done (0–1), for partners still onboarding. */
  progress: number;
}

const STAGE_DAYS: Record<string, readonly [number, number]> = {
  intake: [1, 5],
  due_diligence: [2, 9],
  tracking_setup: [1, 4],
  activation_readiness: [2, 7],
  handover: [0.5, 2.5],
  active: [10, 45],
};

/** The path to where `stage` is: the gate stages (and active) the partner passes through, then the stage. */
function pathTo(stage: DemoStage, rejectedFromIntake: boolean): DemoStage[] {
  const upTo = (s: string) =>
    STAGES_IN_ORDER.slice(0, STAGES_IN_ORDER.indexOf(s as never) + 1) as DemoStage[];
  if (stage === 'rejected') return [...upTo(rejectedFromIntake ? 'intake' : 'due_diligence'), 'rejected'];
  if (stage === 'suspended' || stage === 'offboarded') return [...upTo('active'), stage];
  return upTo(stage);
}

/** Journeys for the specs: deterministic; sub-IBs join after their master IB went live. */
export function demoJourneys(specs: readonly DemoPartnerSpec[], seed = 424242): DemoJourney[] {
  const r = prng(seed);
  const range = ([a, b]: readonly [number, number]) => a + r() * (b - a);
  const out: DemoJourney[] = [];
  for (const spec of specs) {
    const target = spec.stage;
    const rejectedFromIntake = target === 'rejected' && chance(r, 0.3);
    const path = pathTo(target, rejectedFromIntake);
    const onboarding = (STAGES_IN_ORDER as readonly string[]).includes(target) && target !== 'active';
    const stalled = onboarding && target !== 'intake' && spec.parentIndex === null && chance(r, 0.12);
    // Days spent in each visit but the last, then how long ago the last one began.
    const spent = path.slice(0, -1).map((s) => range(STAGE_DAYS[s] ?? [1, 3]));
    let dwell: number;
    if (stalled) dwell = range([15, 34]);
    else if (onboarding) dwell = 0.1 + r() ** 1.6 * 8;
    else if (target === 'active') dwell = range([1, 70]);
    else dwell = range([1, 40]);
    // Everything within the last ~90 days; a sub-IB joins after its parent went live (or at least existed).
    let limit = 90;
    if (spec.parentIndex !== null) {
      const parent = out[spec.parentIndex] as DemoJourney;
      const live = parent.visits.find((v) => v.stage === 'active');
      const first = parent.visits[0] as DemoVisit;
      limit = live && live.enteredDaysAgo > 4 ? live.enteredDaysAgo - 0.5 : first.enteredDaysAgo - 0.5;
    }
    const total = spent.reduce((a, b) => a + b, 0) + dwell;
    if (total > limit) {
      const f = limit / total;
      for (let i = 0; i < spent.length; i++) spent[i] = (spent[i] as number) * f;
      dwell *= f;
    }
    const visits: DemoVisit[] = [];
    let ago = spent.reduce((a, b) => a + b, 0) + dwell;
    path.forEach((stage, i) => {
      visits.push({ stage, enteredDaysAgo: ago });
      ago -= i < spent.length ? (spent[i] as number) : 0;
    });
    let dd: DdOutcome = chance(r, 0.18) ? 'approve_after_request' : 'approve';
    if (target === 'due_diligence')
      dd = stalled
        ? 'request_open'
        : weighted(r, [
            ['open', 60],
            ['request_open', 22],
            ['approve', 18],
          ]);
    if (target === 'rejected' && !rejectedFromIntake) dd = 'reject';
    if (target === 'intake' || rejectedFromIntake) dd = 'open';
    const blockingRisk = target === 'activation_readiness' && !stalled && chance(r, 0.25);
    out.push({
      index: spec.index,
      visits,
      dd,
      stalled,
      blockingRisk,
      pendingTerms: target === 'activation_readiness' && !blockingRisk && chance(r, 0.35),
      negotiating: target === 'active' && chance(r, 0.12),
      watchFlag: target === 'active' && chance(r, 0.08),
      // The longer a partner has been in its stage, the more of the stage's work is done.
      progress: stalled ? 0.25 : Math.min(0.95, 0.2 + dwell / 6 + r() * 0.1),
    });
  }
  // Guarantees for small workspaces: a stalled partner, a waiting documentation request, a blocking risk flag.
  const find = (pred: (j: DemoJourney, s: DemoPartnerSpec) => boolean) =>
    out.find((j) => pred(j, specs[j.index] as DemoPartnerSpec));
  const current = (j: DemoJourney) => (j.visits[j.visits.length - 1] as DemoVisit).stage;
  if (!out.some((j) => j.stalled)) {
    const j = find(
      (j, s) =>
        ['due_diligence', 'tracking_setup', 'activation_readiness'].includes(current(j)) &&
        s.parentIndex === null,
    );
    if (j) {
      const last = j.visits[j.visits.length - 1] as DemoVisit;
      const shift = 20 - last.enteredDaysAgo;
      if (shift > 0) for (const v of j.visits) v.enteredDaysAgo += shift;
      j.stalled = true;
      j.progress = 0.25;
      j.blockingRisk = false;
      if (current(j) === 'due_diligence') j.dd = 'request_open';
    }
  }
  if (!out.some((j) => j.dd === 'request_open')) {
    const j = find((j) => current(j) === 'due_diligence');
    if (j) j.dd = 'request_open';
  }
  if (!out.some((j) => j.blockingRisk)) {
    const j = find((j) => current(j) === 'activation_readiness' && !j.stalled);
    if (j) j.blockingRisk = true;
  }
  if (!out.some((j) => j.pendingTerms)) {
    const j = find((j) => current(j) === 'activation_readiness' && !j.blockingRisk);
    if (j) j.pendingTerms = true;
  }
  if (!out.some((j) => j.negotiating)) {
    const j = find((j) => current(j) === 'active');
    if (j) j.negotiating = true;
  }
  return out;
}

export function stageIndex(stage: DemoStage): number {
  const i = (STAGES_IN_ORDER as readonly string[]).indexOf(stage);
  return i === -1 ? 2 : i; // side states sit mid-way for the purpose of how much paperwork exists
}
