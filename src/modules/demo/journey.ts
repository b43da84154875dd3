// One demo partner's story, told through the real services by people of the right roles: the owner BDM creates
// it at intake and supplies fields, contacts and documents; Compliance reviews documents and runs the
// due-diligence case; Finance verifies payout details; Ops and the BDM tick their gate items and advance;
// Support takes the handover. What each stage still needs is read from the partner's gate (the onboarding
// module's own read) and from the mandatory-field policy, never from a copy of the template. Each action
// happens at its own moment on the simulated clock (see sim-clock.ts).
import { Readable } from 'node:stream';
import type { RequestContext } from '../../platform/auth/actor.ts';
import type { Role } from '../../platform/auth/permissions.ts';
import type { Config } from '../../platform/config.ts';
import { todayUtc } from '../../platform/time.ts';
import type { Store } from '../../platform/tx.ts';
import { type documentStorage, reviewDocument, type UploadPart, uploadDocument } from '../documents/index.ts';
import {
  addParty,
  addWebsiteReview,
  answerRequest,
  decideDueDiligence,
  openCase,
  putPayoutDetails,
  raiseRiskFlag,
  recordScreening,
  resolveRiskFlag,
  updateCase,
  verifyPayoutDetails,
} from '../due-diligence/index.ts';
import {
  acknowledgeHandover,
  advancePartner,
  decidePartner,
  type GateItem,
  getOnboarding,
  type Stage,
  type TemplateStage,
  tickItem,
} from '../onboarding/index.ts';
import { createContact, createPartner, loadPartnerFor, updatePartner } from '../partners/index.ts';
import { missingFieldsFor } from '../policy/index.ts';
import { completeTask, listTasks, startTask } from '../tasks/index.ts';
import { acceptTerms, approveTerms, createTermsProposal, type Plan } from '../terms/index.ts';
import {
  chance,
  type DemoJourney,
  type DemoPartnerSpec,
  FIRST,
  LAST,
  pick,
  prng,
  type Rand,
  slug,
} from './demo-data.ts';
import type { SimClock } from './sim-clock.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
export const SCREENING_PROVIDER = 'World-Check One';

export type StaffKey =
  | 'admin'
  | 'leadership'
  | 'teamlead'
  | 'bdm1'
  | 'bdm2'
  | 'bdm3'
  | 'ops'
  | 'compliance'
  | 'compliance2'
  | 'finance'
  | 'support'
  | 'readonly';

export interface DemoStats {
  documents: number;
  terms: number;
  ddCases: number;
  ticks: number;
  tasksCompleted: number;
  riskFlags: number;
  finished: number;
}

/** Everything the stories share. */
export interface DemoWorld {
  store: Store;
  config: Pick<Config, 'dataDir' | 'maxUploadBytes'>;
  storage: ReturnType<typeof documentStorage>;
  clock: SimClock;
  /** The real "now" when seeding began: every story ends before it. */
  now: number;
  staff: Record<StaffKey, RequestContext>;
  bdms: RequestContext[];
  /** Partner ids by spec index, filled as partners are created. */
  ids: (string | undefined)[];
  /** Restricted countries per regulated entity. */
  restricted: Map<string, Set<string>>;
  /** The checklist template (current version) per partner type. */
  templates: Map<string, Record<string, TemplateStage>>;
  stats: DemoStats;
  /** Called when a partner's story is complete. */
  onFinished?: () => void;
}

type Doc = { id: string; type: string; status: 'pending' | 'approved' | 'rejected'; subject: string | null };
type Ubo = {
  name: string;
  country: string;
  beneficialBps: number;
  roles: ('director' | 'shareholder' | 'ubo')[];
  shareholdingBps: number | null;
};

/** Moments for the actions of one stage visit: each a little after the last, never past the visit's end. */
class Pace {
  constructor(
    public t: number,
    public end: number,
    private r: Rand,
  ) {}
  next(minMinutes = 10, maxMinutes = 120): number {
    const room = this.end - this.t;
    const want = (minMinutes + this.r() * (maxMinutes - minMinutes)) * MIN;
    let t = this.t + Math.max(Math.min(want, room / 3), 1000);
    const w = workingTime(t, this.r);
    if (w <= this.end) t = w;
    return t;
  }
}

/** The next moment at or after `t` within office hours (Mon–Fri, 06:00–16:00 UTC, i.e. Nicosia 09:00–19:00). */
export function workingTime(t: number, r: Rand): number {
  const d = new Date(t);
  const h = d.getUTCHours() + d.getUTCMinutes() / 60;
  let day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  let out = t;
  if (h >= 16) {
    day += DAY;
    out = day + 6 * HOUR + Math.floor(r() * 90) * MIN;
  } else if (h < 6) out = day + 6 * HOUR + Math.floor(r() * 90) * MIN;
  for (;;) {
    const wd = new Date(out).getUTCDay();
    if (wd !== 0 && wd !== 6) return out;
    out += DAY;
  }
}

