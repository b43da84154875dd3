// Demo workspace: realistic partners over every onboarding stage, IB hierarchies two and three levels deep,
// contacts, documents, due-diligence cases, versioned terms, payout details, tasks, risk flags, custom fields,
// and one user of every role (all with the demo password).
//
// How it is made. Nothing is written straight into tables and nothing starts anywhere but intake: each
// partner is created by its owner BDM and walked towards its stage through the real services, by people of
// the right roles (see journey.ts), reading the partner's gate to know what is still needed. The stories run on
// a simulated clock over the past ~90 days (sim-clock.ts), interleaved in time order, so stage history,
// days in stage, task SLAs (some now overdue), stalled partners and the audit trail look like real work.
//
// Tracking QA. The default checklist templates make "Tracking QA passed" blocking for every type that sends
// traffic through tracking links, and that item is met only by a real tracking test that passed. The demo's
// links point at landing pages that do not exist (www.demo-broker.example), so no test can pass here and none
// is faked. So that the demo can show affiliates, influencers, networks and white labels that are live, the
// demo admin publishes a new version of those types' templates in which the item is informative (not
// blocking), with a note saying why: the change is on the audit trail and in the template history, and the
// item still shows its real state (no test run). IBs need nothing: their default template already treats
// tracking QA as informative. Point a link at a real landing page to see a test pass.
import type { Actor, RequestContext } from '../../platform/auth/actor.ts';
import { permissionsFor } from '../../platform/auth/grants.ts';
import { PERMISSION_NAMES, type Role } from '../../platform/auth/permissions.ts';
import type { Config } from '../../platform/config.ts';
import { conflict } from '../../platform/errors.ts';
import { nowIso, setClockForTests } from '../../platform/time.ts';
import type { Store } from '../../platform/tx.ts';
import { createUser } from '../access/index.ts';
import { documentStorage } from '../documents/index.ts';
import { getRestrictedCountries, replaceRestrictedCountries } from '../due-diligence/index.ts';
import {
  type ChecklistItem,
  currentTemplate,
  publishTemplate,
  type TemplateStage,
} from '../onboarding/index.ts';
import { createCustomField, PARTNER_TYPES } from '../partners/index.ts';
// createLink is not exported by tracking/index.ts yet; the demo uses the service itself (the real write path).
import { createLink } from '../tracking/links.service.ts';
import { demoJourneys, demoPartners } from './demo-data.ts';
import {
  type DemoStats,
  type DemoWorld,
  PartnerJourney,
  RESTRICTED_COUNTRIES,
  type StaffKey,
} from './journey.ts';
import { SimClock } from './sim-clock.ts';

export const DEMO_PASSWORD = 'demo-password-2026';
const DOMAIN = 'demo.partnerdesk.local';
const DAY = 86_400_000;

export interface DemoResult {
  partners: number;
  users: { email: string; role: string }[];
  password: string;
}

const STAFF: { key: StaffKey; role: Role; name: string }[] = [
  { key: 'admin', role: 'admin', name: 'Adam Admin' },
  { key: 'leadership', role: 'leadership', name: 'Lena Leadership' },
  { key: 'teamlead', role: 'team_lead', name: 'Tariq Teamlead' },
  { key: 'bdm1', role: 'bdm', name: 'Bianca BDM' },
  { key: 'bdm2', role: 'bdm', name: 'Boris BDM' },
  { key: 'bdm3', role: 'bdm', name: 'Bea BDM' },
  { key: 'ops', role: 'ops', name: 'Olivia Ops' },
  { key: 'compliance', role: 'compliance', name: 'Costas Compliance' },
  { key: 'compliance2', role: 'compliance', name: 'Clara Compliance' },
  { key: 'finance', role: 'finance', name: 'Fiona Finance' },
  { key: 'support', role: 'support', name: 'Sam Support' },
  { key: 'readonly', role: 'read_only', name: 'Rita Readonly' },
];

async function actorFor(
  store: Store,
  user: { id: string; role: Role; email: string; partnerId?: string | null },
): Promise<RequestContext> {
  const actor: Actor = {
    type: 'user',
    id: user.id,
    role: user.role,
    partnerId: user.partnerId ?? null,
    permissions: await permissionsFor(store.db, user.role),
    label: user.email,
  };
  return { actor, requestId: null };
}

