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

export const STAGES_IN_ORDER = ['intake', 'due_diligence', 'tracking_setup', 'activation_readiness', 'handover', 'active'] as const;
export type DemoStage = (typeof STAGES_IN_ORDER)[number] | 'rejected' | 'suspended' | 'offboarded';
export type DemoType = 'ib' | 'affiliate' | 'white_label' | 'network' | 'influencer';

const FIRST = ['Ahmed', 'Maria', 'Chen', 'Olga', 'Ravi', 'Fatima', 'Lucas', 'Sofia', 'Nikos', 'Elena', 'Omar', 'Ana', 'Tomasz', 'Priya', 'Daniel', 'Yusuf', 'Mei', 'Carlos', 'Ioana', 'Kwame', 'Hana', 'Marco', 'Aisha', 'Pavel', 'Leila', 'Thanh', 'Giorgos', 'Nadia', 'Felipe', 'Sara'];
const LAST = ['Al-Rashid', 'Papadopoulos', 'Nguyen', 'Kowalski', 'Sharma', 'Haddad', 'Silva', 'Ivanova', 'Georgiou', 'Mensah', 'Tanaka', 'Rossi', 'Khan', 'Novak', 'Hassan', 'Lim', 'Garcia', 'Popescu', 'Okafor', 'Müller', 'Demir', 'Santos', 'Petrov', 'Costa', 'Ali', 'Wong', 'Christou', 'Mendes', 'Yilmaz', 'Ramos'];
const COMPANY_WORDS = ['Alpha', 'Pip', 'Apex', 'Meridian', 'Falcon', 'Atlas', 'Orion', 'Vertex', 'Summit', 'Harbor', 'Nova', 'Pinnacle', 'Sterling', 'Crescent', 'Zenith', 'Pioneer', 'Blue Wave', 'Golden Bull', 'Silk Road', 'Delta'];
const COMPANY_KINDS = ['Trading Academy', 'Capital Partners', 'FX Signals', 'Markets Media', 'Traders Club', 'Invest Hub', 'Finance Network', 'Trading Group', 'Wealth Education', 'Brokers Introductions'];
const SUFFIX: Record<string, string> = { CY: 'Ltd', GB: 'Ltd', AE: 'FZE', MY: 'Sdn Bhd', TH: 'Co., Ltd', VN: 'JSC', ZA: '(Pty) Ltd', NG: 'Ltd', BR: 'Ltda', MX: 'S.A. de C.V.', PL: 'Sp. z o.o.', DE: 'GmbH', ID: 'PT', KE: 'Ltd', EG: 'LLC', TR: 'A.Ş.', IN: 'Pvt Ltd', SG: 'Pte Ltd', CO: 'S.A.S.', PH: 'Inc.' };
const COUNTRIES: readonly (readonly [string, number, string[]])[] = [
  ['AE', 8, ['ar', 'en']], ['MY', 8, ['ms', 'en']], ['TH', 6, ['th']], ['VN', 7, ['vi']], ['ZA', 6, ['en']],
  ['NG', 6, ['en']], ['BR', 6, ['pt']], ['MX', 5, ['es']], ['PL', 4, ['pl']], ['DE', 3, ['de']],
  ['ID', 7, ['id']], ['KE', 4, ['en', 'sw']], ['EG', 4, ['ar']], ['TR', 4, ['tr']], ['IN', 6, ['hi', 'en']],
  ['SG', 3, ['en', 'zh']], ['CO', 3, ['es']], ['PH', 4, ['en']], ['CY', 3, ['el', 'en']], ['GB', 3, ['en']],
];
const TRAFFIC: Record<DemoType, string[]> = {
  ib: ['education', 'signals', 'telegram', 'offline', 'social'],
  affiliate: ['seo', 'ppc', 'email', 'social'],
  white_label: ['offline', 'education', 'seo'],
  network: ['ppc', 'seo', 'email', 'social'],
  influencer: ['youtube', 'social', 'telegram', 'influencer'],
};
const TAGS = ['vip', 'mena', 'latam', 'apac', 'africa', 'europe', 'high-volume', 'crypto-focus', 'education', 'signals', 'watchlist', 'q4-push', 'referral-programme'];

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

function slug(s: string): string {
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
    const type = weighted<DemoType>(r, [['ib', 40], ['affiliate', 28], ['influencer', 12], ['network', 10], ['white_label', 10]]);
    const kind: 'individual' | 'company' =
      type === 'influencer' ? (chance(r, 0.85) ? 'individual' : 'company') : type === 'ib' ? (chance(r, 0.45) ? 'individual' : 'company') : 'company';
    const [country, , langs] = weighted(r, COUNTRIES.map((c) => [c, c[1]] as const));
    const person = `${pick(r, FIRST)} ${pick(r, LAST)}`;
    let displayName: string;
    let legalName: string | null;
    if (kind === 'individual') {
      displayName = type === 'influencer' ? `${person.split(' ')[0]} Trades ${pick(r, ['FX', 'Gold', 'Daily', 'Live', 'Pro'])}` : person;
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
      ['intake', 14], ['due_diligence', 14], ['tracking_setup', 11], ['activation_readiness', 9], ['handover', 6],
      ['active', 36], ['rejected', 4], ['suspended', 3], ['offboarded', 3],
    ]);
    let parentIndex: number | null = null;
    if (type === 'ib' && i > 5) {
      // Roughly a third of IBs are sub-IBs; some of those sit under a sub-IB (three levels).
      if (secondLevel.length > 0 && chance(r, 0.12)) parentIndex = pick(r, secondLevel);
      else if (masterIbs.length > 0 && chance(r, 0.3)) parentIndex = pick(r, masterIbs);
    }
    const domain = `${slug(displayName).slice(0, 24)}.example`;
    const websites = type === 'ib' && kind === 'individual' && chance(r, 0.5) ? [] : [`https://${domain}`];
    if (type === 'influencer') websites.push(`https://youtube.example/@${slug(displayName).replace(/-/g, '')}`);
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
      tier: weighted(r, [['standard', 60], ['silver', 22], ['gold', 13], ['platinum', 5]] as const),
      tags: [...new Set(Array.from({ length: Math.floor(r() * 3) }, () => pick(r, TAGS)))],
      parentIndex,
      ownerIndex: Math.floor(r() * bdmCount),
      contacts: [],
    };
    spec.contacts.push({ name: person, email: spec.email, phone: spec.phone, role: 'primary', isPrimary: true });
    if (kind === 'company' && chance(r, 0.7)) {
      const fin = `${pick(r, FIRST)} ${pick(r, LAST)}`;
      spec.contacts.push({ name: fin, email: `${slug(fin).replace(/-/g, '.')}@${domain}`, phone: spec.phone, role: 'billing', isPrimary: false });
    }
    if (chance(r, 0.35)) {
      const tech = `${pick(r, FIRST)} ${pick(r, LAST)}`;
      spec.contacts.push({ name: tech, email: `${slug(tech).replace(/-/g, '.')}@${domain}`, phone: spec.phone, role: 'technical', isPrimary: false });
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
  return specs;
}

export function stageIndex(stage: DemoStage): number {
  const i = (STAGES_IN_ORDER as readonly string[]).indexOf(stage);
  return i === -1 ? 2 : i; // side states sit mid-way for the purpose of how much paperwork exists
}