const endOfUtcDay = (t: number) => Math.floor(t / DAY) * DAY + DAY - 1;
const dateOf = (t: number) => new Date(t).toISOString().slice(0, 10);
const plusDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00.000Z`) + days * DAY).toISOString().slice(0, 10);

// The firm's restricted countries per regulated entity (as an admin would set them up).
const SANCTIONED = ['US', 'IR', 'KP', 'SY', 'CU'];
const EEA = ['AT', 'BE', 'CY', 'DE', 'ES', 'FR', 'GR', 'IE', 'IT', 'NL', 'PL', 'PT', 'RO', 'SE'];
export const RESTRICTED_COUNTRIES: Record<string, { country: string; reason: string }[]> = {
  CySEC: [
    ...SANCTIONED.map((c) => ({
      country: c,
      reason: c === 'US' ? 'Not licensed for US persons (CFTC/NFA)' : 'Sanctioned jurisdiction',
    })),
    { country: 'BE', reason: 'FSMA ban on marketing CFDs to retail clients through intermediaries' },
    { country: 'CA', reason: 'Not licensed in Canadian provinces' },
    { country: 'JP', reason: 'Not registered with the JFSA' },
  ],
  FSCA: [
    ...SANCTIONED.map((c) => ({
      country: c,
      reason: c === 'US' ? 'Not licensed for US persons (CFTC/NFA)' : 'Sanctioned jurisdiction',
    })),
    ...EEA.map((c) => ({ country: c, reason: 'EEA clients are onboarded by the CySEC entity only' })),
    { country: 'GB', reason: 'UK clients are not served by the FSCA entity' },
    { country: 'JP', reason: 'Not registered with the JFSA' },
  ],
  'FSA Seychelles': [
    ...SANCTIONED.map((c) => ({
      country: c,
      reason: c === 'US' ? 'Not licensed for US persons (CFTC/NFA)' : 'Sanctioned jurisdiction',
    })),
    ...EEA.map((c) => ({ country: c, reason: 'EEA clients are onboarded by the CySEC entity only' })),
    { country: 'GB', reason: 'UK clients are not served by the offshore entity' },
    { country: 'CA', reason: 'Not licensed in Canadian provinces' },
    { country: 'AU', reason: 'ASIC product intervention order' },
    { country: 'JP', reason: 'Not registered with the JFSA' },
  ],
};

/** The entity a partner from `country` is onboarded to. */
export function entityFor(country: string, r: Rand): string {
  if (['CY', 'GB', 'DE', 'PL'].includes(country)) return 'CySEC';
  if (['ZA', 'NG', 'KE'].includes(country)) return chance(r, 0.6) ? 'FSCA' : 'FSA Seychelles';
  return chance(r, 0.75) ? 'FSA Seychelles' : 'CySEC';
}

const NEIGHBOURS: Record<string, string[]> = {
  AE: ['SA', 'KW', 'QA', 'OM', 'BH', 'JO'],
  MY: ['SG', 'ID', 'TH', 'BN'],
  TH: ['MY', 'VN', 'KH', 'LA'],
  VN: ['TH', 'KH', 'LA', 'MY'],
  ZA: ['NA', 'BW', 'ZW', 'MZ'],
  NG: ['GH', 'KE', 'CM'],
  BR: ['AR', 'CL', 'CO', 'PE'],
  MX: ['CO', 'PE', 'CL', 'GT'],
  PL: ['CZ', 'SK', 'LT', 'DE'],
  DE: ['AT', 'CH', 'NL', 'PL'],
  ID: ['MY', 'SG', 'PH'],
  KE: ['TZ', 'UG', 'RW', 'NG'],
  EG: ['SA', 'JO', 'MA', 'AE'],
  TR: ['AZ', 'GE', 'DE'],
  IN: ['AE', 'LK', 'NP', 'BD'],
  SG: ['MY', 'ID', 'PH', 'HK'],
  CO: ['PE', 'EC', 'CL', 'MX'],
  PH: ['SG', 'MY', 'HK'],
  CY: ['GR', 'DE', 'RO'],
  GB: ['IE', 'AE', 'ZA'],
};

const REGISTRIES: Record<string, string> = {
  CY: 'Registrar of Companies, Cyprus',
  GB: 'Companies House',
  AE: 'DMCC Free Zone Authority',
  MY: 'Companies Commission of Malaysia (SSM)',
  SG: 'ACRA',
  ZA: 'CIPC',
  DE: 'Handelsregister',
  PL: 'Krajowy Rejestr Sądowy',
  NG: 'Corporate Affairs Commission',
  IN: 'Ministry of Corporate Affairs',
};

const IBAN_LENGTH: Record<string, number> = { CY: 28, GB: 22, DE: 22, PL: 28, AE: 23, TR: 26, EG: 29 };

/** A fictional IBAN with a correct ISO 13616 check (digits only). */
export function demoIban(country: string, r: Rand): string {
  const len = IBAN_LENGTH[country] ?? 22;
  let bban = '';
  for (let i = 0; i < len - 4; i++) bban += String(Math.floor(r() * 10));
  const numeric = `${bban}${[...country].map((c) => String(c.charCodeAt(0) - 55)).join('')}00`;
  let rem = 0;
  for (const ch of numeric) rem = (rem * 10 + Number(ch)) % 97;
  return `${country}${String(98 - rem).padStart(2, '0')}${bban}`;
}

function minimalPdf(title: string): Buffer {
  const text = title
    .replace(/[()\\]/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 80);
  const stream = `BT /F1 14 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

export function planFor(spec: DemoPartnerSpec, r: Rand, generous: boolean): { plan: Plan; currency: string } {
  const currency = chance(r, 0.8) ? 'USD' : 'EUR';
  const bump = generous ? 2 : 1;
  const qualification = {
    minFtdMinor: pick(r, [10000, 20000, 25000]),
    minLots: pick(r, [100, 200, 300]),
    withinDays: pick(r, [30, 60, 90]),
  };
  switch (spec.type) {
    case 'ib': {
      const plan: Plan = {
        model: 'rebate',
        rebates: [
          { group: 'fx_majors', amountPerLotMinor: pick(r, [500, 600, 700]) * bump },
          { group: 'metals', amountPerLotMinor: pick(r, [600, 800]) * bump },
          { group: 'indices', amountPerLotMinor: pick(r, [200, 300]) * bump },
        ],
        ...(spec.parentIndex === null && chance(r, 0.6)
          ? { subIbOverride: { perLotMinor: pick(r, [50, 100]) } }
          : {}),
        holdingDays: 7,
      };
      return { plan, currency };
    }
    case 'affiliate':
    case 'network':
      return {
        plan: {
          model: 'cpa',
          cpa: chance(r, 0.5)
            ? { amountMinor: pick(r, [20000, 25000, 30000]) * bump, qualification }
            : {
                tiers: [{ amountMinor: 15000 * bump }, { minFtdMinor: 100000, amountMinor: 30000 * bump }],
                qualification,
              },
          holdingDays: 30,
          caps: { qualifiedFtdsPerMonth: pick(r, [100, 200, 500]) },
        },
        currency,
      };
    case 'influencer':
      return {
        plan: {
          model: 'hybrid',
          cpa: { amountMinor: pick(r, [10000, 15000]) * bump, qualification },
          revshare: { shareBps: pick(r, [1500, 2000]), basis: 'net_revenue' },
          holdingDays: 30,
        },
        currency,
      };
    default:
      return {
        plan: {
          model: 'revshare',
          revshare: { shareBps: pick(r, [2500, 3000, 3500]) + (generous ? 1500 : 0), basis: 'spread' },
        },
        currency,
      };
  }
}