async function ensureUser(
  store: Store,
  system: RequestContext,
  email: string,
  name: string,
  role: Role,
  partnerId: string | null = null,
) {
  const existing = await store.db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email)
    .executeTakeFirst();
  if (existing)
    return { id: existing.id, email, role: existing.role as Role, partnerId: existing.partner_id };
  const u = await createUser(store, system, { email, name, role, password: DEMO_PASSWORD, partnerId });
  return { id: u.id, email, role, partnerId };
}

/** The template stages with "Tracking QA passed" made informative, or null when no stage blocks on it. */
function withoutBlockingTrackingQa(
  stages: Record<string, TemplateStage>,
): Record<string, TemplateStage> | null {
  let changed = false;
  const out: Record<string, TemplateStage> = {};
  for (const [key, stage] of Object.entries(stages)) {
    out[key] = {
      ...stage,
      items: stage.items.map((item): ChecklistItem => {
        if (item.kind === 'system' && item.check === 'tracking_qa_passed' && item.blocking) {
          changed = true;
          return { ...item, blocking: false };
        }
        return item;
      }),
    };
  }
  return changed ? out : null;
}

export async function seedDemo(
  store: Store,
  config: Pick<Config, 'dataDir' | 'maxUploadBytes'>,
  opts: { partners: number; onProgress?: (message: string) => void },
): Promise<DemoResult> {
  const say = opts.onProgress ?? (() => {});
  const any = await store.db.selectFrom('partners').select('id').limit(1).executeTakeFirst();
  if (any) throw conflict('The workspace already has partners; the demo loads only into an empty workspace.');
  const system: RequestContext = {
    actor: {
      type: 'system',
      id: 'system',
      role: 'admin',
      partnerId: null,
      permissions: new Set(PERMISSION_NAMES),
      label: 'demo seed',
    },
    requestId: null,
  };
  const started = Date.now();
  const now = Date.now();
  const clock = new SimClock();
  const bdmKeys: StaffKey[] = ['bdm1', 'bdm2', 'bdm3'];
  const specs = demoPartners(opts.partners, bdmKeys.length);
  const journeys = demoJourneys(specs);
  const stats: DemoStats = {
    documents: 0,
    terms: 0,
    ddCases: 0,
    ticks: 0,
    tasksCompleted: 0,
    riskFlags: 0,
    finished: 0,
  };
  const ids: (string | undefined)[] = [];
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

  try {
    // The workspace is set up a few days before the first partner arrives.
    const oldest = Math.max(...journeys.map((j) => j.visits[0]?.enteredDaysAgo ?? 0));
    clock.pin(now - (oldest + 3) * DAY);

    say('Creating demo users…');
    const users = {} as Record<StaffKey, { id: string; email: string; role: Role }>;
    for (const s of STAFF)
      users[s.key] = await ensureUser(store, system, `${s.key}@${DOMAIN}`, s.name, s.role);
    const staff = {} as Record<StaffKey, RequestContext>;
    for (const s of STAFF) staff[s.key] = await actorFor(store, users[s.key]);
    const admin = staff.admin;

    say('Setting up the workspace as its admin: custom fields, restricted countries, checklist templates…');
    const existingFields = new Set(
      (await store.db.selectFrom('custom_field_defs').select('key').execute()).map((f) => f.key),
    );
    const fields = [
      {
        key: 'trading_platform',
        label: 'Trading platform',
        type: 'select' as const,
        options: ['MT4', 'MT5', 'cTrader'],
        partnerTypes: ['ib' as const],
      },
      {
        key: 'regulated_entity',
        label: 'Onboarding entity',
        type: 'select' as const,
        options: Object.keys(RESTRICTED_COUNTRIES),
      },
      {
        key: 'expected_monthly_ftds',
        label: 'Expected FTDs per month',
        type: 'number' as const,
        partnerTypes: ['affiliate' as const, 'network' as const, 'influencer' as const],
      },
    ];
    for (const f of fields) if (!existingFields.has(f.key)) await createCustomField(store, admin, f);

    const current = await getRestrictedCountries(store, admin);
    if (current.entries.length === 0) {
      await replaceRestrictedCountries(store, admin, {
        entries: Object.entries(RESTRICTED_COUNTRIES).flatMap(([entity, list]) =>
          list.map((e) => ({ entity, ...e })),
        ),
      });
    }
    const restricted = new Map<string, Set<string>>();
    for (const e of (await getRestrictedCountries(store, admin)).entries) {
      const set = restricted.get(e.entity) ?? new Set<string>();
      set.add(e.country);
      restricted.set(e.entity, set);
    }

    const templates = new Map<string, Record<string, TemplateStage>>();
    for (const type of PARTNER_TYPES) {
      const template = await currentTemplate(store.db, type);
      if (!template) continue;
      const relaxed = withoutBlockingTrackingQa(template.stages);
      if (relaxed) {
        const published = await publishTemplate(store, admin, type, {
          stages: relaxed as never,
          note: "Demo workspace: tracking QA is informative because the demo's landing pages (www.demo-broker.example) do not exist, so no tracking test can pass here. Keep it blocking in a real workspace.",
        });
        templates.set(type, published.stages);
      } else {
        templates.set(type, template.stages);
      }
    }

    say(`Walking ${specs.length} partners through onboarding over the past ${Math.ceil(oldest)} days…`);
    const world: DemoWorld = {
      store,
      config,
      storage: documentStorage(config.dataDir),
      clock,
      now,
      staff,
      bdms: bdmKeys.map((k) => staff[k]),
      ids,
      restricted,
      templates,
      stats,
      onFinished: () => {
        if (stats.finished % 20 === 0 || stats.finished === specs.length) {
          const simulated = new Date(clock.now()).toISOString().slice(0, 10);
          say(
            `  partners ${stats.finished}/${specs.length}  documents ${stats.documents}  terms ${stats.terms}  dd cases ${stats.ddCases}  (at ${simulated}, ${elapsed()})`,
          );
        }
      },
    };
    const stories = specs.map(
      (spec, i) => new PartnerJourney(world, spec, journeys[i] as (typeof journeys)[number]),
    );
    const running = stories.map((story) => clock.process(story.firstMoment(), () => story.run()));
    clock.start();
    await Promise.all(running);

    // Tracking links for the active partners, created by Ops through the real service, so that the demo shows
    // link lists and `partnerdesk simulate` has traffic to drive at once. Affiliates, networks, influencers
    // and white labels get a second, campaign link.
    const active = await store.db
      .selectFrom('partners')
      .select(['id', 'type', 'display_name'])
      .where('stage', '=', 'active')
      .where('archived_at', 'is', null)
      .orderBy('id')
      .execute();
    let links = 0;
    for (const p of active) {
      await createLink(store, staff.ops, {
        partnerId: p.id,
        name: 'Main',
        landingUrl:
          'https://www.demo-broker.example/open-account?click_id={click_id}&utm_source=partner&utm_campaign={sub1}',
      });
      links++;
      if (p.type !== 'ib') {
        await createLink(store, staff.ops, {
          partnerId: p.id,
          name: 'Promo landing',
          campaign: 'Zero-spread week',
          landingUrl: 'https://www.demo-broker.example/promo/zero-spread?cid={click_id}&s1={sub1}&s2={sub2}',
        });
        links++;
      }
    }
    say(`Created ${links} tracking links for the ${active.length} active partners.`);
  } finally {
    setClockForTests(null);
  }

  // A partner-portal user for the first active partner.
  const activeIndex = specs.findIndex((s) => s.stage === 'active');
  const partnerUser = await ensureUser(
    store,
    system,
    `partner@${DOMAIN}`,
    'Pat Partner',
    'partner',
    ids[activeIndex === -1 ? 0 : activeIndex] ?? null,
  );
  await store.db
    .insertInto('settings')
    .values({ key: 'demo_seeded_at', value: JSON.stringify(nowIso()), updated_at: nowIso() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();

  for (const line of await summaryLines(store)) say(line);
  say(`Demo workspace ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return {
    partners: ids.length,
    users: [
      ...STAFF.map((s) => ({ email: `${s.key}@${DOMAIN}`, role: s.role })),
      { email: partnerUser.email, role: 'partner' },
    ],
    password: DEMO_PASSWORD,
  };
}

export interface DemoSummary {
  stages: Record<string, number>;
  overdueTasks: number;
  openTasks: number;
  stalled: number;
  ddCases: Record<string, number>;
  openDocRequests: number;
  openBlockingFlags: number;
  pendingTerms: number;
  documents: number;
}

/** What the demo workspace holds now (read-only counts, for the summary and the tests). */
export async function demoSummary(store: Store, stalledDays = 14): Promise<DemoSummary> {
  const now = nowIso();
  const db = store.db;
  const count = (rows: { n: unknown }[]) => Number(rows[0]?.n ?? 0);
  const stageRows = await db
    .selectFrom('partners')
    .select(['stage', (eb) => eb.fn.countAll().as('n')])
    .groupBy('stage')
    .execute();
  const ddRows = await db
    .selectFrom('dd_cases')
    .select(['status', (eb) => eb.fn.countAll().as('n')])
    .groupBy('status')
    .execute();
  const open = db.selectFrom('tasks').where('status', 'in', ['open', 'in_progress']);
  const cutoff = new Date(Date.parse(now) - stalledDays * DAY).toISOString();
  return {
    stages: Object.fromEntries(stageRows.map((r) => [r.stage, Number(r.n)])),
    openTasks: count(await open.select((eb) => eb.fn.countAll().as('n')).execute()),
    overdueTasks: count(
      await open
        .where('paused_at', 'is', null)
        .where('due_at', 'is not', null)
        .where('due_at', '<', now)
        .select((eb) => eb.fn.countAll().as('n'))
        .execute(),
    ),
    stalled: count(
      await db
        .selectFrom('stage_history')
        .innerJoin('partners', 'partners.id', 'stage_history.partner_id')
        .where('stage_history.exited_at', 'is', null)
        .where('stage_history.entered_at', '<', cutoff)
        .where('partners.stage', 'in', [
          'intake',
          'due_diligence',
          'tracking_setup',
          'activation_readiness',
          'handover',
          'suspended',
        ])
        .select((eb) => eb.fn.countAll().as('n'))
        .execute(),
    ),
    ddCases: Object.fromEntries(ddRows.map((r) => [r.status, Number(r.n)])),
    openDocRequests: count(
      await db
        .selectFrom('doc_requests')
        .where('status', '=', 'open')
        .select((eb) => eb.fn.countAll().as('n'))
        .execute(),
    ),
    openBlockingFlags: count(
      await db
        .selectFrom('risk_flags')
        .where('status', '=', 'open')
        .where('blocking', '=', 1)
        .select((eb) => eb.fn.countAll().as('n'))
        .execute(),
    ),
    pendingTerms: count(
      await db
        .selectFrom('terms_versions')
        .where('status', '=', 'pending_approval')
        .select((eb) => eb.fn.countAll().as('n'))
        .execute(),
    ),
    documents: count(
      await db
        .selectFrom('documents')
        .select((eb) => eb.fn.countAll().as('n'))
        .execute(),
    ),
  };
}

async function summaryLines(store: Store): Promise<string[]> {
  const s = await demoSummary(store);
  const order = [
    'intake',
    'due_diligence',
    'tracking_setup',
    'activation_readiness',
    'handover',
    'active',
    'rejected',
    'suspended',
    'offboarded',
  ];
  return [
    `Partners by stage: ${order.map((k) => `${k} ${s.stages[k] ?? 0}`).join(', ')}`,
    `Tasks: ${s.openTasks} open, ${s.overdueTasks} overdue.  Stalled (over 14 days in a stage): ${s.stalled}.`,
    `Due diligence: ${Object.entries(s.ddCases)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}; ${s.openDocRequests} documentation request(s) waiting.  Open blocking risk flags: ${s.openBlockingFlags}.`,
    `Documents: ${s.documents}.  Terms waiting for approval: ${s.pendingTerms}.`,
  ];
}