const TICK_COMMENTS: Record<string, string[]> = {
  qualification_call: [
    'Video call held: runs a Telegram channel of ~4,000 traders, mostly gold and FX majors; expects 15–25 FTDs a month.',
    'Met at the Dubai Forex Expo, follow-up call done. Education business, weekly webinars, 300 active students.',
    'Qualification call done; currently with another broker, unhappy with rebate payment delays.',
  ],
  duplicate_check: [
    'No match by name, e-mail, phone or IP in the CRM and the back office.',
    'Checked CRM and MT5 back office: no existing client or partner account.',
  ],
  commercial_fit: [
    'Fits the programme: volume projection reviewed with the BDM, standard white-label setup.',
    'Approved: network has compliant sub-affiliates in our target GEOs.',
  ],
  marketing_review: [
    'Marketing methods and target countries checked against the restricted list of the entity.',
    'Reviewed ads and landing pages; risk warnings present, target countries allowed.',
  ],
  enhanced_dd: ['Sub-affiliate onboarding and end-client controls reviewed; questionnaire on file.'],
  channels_review: [
    'YouTube and Instagram reviewed: no guaranteed-profit claims, risk warning in bio.',
    'Telegram channel reviewed; asked to pin the risk warning, done.',
  ],
  ib_model_review: [
    'Confirmed the IB refers clients only: no account management, no trading on behalf, no PAMM.',
  ],
  links_configured: [
    'Tracking links created and postback tested with the partner.',
    'Referral code and links set up; partner confirmed they work.',
  ],
  payout_schedule: [
    'Monthly payout on the 10th; self-billing invoices enabled.',
    'Weekly rebate payout set; invoicing via the partner portal.',
  ],
  escalation_contacts: [
    'Escalation contacts agreed: partner manager and our support desk lead.',
    'Agreed on a WhatsApp group with the partner for urgent client issues.',
  ],
};

const PRIORITY: Record<string, number> = {
  mandatory_fields: 0,
  due_diligence_positive: 2,
  documents_approved: 3,
  agreement_signed: 3,
  terms_approved_accepted: 5,
  payout_verified: 5,
  no_blocking_risk: 6,
  stage_tasks_done: 8,
  handover_acknowledged: 9,
  tracking_qa_passed: 9,
};
function priorityOf(item: GateItem): number {
  if (item.kind === 'manual') {
    const role = 'role' in item.owner ? item.owner.role : null;
    return role === 'bdm' || role === 'ops' || role === 'team_lead' ? 1 : 4;
  }
  return PRIORITY[item.check ?? ''] ?? 7;
}

export class PartnerJourney {
  id = '';
  private readonly r: Rand;
  private readonly owner: RequestContext;
  private readonly compliance: RequestContext;
  private readonly docs: Doc[] = [];
  private readonly ubos: Ubo[] = [];
  private readonly custom: Record<string, string | number>;
  private pace: Pace;
  private times: number[] | null = null;
  private termsDone = false;
  private payoutDone = false;

  constructor(
    private readonly w: DemoWorld,
    private readonly spec: DemoPartnerSpec,
    private readonly plan: DemoJourney,
  ) {
    this.r = prng(9001 + spec.index * 7919);
    this.owner = w.bdms[spec.ownerIndex % w.bdms.length] as RequestContext;
    this.compliance = spec.index % 3 === 2 ? w.staff.compliance2 : w.staff.compliance;
    this.custom = { regulated_entity: entityFor(spec.country, this.r) };
    if (spec.type === 'ib') this.custom.trading_platform = pick(this.r, ['MT4', 'MT5', 'cTrader']);
    if (spec.type === 'affiliate' || spec.type === 'network' || spec.type === 'influencer') {
      this.custom.expected_monthly_ftds = pick(this.r, [10, 25, 50, 120]);
    }
    if (spec.kind === 'company') {
      const person = () => `${pick(this.r, FIRST)} ${pick(this.r, LAST)}`;
      const variant = this.r();
      if (variant < 0.45)
        this.ubos.push({
          name: person(),
          country: spec.country,
          beneficialBps: 10_000,
          shareholdingBps: 10_000,
          roles: ['director', 'shareholder', 'ubo'],
        });
      else if (variant < 0.85) {
        this.ubos.push({
          name: person(),
          country: spec.country,
          beneficialBps: 6_000,
          shareholdingBps: 6_000,
          roles: ['director', 'shareholder', 'ubo'],
        });
        this.ubos.push({
          name: person(),
          country: pick(this.r, [spec.country, 'CY', 'GB', 'AE']),
          beneficialBps: 4_000,
          shareholdingBps: 4_000,
          roles: ['shareholder', 'ubo'],
        });
      } else {
        this.ubos.push({
          name: person(),
          country: spec.country,
          beneficialBps: 5_000,
          shareholdingBps: 5_000,
          roles: ['director', 'shareholder', 'ubo'],
        });
        this.ubos.push({
          name: person(),
          country: spec.country,
          beneficialBps: 3_000,
          shareholdingBps: 3_000,
          roles: ['shareholder', 'ubo'],
        });
        this.ubos.push({
          name: person(),
          country: spec.country,
          beneficialBps: 2_000,
          shareholdingBps: 2_000,
          roles: ['shareholder'],
        });
      }
    }
    this.pace = new Pace(0, 0, this.r);
  }

  private get store(): Store {
    return this.w.store;
  }

  /** When the story starts (the partner's creation). */
  firstMoment(): number {
    return this.visitTimes()[0] as number;
  }

  private visitTimes(): number[] {
    if (this.times) return this.times;
    const times = this.plan.visits.map((v) => this.w.now - v.enteredDaysAgo * DAY);
    // Moves happen in office hours when that keeps them in order.
    for (let i = 0; i < times.length; i++) {
      const limit = (times[i + 1] ?? this.w.now - 3 * HOUR) - HOUR;
      const w = workingTime(times[i] as number, this.r);
      if (w < limit) times[i] = w;
    }
    this.times = times;
    return times;
  }

  private async step(minMinutes?: number, maxMinutes?: number): Promise<void> {
    await this.w.clock.at(this.pace.next(minMinutes, maxMinutes));
    this.pace.t = this.w.clock.now();
  }

  /** A step that stays on the same UTC day as now (terms take effect on the day they are proposed). */
  private async stepSameDay(): Promise<void> {
    const now = this.w.clock.now();
    const t = Math.min(this.pace.next(10, 90), endOfUtcDay(now) - 5 * MIN);
    if (t > now) {
      await this.w.clock.at(t);
      this.pace.t = this.w.clock.now();
    }
  }

  private ctxFor(role: Role): RequestContext {
    switch (role) {
      case 'bdm':
        return this.owner;
      case 'ops':
        return this.w.staff.ops;
      case 'compliance':
        return this.compliance;
      case 'finance':
        return this.w.staff.finance;
      case 'support':
        return this.w.staff.support;
      case 'team_lead':
        return this.w.staff.teamlead;
      case 'leadership':
        return this.w.staff.leadership;
      default:
        return this.w.staff.admin;
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // The story

  async run(): Promise<void> {
    const visits = this.plan.visits;
    const times = this.visitTimes();
    this.pace = new Pace(this.w.clock.now(), (times[1] ?? this.w.now - 5 * MIN) - MIN, this.r);
    await this.create();
    for (let i = 0; i < visits.length; i++) {
      const stage = (visits[i] as { stage: string }).stage;
      const next = visits[i + 1]?.stage;
      const nextAt = times[i + 1];
      const end = (nextAt ?? this.w.now - 5 * MIN) - MIN;
      this.pace = new Pace(Math.max(this.w.clock.now(), times[i] as number), end, this.r);
      if (i > 0 && this.w.clock.now() < (times[i] as number)) await this.w.clock.at(times[i] as number);
      if (stage === 'active') {
        await this.activeLife(next === undefined);
        if (next && nextAt !== undefined) {
          await this.w.clock.at(nextAt);
          await this.leaveActive(next);
        }
      } else if (next === undefined) {
        if (stage !== 'rejected' && stage !== 'suspended' && stage !== 'offboarded')
          await this.workCurrentStage(stage as Stage);
      } else if (next === 'rejected') {
        await this.rejectFrom(stage as Stage, nextAt as number);
      } else {
        await this.completeStage(stage as Stage);
        await this.w.clock.at(nextAt as number);
        await this.leave(stage as Stage);
      }
    }
    this.w.stats.finished++;
    this.w.onFinished?.();
  }

  private async create(): Promise<void> {
    const s = this.spec;
    const parentId = s.parentIndex === null ? undefined : this.w.ids[s.parentIndex];
    if (s.parentIndex !== null && !parentId)
      throw new Error(`demo: the parent of ${s.displayName} does not exist yet`);
    // What a BDM has after the first conversation; the rest is filled in as the gates ask for it.
    const partner = await createPartner(this.store, this.owner, {
      displayName: s.displayName,
      kind: s.kind,
      type: s.type,
      ...(parentId ? { parentId } : {}),
      country: s.country,
      email: s.email,
      languages: s.languages,
      ...(chance(this.r, 0.5) ? { trafficSources: s.trafficSources as never } : {}),
      ...(s.websites.length > 0 && chance(this.r, 0.5) ? { websites: s.websites } : {}),
      tags: s.tags,
      customFields: this.custom,
    });
    this.id = partner.id;
    this.w.ids[s.index] = partner.id;
    // Reading the onboarding records the partner's entry into intake.
    await getOnboarding(this.store, this.owner, this.id);
    const primary = s.contacts.find((c) => c.isPrimary);
    const atIntakeStill = this.plan.visits.length === 1;
    if (primary && !(atIntakeStill && chance(this.r, 0.35))) {
      await this.step(2, 30);
      await createContact(this.store, this.owner, this.id, { ...primary, role: 'primary' } as never);
    }
  }

  /** Satisfies every blocking item of the stage's gate (read again after each round). */
  private async completeStage(stage: Stage): Promise<void> {
    await this.takeTasks(stage, 1);
    for (let round = 0; round < 4; round++) {
      const view = await getOnboarding(this.store, this.owner, this.id);
      const todo = view.gate.items.filter(
        (i) => i.state !== 'met' && i.blocking && i.check !== 'handover_acknowledged',
      );
      if (todo.length === 0) return;
      for (const item of todo.sort((a, b) => priorityOf(a) - priorityOf(b)))
        await this.satisfy(stage, item, false);
    }
    const view = await getOnboarding(this.store, this.owner, this.id);
    const left = view.gate.blockers.filter((b) => b.key !== 'handover_acknowledged');
    if (left.length > 0) {
      throw new Error(
        `demo: ${this.spec.displayName} cannot leave ${stage}: ${left.map((b) => `${b.label} (${b.reason})`).join('; ')}`,
      );
    }
  }

  /** Moves the partner on from a completed stage, by the person who would. */
  private async leave(stage: Stage): Promise<void> {
    if (stage === 'handover') {
      await acknowledgeHandover(this.store, this.w.staff.support, this.id, {
        note: pick(this.r, [
          'Handover record read; partner introduced to the support desk.',
          'Briefing done with the account manager; partner is live.',
        ]),
      });
      return;
    }
    const by =
      stage === 'intake'
        ? this.owner
        : stage === 'activation_readiness' && chance(this.r, 0.5)
          ? this.owner
          : this.w.staff.ops;
    await advancePartner(this.store, by, this.id, { expectedStage: stage });
  }

  /** The stage the partner is in now: some of its work is done, some waits (and may be overdue). */
  private async workCurrentStage(stage: Stage): Promise<void> {
    const p = this.plan;
    if (p.stalled) this.pace.end = Math.min(this.pace.end, this.pace.t + 3 * DAY);
    if (stage === 'activation_readiness' && p.blockingRisk) {
      // Everything done, then Compliance finds something that blocks activation.
      await this.completeStageExceptTasks(stage);
      await this.step(60, 600);
      await raiseRiskFlag(this.store, this.compliance, {
        partnerId: this.id,
        category: 'compliance',
        severity: 'high',
        blocking: true,
        title: 'Adverse media: named in a regulator warning about unlicensed investment advice',
        details:
          'Found in the pre-activation re-screening (World-Check One). Activation is on hold until Compliance reviews the source and the partner responds.',
      });
      this.w.stats.riskFlags++;
      return;
    }
    await this.takeTasks(stage, p.progress);
    const view = await getOnboarding(this.store, this.owner, this.id);
    const open = view.gate.items
      .filter((i) => i.state !== 'met')
      .sort((a, b) => priorityOf(a) - priorityOf(b));
    for (const item of open) {
      if (item.check === 'due_diligence_positive') {
        await this.dueDiligence(p.dd === 'approve' ? 'approve' : p.dd, p.dd !== 'approve');
        continue;
      }
      if (item.check === 'terms_approved_accepted' && p.pendingTerms) {
        await this.terms(true, true);
        continue;
      }
      if (this.r() > p.progress) continue;
      await this.satisfy(stage, item, true);
    }
  }

  private async completeStageExceptTasks(stage: Stage): Promise<void> {
    const view = await getOnboarding(this.store, this.owner, this.id);
    const todo = view.gate.items.filter(
      (i) =>
        i.state !== 'met' && i.blocking && i.check !== 'stage_tasks_done' && i.check !== 'no_blocking_risk',
    );
    for (const item of todo.sort((a, b) => priorityOf(a) - priorityOf(b)))
      await this.satisfy(stage, item, false);
  }

  private async satisfy(stage: Stage, item: GateItem, partial: boolean): Promise<void> {
    if (item.kind === 'manual') {
      await this.tick(item);
      return;
    }
    switch (item.check) {
      case 'mandatory_fields':
        return this.fillFields(partial);
      case 'documents_approved': {
        const types = this.templateItemTypes(stage, item.key);
        for (const t of types) await this.ensureApproved(t, partial);
        return;
      }
      case 'agreement_signed':
        return this.ensureApproved('agreement', partial);
      case 'due_diligence_positive':
        return this.dueDiligence(
          this.plan.dd === 'approve_after_request' ? 'approve_after_request' : 'approve',
          partial,
        );
      case 'terms_approved_accepted':
        return this.terms(partial, false);
      case 'payout_verified':
        return this.payout(partial);
      case 'no_blocking_risk':
        // Only the stories that mean to stop a partner raise blocking flags; nothing to resolve here.
        return;
      case 'stage_tasks_done':
        return this.finishTasks(stage, partial ? this.plan.progress : 1);
      default:
        // handover_acknowledged is the move itself; tracking QA needs a real landing page (the demo has none).
        return;
    }
  }

  private templateItemTypes(stage: Stage, key: string): string[] {
    const item = this.w.templates.get(this.spec.type)?.[stage]?.items.find((i) => i.key === key);
    return item && item.kind === 'system' ? (item.params?.types ?? []) : [];
  }

  // -------------------------------------------------------------------------------------------------------
  // Actions

  private async tick(item: GateItem): Promise<void> {
    const role = 'role' in item.owner ? item.owner.role : 'ops';
    await this.step();
    const comment = pick(this.r, TICK_COMMENTS[item.key] ?? ['Done.']);
    const evidence =
      item.evidence === 'required'
        ? {
            url: `https://wiki.demo.partnerdesk.local/compliance/${item.key.replace(/_/g, '-')}/${slug(this.spec.displayName)}`,
          }
        : undefined;
    await tickItem(this.store, this.ctxFor(role), this.id, item.key, {
      comment,
      ...(evidence ? { evidence } : {}),
    });
    this.w.stats.ticks++;
  }

  private fieldValue(field: string): unknown {
    const s = this.spec;
    switch (field) {
      case 'legalName':
        return s.legalName ?? s.displayName;
      case 'phone':
        return s.phone;
      case 'languages':
        return s.languages;
      case 'websites':
        return s.websites.length > 0 ? s.websites : [`https://${slug(s.displayName).slice(0, 24)}.example`];
      case 'trafficSources':
        return s.trafficSources;
      case 'tier':
        return s.tier;
      case 'email':
        return s.email;
      case 'country':
        return s.country;
      default:
        return undefined;
    }
  }

  private contactFor(role: string) {
    const known = this.spec.contacts.find((c) => c.role === role);
    if (known)
      return {
        name: known.name,
        email: known.email,
        phone: known.phone,
        role,
        isPrimary: role === 'primary',
      };
    const name = `${pick(this.r, FIRST)} ${pick(this.r, LAST)}`;
    const domain = this.spec.email.split('@')[1] ?? 'example.com';
    return {
      name,
      email: `${slug(name).replace(/-/g, '.')}@${domain}`,
      phone: this.spec.phone,
      role,
      isPrimary: role === 'primary',
    };
  }

  /** Fills what the mandatory-field policy says is missing now and for the next stage. */
  private async fillFields(partial: boolean): Promise<void> {
    const row = await loadPartnerFor(this.store.db, this.owner.actor, this.id, 'see');
    const e = await missingFieldsFor(this.store.db, row);
    const seen = new Set<string>();
    const missing = [...e.stage.missing, ...(e.next?.missing ?? [])].filter(
      (f) => !seen.has(f.field) && seen.add(f.field),
    );
    const patch: Record<string, unknown> = {};
    for (const f of missing) {
      if (partial && chance(this.r, 0.4)) continue;
      if (f.field.startsWith('contact.')) {
        await this.step(5, 90);
        await createContact(this.store, this.owner, this.id, this.contactFor(f.field.slice(8)) as never);
      } else if (f.field.startsWith('document.')) {
        await this.upload(f.field.slice(9));
      } else if (f.field.startsWith('custom.')) {
        const key = f.field.slice(7);
        patch.customFields = { ...((patch.customFields as object) ?? {}), [key]: this.custom[key] ?? 'n/a' };
      } else {
        const v = this.fieldValue(f.field);
        if (v !== undefined) patch[f.field] = v;
      }
    }
    if (Object.keys(patch).length > 0) {
      await this.step(5, 60);
      await updatePartner(this.store, this.owner, this.id, patch as never);
    }
  }

  private identityExpiry(): string {
    const pinned = todayUtc();
    const real = dateOf(this.w.now);
    const x = this.r();
    if (x < 0.06) return plusDays(real, 3 + Math.floor(this.r() * 22)); // expires soon
    const earliest = plusDays(pinned, 30);
    const expiredBy = plusDays(real, -1 - Math.floor(this.r() * 20));
    if (x < 0.09 && expiredBy > earliest) return expiredBy; // expired since it was approved
    return plusDays(real, 365 + Math.floor(this.r() * 1800));
  }

  private async upload(
    type: string,
    opts: { subject?: string; by?: RequestContext; note?: string } = {},
  ): Promise<Doc> {
    await this.step(2, 30);
    const who = opts.subject ?? this.spec.legalName ?? this.spec.displayName;
    const expiresOn = type === 'identity' ? this.identityExpiry() : undefined;
    const label = type.replace(/_/g, '-');
    const parts = async function* (): AsyncGenerator<UploadPart> {
      yield { type: 'field', fieldname: 'type', value: type };
      if (expiresOn) yield { type: 'field', fieldname: 'expiresOn', value: expiresOn };
      if (opts.note) yield { type: 'field', fieldname: 'note', value: opts.note };
      yield {
        type: 'file',
        fieldname: 'file',
        filename: `${label}-${slug(who).slice(0, 40)}.pdf`,
        mimetype: 'application/pdf',
        file: Readable.from([minimalPdf(`${type.replace(/_/g, ' ')} - ${who}`)]),
      };
    };
    const doc = await uploadDocument(
      this.store,
      this.w.storage,
      opts.by ?? this.owner,
      this.id,
      { isMultipart: true, parts },
      {
        maxBytes: this.w.config.maxUploadBytes,
      },
    );
    this.w.stats.documents++;
    const d: Doc = { id: doc.id, type, status: 'pending', subject: opts.subject ?? null };
    this.docs.push(d);
    return d;
  }

  /** Compliance reviews a pending document: mostly approved; now and then sent back and uploaded again. */
  private async review(d: Doc, allowReject = true): Promise<void> {
    await this.step(5, 60);
    if (allowReject && chance(this.r, 0.07)) {
      await reviewDocument(this.store, this.compliance, this.id, d.id, {
        decision: 'reject',
        reason: pick(this.r, [
          'The scan is blurred; upload a clear copy.',
          'The name does not match the partner record.',
          'The document is older than three months.',
        ]),
      });
      d.status = 'rejected';
      const again = await this.upload(d.type, d.subject ? { subject: d.subject } : {});
      await this.review(again, false);
      return;
    }
    await reviewDocument(this.store, this.compliance, this.id, d.id, { decision: 'approve' });
    d.status = 'approved';
  }

  private async reviewPending(filter: (d: Doc) => boolean = () => true): Promise<void> {
    for (const d of this.docs.filter((x) => x.status === 'pending' && filter(x))) await this.review(d);
  }

  private async ensureApproved(type: string, partial: boolean): Promise<void> {
    if (this.docs.some((d) => d.type === type && d.subject === null && d.status === 'approved')) return;
    let d = this.docs.find((x) => x.type === type && x.subject === null && x.status === 'pending');
    if (!d) d = await this.upload(type);
    if (partial && chance(this.r, 0.5)) return;
    await this.review(d);
  }

  private latest(type: string, subject: string | null): Doc | undefined {
    return [...this.docs]
      .reverse()
      .find((d) => d.type === type && d.subject === subject && d.status !== 'rejected');
  }

  private targets(conflict: boolean): string[] {
    const entity = String(this.custom.regulated_entity);
    const restricted = this.w.restricted.get(entity) ?? new Set<string>();
    const around = NEIGHBOURS[this.spec.country] ?? [];
    const out = [this.spec.country, ...around.filter(() => chance(this.r, 0.5))].filter(
      (c) => !restricted.has(c),
    );
    if (conflict) {
      const bad = [...restricted].find((c) => !SANCTIONED.includes(c));
      if (bad) out.push(bad);
    }
    return [...new Set(out.length > 0 ? out : around.filter((c) => !restricted.has(c)).slice(0, 1))];
  }

  /**
   * The due-diligence case, run by Compliance: KYC for individuals, KYB (registration, directors, beneficial
   * owners with their documents) for companies, screening, marketing and target countries, website reviews,
   * then the outcome. `partial` stops part-way (Compliance is still on it).
   */
  private async dueDiligence(outcome: DemoJourney['dd'], partial: boolean): Promise<void> {
    const c = this.compliance;
    const kyb = this.spec.kind === 'company';
    const stopAfter =
      partial && (outcome === 'open' || outcome === 'approve')
        ? 1 + Math.floor(this.r() * 7)
        : Number.POSITIVE_INFINITY;
    let done = 0;
    const more = () => done++ < stopAfter;
    // The BDM supplies the beneficial owners' documents with the KYB pack.
    if (kyb) {
      for (const u of this.ubos.filter((x) => x.beneficialBps >= 2500 && x.roles.includes('ubo'))) {
        if (!this.latest('identity', u.name))
          await this.upload('identity', {
            subject: u.name,
            note: `Passport of ${u.name} (beneficial owner)`,
          });
        if (!this.latest('proof_of_address', u.name))
          await this.upload('proof_of_address', { subject: u.name, note: `Utility bill of ${u.name}` });
      }
    }
    if (!more()) return;
    await this.step(30, 600);
    await openCase(this.store, c, this.id, {});
    this.w.stats.ddCases++;
    if (!more()) return;
    await this.reviewPending();
    if (!more()) return;
    await this.step();
    const conflictShown = outcome === 'open' && chance(this.r, 0.3);
    const facts = {
      marketingMethods: [...new Set(this.spec.trafficSources)] as never,
      targetCountries: this.targets(conflictShown),
    };
    if (kyb) {
      const years = 1 + Math.floor(this.r() * 11);
      await updateCase(this.store, c, this.id, {
        ...facts,
        registration: {
          number: `${this.spec.country}${String(100000 + Math.floor(this.r() * 899999))}`,
          country: this.spec.country,
          registry: REGISTRIES[this.spec.country] ?? `Companies registry (${this.spec.country})`,
          incorporatedOn: plusDays(todayUtc(), -(years * 365 + Math.floor(this.r() * 300))),
        },
      });
    } else {
      await updateCase(this.store, c, this.id, {
        ...facts,
        identityDocumentId: this.latest('identity', null)?.id ?? null,
        addressDocumentId: this.latest('proof_of_address', null)?.id ?? null,
      });
    }
    const partyIds = new Map<string, string>();
    if (kyb) {
      for (const u of this.ubos) {
        if (!more()) return;
        await this.step(3, 20);
        const isUbo = u.roles.includes('ubo');
        const view = await addParty(this.store, c, this.id, {
          kind: 'person',
          name: u.name,
          roles: u.roles,
          country: u.country,
          shareholdingBps: u.roles.includes('shareholder') ? u.shareholdingBps : null,
          beneficialBps: isUbo ? u.beneficialBps : null,
          identityDocumentId: isUbo ? (this.latest('identity', u.name)?.id ?? null) : null,
          addressDocumentId: isUbo ? (this.latest('proof_of_address', u.name)?.id ?? null) : null,
        });
        const party = view.parties.find((p) => p.name === u.name);
        if (party) partyIds.set(u.name, party.id);
      }
    }
    if (!more()) return;
    // The websites on the partner record are the ones Compliance must review.
    const row = await loadPartnerFor(this.store.db, c.actor, this.id, 'see');
    const websites = JSON.parse(row.websites) as string[];
    // Screening in the firm's screening tool; the result is recorded here.
    const trueMatch = outcome === 'reject' && (websites.length === 0 || chance(this.r, 0.6));
    const subjects: (string | null)[] = [
      null,
      ...this.ubos.filter((u) => u.roles.includes('ubo')).map((u) => u.name),
    ];
    for (const [i, subject] of subjects.entries()) {
      await this.step(3, 30);
      const partyId = subject === null ? null : (partyIds.get(subject) ?? null);
      const base = {
        ...(partyId ? { partyId } : {}),
        listTypes: ['sanctions', 'pep', 'adverse_media'] as ('sanctions' | 'pep' | 'adverse_media')[],
        provider: SCREENING_PROVIDER,
        screenedOn: todayUtc(),
        reference: `WC1-${Math.floor(10_000_000 + this.r() * 89_999_999)}`,
      };
      if (trueMatch && i === subjects.length - 1) {
        await recordScreening(this.store, c, this.id, {
          ...base,
          result: 'true_match',
          note: 'Match on the OFAC SDN list confirmed by date of birth and nationality.',
        });
        continue;
      }
      if (chance(this.r, 0.12)) {
        await recordScreening(this.store, c, this.id, {
          ...base,
          result: 'possible_match',
          note: 'Name match on a PEP list; reviewing.',
        });
        await this.step(30, 300);
        await recordScreening(this.store, c, this.id, {
          ...base,
          screenedOn: todayUtc(),
          result: 'clear',
          note: 'False positive: different date of birth and nationality.',
        });
      } else {
        await recordScreening(this.store, c, this.id, { ...base, result: 'clear', note: null });
      }
    }
    if (!more()) return;
    const websiteFails = outcome === 'reject' && !trueMatch;
    for (const url of websites) {
      await this.step(10, 120);
      const outcomeOf = websiteFails ? 'fail' : chance(this.r, 0.15) ? 'issues' : 'pass';
      await addWebsiteReview(this.store, c, this.id, {
        url,
        reviewedOn: todayUtc(),
        outcome: outcomeOf,
        notes:
          outcomeOf === 'fail'
            ? 'Promises guaranteed monthly returns of 20–30%; no risk warning. Not compatible with our marketing rules.'
            : outcomeOf === 'issues'
              ? 'Risk warning missing in the footer; the partner agreed to add it before going live.'
              : null,
      });
    }
    if (!more()) return;
    if (outcome === 'reject') {
      await this.step(60, 600);
      await decideDueDiligence(this.store, c, this.id, {
        decision: 'reject',
        reason: trueMatch
          ? 'Screening true match (sanctions list) on a beneficial owner; we cannot onboard.'
          : 'Marketing promises guaranteed returns; the partner declined to change it.',
      });
      return;
    }
    if (outcome === 'request_open' || outcome === 'approve_after_request') {
      await this.step(30, 300);
      const view = await decideDueDiligence(this.store, c, this.id, {
        decision: 'request_more',
        reason: kyb
          ? 'The registered address on file does not match the incorporation certificate.'
          : 'The proof of address is older than three months.',
        requestedItems: kyb
          ? ['Bank statement or utility bill showing the registered address (last 3 months)']
          : ['A utility bill or bank statement from the last 3 months'],
        addressedTo: 'bdm',
      });
      if (outcome === 'request_open') return;
      const request = view.requests.find((q) => q.status === 'open');
      this.pace.t = Math.max(this.pace.t, this.w.clock.now());
      await this.step(240, 2400);
      const fresh = await this.upload('proof_of_address', {
        note: 'Requested by Compliance: recent proof of address',
      });
      await this.step(5, 30);
      if (request) {
        await answerRequest(this.store, this.owner, this.id, request.id, {
          note: 'Recent bank statement uploaded, received from the partner today.',
          documentIds: [fresh.id],
        });
      }
      await this.review(fresh, false);
      if (!kyb) {
        await this.step(5, 30);
        await updateCase(this.store, c, this.id, { addressDocumentId: fresh.id });
      }
    }
    if (outcome === 'open') return;
    await this.reviewPending();
    await this.step(30, 300);
    await decideDueDiligence(this.store, c, this.id, {
      decision: 'approve',
      reason: kyb
        ? `KYB complete: registration, directors and beneficial owners verified; screening clear (${SCREENING_PROVIDER}); websites reviewed; target countries allowed for ${this.custom.regulated_entity}.`
        : `KYC complete: identity and address verified; screening clear (${SCREENING_PROVIDER}); target countries allowed for ${this.custom.regulated_entity}.`,
    });
  }

  /** Terms: proposed by the owner BDM, approved within the authority matrix (four eyes), accepted. */
  private async terms(partial: boolean, leavePending: boolean): Promise<void> {
    if (this.termsDone) return;
    this.termsDone = true;
    const { plan, currency } = planFor(this.spec, this.r, false);
    if (leavePending) {
      await this.step();
      await createTermsProposal(this.store, this.owner, this.id, {
        plan,
        currency,
        effectiveFrom: plusDays(dateOf(this.w.now), 5 + Math.floor(this.r() * 20)),
        note: 'Terms agreed with the partner on the call; starting next month.',
      });
      this.w.stats.terms++;
      return;
    }
    await this.step();
    const proposal = await createTermsProposal(this.store, this.owner, this.id, {
      plan,
      currency,
      effectiveFrom: todayUtc(),
      note: 'Standard terms agreed at onboarding.',
    });
    this.w.stats.terms++;
    if (partial && chance(this.r, 0.35)) return;
    await this.stepSameDay();
    const approver =
      proposal.requiredRole === 'leadership'
        ? this.w.staff.leadership
        : proposal.requiredRole === 'team_lead'
          ? this.w.staff.teamlead
          : (this.w.bdms.find((b) => b !== this.owner) as RequestContext);
    await approveTerms(this.store, approver, this.id, proposal.id, {
      reason: 'Within the programme standard for this GEO.',
    });
    if (partial && chance(this.r, 0.4)) return;
    await this.step(60, 1440);
    await acceptTerms(this.store, this.owner, this.id, proposal.id, {
      note: 'Signed agreement received by e-mail.',
    });
  }

  private payoutDetails() {
    const s = this.spec;
    const holder = s.legalName ?? s.displayName;
    if (IBAN_LENGTH[s.country] && chance(this.r, 0.8)) {
      return {
        method: 'bank_transfer' as const,
        currency: 'USD',
        accountHolder: holder,
        details: {
          iban: demoIban(s.country, this.r),
          swiftBic: `DEMO${s.country}2X`,
          bankName: `Demo Bank ${s.country}`,
          bankCountry: s.country,
        },
      };
    }
    const method = pick(this.r, ['wise', 'skrill', 'neteller'] as const);
    return {
      method,
      currency: 'USD',
      accountHolder: holder,
      details: { email: `payouts@${s.email.split('@')[1] ?? 'example.com'}` },
    };
  }

  /** Payout details entered by the owner BDM and verified by Finance (four eyes). */
  private async payout(partial: boolean): Promise<void> {
    if (!this.payoutDone) {
      this.payoutDone = true;
      await this.step();
      await putPayoutDetails(this.store, this.owner, this.id, this.payoutDetails() as never);
    }
    if (partial && chance(this.r, 0.5)) return;
    await this.step(60, 900);
    await verifyPayoutDetails(this.store, this.w.staff.finance, this.id, {
      note: 'Checked against the bank letter; the account holder matches the contracting party.',
    });
  }

  /** Soon after the partner enters the stage, its teams take their tasks (each with probability `p`). */
  private async takeTasks(stage: Stage, p: number): Promise<void> {
    const list = await listTasks(this.store, this.owner, { partnerId: this.id, stage, limit: 50 });
    for (const t of list.data) {
      if (t.status !== 'open' || this.r() > p) continue;
      await this.step(5, 90);
      await startTask(this.store, this.ctxFor(t.team as Role), t.id, {});
    }
  }

  /** The stage's tasks, taken and completed by their team. */
  private async finishTasks(stage: Stage, p: number): Promise<void> {
    const list = await listTasks(this.store, this.owner, { partnerId: this.id, stage, limit: 50 });
    for (const t of list.data) {
      if (t.status !== 'open' && t.status !== 'in_progress') continue;
      const team = this.ctxFor(t.team as Role);
      if (t.status === 'open') {
        await this.step(10, 120);
        await startTask(this.store, team, t.id, {});
      }
      if (this.r() > p) continue;
      await this.step(10, 240);
      await completeTask(this.store, team, t.id, { note: 'Done.' });
      this.w.stats.tasksCompleted++;
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Rejections, life after activation

  private async rejectFrom(stage: Stage, at: number): Promise<void> {
    if (stage === 'intake') {
      await this.fillFields(true);
      await this.w.clock.at(at);
      await decidePartner(this.store, this.w.staff.ops, this.id, 'reject', {
        reason:
          'Duplicate check: the partner already trades with us as a retail client; clients cannot refer themselves.',
      });
      return;
    }
    await this.fillFields(true);
    await this.dueDiligence('reject', false);
    await this.w.clock.at(at);
    await decidePartner(this.store, this.compliance, this.id, 'reject', {
      reason: 'Due diligence rejected by Compliance (see the case); the partner was informed by the BDM.',
    });
  }

  private async activeLife(current: boolean): Promise<void> {
    const p = this.plan;
    if (p.watchFlag) {
      await this.step(600, 6000);
      const flag = await raiseRiskFlag(this.store, this.w.staff.ops, {
        partnerId: this.id,
        category: 'tracking',
        severity: 'medium',
        blocking: false,
        title: 'Spike of FTDs from one IP range',
        details: '14 first deposits in two days from the same /24 range; watching for self-referral.',
      });
      this.w.stats.riskFlags++;
      if (chance(this.r, 0.5)) {
        await this.step(600, 6000);
        await resolveRiskFlag(this.store, this.compliance, flag.id, {
          resolution:
            'Reviewed: a family and colleagues at one office, genuine separate clients. No self-referral.',
        });
      }
    }
    if (current && p.negotiating) {
      // A recent request for better terms, waiting in the approvals inbox.
      const recent = workingTime(this.w.now - (1 + this.r() * 5) * DAY, this.r);
      await this.w.clock.at(Math.min(Math.max(recent, this.w.clock.now()), this.w.now - 10 * MIN));
      const better = planFor(this.spec, this.r, true);
      await createTermsProposal(this.store, this.owner, this.id, {
        plan: better.plan,
        currency: better.currency,
        effectiveFrom: plusDays(dateOf(this.w.now), 14),
        note: 'Volume grew 3x this quarter; partner asks for a higher rate.',
      });
      this.w.stats.terms++;
    }
  }

  private async leaveActive(next: string): Promise<void> {
    if (next === 'suspended') {
      const flag = await raiseRiskFlag(this.store, this.compliance, {
        partnerId: this.id,
        category: 'compliance',
        severity: 'high',
        blocking: true,
        title: 'Misleading profit claims in the partner’s Telegram channel',
        details:
          'Posts promise “guaranteed 10% a week”. Partner asked to remove them; commissions on hold meanwhile.',
      });
      this.w.stats.riskFlags++;
      await decidePartner(this.store, this.compliance, this.id, 'suspend', {
        reason: `Suspended pending review of risk flag ${flag.id}: misleading profit claims in marketing.`,
      });
      return;
    }
    if (next === 'offboarded') {
      await decidePartner(this.store, this.w.staff.ops, this.id, 'offboard', {
        reason: pick(this.r, [
          'Terminated: repeated self-referral of own trading accounts (contract clause 7.2).',
          'Partner ended the agreement: moved to another broker.',
          'Terminated for inactivity: no referred clients for 90 days.',
        ]),
      });
    }
  }
}
