// Demo workspace: realistic partners over every onboarding stage, IB hierarchies two and three levels deep,
// contacts, documents (reviewed by Compliance), versioned terms approved within the authority matrix and
// accepted, custom fields, and one user of every role. Everything goes through the real services, so the
// audit trail and timelines are the ones real work would leave.
import { Readable } from 'node:stream';
import type { Actor, RequestContext } from '../../platform/auth/actor.ts';
import { permissionsFor } from '../../platform/auth/grants.ts';
import { PERMISSION_NAMES, type Role } from '../../platform/auth/permissions.ts';
import type { Config } from '../../platform/config.ts';
import { conflict } from '../../platform/errors.ts';
import { nowIso, todayUtc } from '../../platform/time.ts';
import type { Store } from '../../platform/tx.ts';
import { createUser } from '../access/index.ts';
import { type UploadPart, documentStorage, reviewDocument, uploadDocument } from '../documents/index.ts';
import { createContact, createCustomField, createPartner } from '../partners/index.ts';
import { type Plan, acceptTerms, approveTerms, createTermsProposal } from '../terms/index.ts';
import { type DemoPartnerSpec, chance, demoPartners, pick, prng, stageIndex } from './demo-data.ts';

export const DEMO_PASSWORD = 'demo-password-2026';
const DOMAIN = 'demo.partnerdesk.local';

export interface DemoResult {
  partners: number;
  users: { email: string; role: string }[];
  password: string;
}

const STAFF: { key: string; role: Role; name: string }[] = [
  { key: 'leadership', role: 'leadership', name: 'Lena Leadership' },
  { key: 'teamlead', role: 'team_lead', name: 'Tariq Teamlead' },
  { key: 'bdm1', role: 'bdm', name: 'Bianca BDM' },
  { key: 'bdm2', role: 'bdm', name: 'Boris BDM' },
  { key: 'bdm3', role: 'bdm', name: 'Bea BDM' },
  { key: 'ops', role: 'ops', name: 'Olivia Ops' },
  { key: 'compliance', role: 'compliance', name: 'Costas Compliance' },
  { key: 'finance', role: 'finance', name: 'Fiona Finance' },
  { key: 'support', role: 'support', name: 'Sam Support' },
  { key: 'readonly', role: 'read_only', name: 'Rita Readonly' },
];

function minimalPdf(title: string): Buffer {
  const text = title.replace(/[()\\]/g, ' ').slice(0, 80);
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

function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function planFor(spec: DemoPartnerSpec, r: () => number, generous: boolean): { plan: Plan; currency: string } {
  const currency = chance(r, 0.8) ? 'USD' : 'EUR';
  const bump = generous ? 2 : 1;
  const qualification = { minFtdMinor: pick(r, [10000, 20000, 25000]), minLots: pick(r, [100, 200, 300]), withinDays: pick(r, [30, 60, 90]) };
  switch (spec.type) {
    case 'ib': {
      const plan: Plan = {
        model: 'rebate',
        rebates: [
          { group: 'fx_majors', amountPerLotMinor: pick(r, [500, 600, 700]) * bump },
          { group: 'metals', amountPerLotMinor: pick(r, [600, 800]) * bump },
          { group: 'indices', amountPerLotMinor: pick(r, [200, 300]) * bump },
        ],
        ...(spec.parentIndex === null && chance(r, 0.6) ? { subIbOverride: { perLotMinor: pick(r, [50, 100]) } } : {}),
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
            : { tiers: [{ amountMinor: 15000 * bump }, { minFtdMinor: 100000, amountMinor: 30000 * bump }], qualification },
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
      return { plan: { model: 'revshare', revshare: { shareBps: pick(r, [2500, 3000, 3500]) + (generous ? 1500 : 0), basis: 'spread' } }, currency };
  }
}

async function actorFor(store: Store, user: { id: string; role: Role; email: string; partnerId?: string | null }): Promise<RequestContext> {
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

async function ensureUser(store: Store, system: RequestContext, email: string, name: string, role: Role, partnerId: string | null = null) {
  const existing = await store.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  if (existing) return { id: existing.id, email, role: existing.role as Role, partnerId: existing.partner_id };
  const u = await createUser(store, system, { email, name, role, password: DEMO_PASSWORD, partnerId });
  return { id: u.id, email, role, partnerId };
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
    actor: { type: 'system', id: 'system', role: 'admin', partnerId: null, permissions: new Set(PERMISSION_NAMES), label: 'demo seed' },
    requestId: null,
  };
  const r = prng(7);
  const started = Date.now();

  say('Creating demo users…');
  const users: Record<string, { id: string; email: string; role: Role }> = {};
  for (const s of STAFF) users[s.key] = await ensureUser(store, system, `${s.key}@${DOMAIN}`, s.name, s.role);
  const ctx = async (key: string) => actorFor(store, users[key] as { id: string; email: string; role: Role });
  const bdms = ['bdm1', 'bdm2', 'bdm3'];
  const bdmCtx = await Promise.all(bdms.map((k) => ctx(k)));
  const teamLead = await ctx('teamlead');
  const leadership = await ctx('leadership');
  const compliance = await ctx('compliance');

  say('Creating custom fields…');
  const existingFields = new Set((await store.db.selectFrom('custom_field_defs').select('key').execute()).map((f) => f.key));
  const fields = [
    { key: 'trading_platform', label: 'Trading platform', type: 'select' as const, options: ['MT4', 'MT5', 'cTrader'], partnerTypes: ['ib' as const] },
    { key: 'regulated_entity', label: 'Onboarding entity', type: 'select' as const, options: ['CySEC', 'FSCA', 'FSA Seychelles'] },
    { key: 'expected_monthly_ftds', label: 'Expected FTDs per month', type: 'number' as const, partnerTypes: ['affiliate' as const, 'network' as const, 'influencer' as const] },
  ];
  for (const f of fields) if (!existingFields.has(f.key)) await createCustomField(store, system, f);

  const specs = demoPartners(opts.partners, bdms.length);
  const ids: string[] = [];
  const storage = documentStorage(config.dataDir);
  const today = todayUtc();
  let documents = 0;
  let terms = 0;
  for (const spec of specs) {
    const owner = bdmCtx[spec.ownerIndex] as RequestContext;
    const parentId = spec.parentIndex === null ? undefined : ids[spec.parentIndex];
    const custom: Record<string, string | number> = { regulated_entity: pick(r, ['CySEC', 'FSCA', 'FSA Seychelles']) };
    if (spec.type === 'ib') custom.trading_platform = pick(r, ['MT4', 'MT5', 'cTrader']);
    if (spec.type === 'affiliate' || spec.type === 'network' || spec.type === 'influencer') custom.expected_monthly_ftds = pick(r, [10, 25, 50, 120]);
    const partner = await createPartner(
      store,
      system,
      {
        displayName: spec.displayName,
        legalName: spec.legalName,
        kind: spec.kind,
        type: spec.type,
        ...(parentId ? { parentId } : {}),
        country: spec.country,
        languages: spec.languages,
        websites: spec.websites,
        trafficSources: spec.trafficSources as never,
        email: spec.email,
        phone: spec.phone,
        ownerId: owner.actor.id,
        tier: spec.tier,
        tags: spec.tags,
        customFields: custom,
      },
      { stage: spec.stage },
    );
    ids.push(partner.id);
    // Intake partners sometimes still lack a primary contact: the missing-fields panel shows it.
    const contacts = spec.stage === 'intake' && chance(r, 0.4) ? [] : spec.contacts;
    for (const c of contacts) await createContact(store, owner, partner.id, c as never);

    const depth = stageIndex(spec.stage);
    if (depth >= 1) {
      const types = spec.kind === 'company' ? ['incorporation', 'ubo_declaration'] : ['identity', 'proof_of_address'];
      if (depth >= 3) types.push('agreement', 'tax_form');
      for (const type of types) {
        const expiresOn = type === 'identity' ? plusDays(today, chance(r, 0.15) ? Math.floor(r() * 25) + 1 : 365 + Math.floor(r() * 1500)) : undefined;
        const parts = async function* (): AsyncGenerator<UploadPart> {
          yield { type: 'field', fieldname: 'type', value: type };
          if (expiresOn) yield { type: 'field', fieldname: 'expiresOn', value: expiresOn };
          yield {
            type: 'file',
            fieldname: 'file',
            filename: `${type}-${spec.displayName.replace(/[^\w]+/g, '-').toLowerCase()}.pdf`,
            mimetype: 'application/pdf',
            file: Readable.from([minimalPdf(`${type.replace(/_/g, ' ')} - ${spec.legalName ?? spec.displayName}`)]),
          };
        };
        const doc = await uploadDocument(store, storage, owner, partner.id, { isMultipart: true, parts }, { maxBytes: config.maxUploadBytes });
        documents++;
        // Due diligence is where documents wait for Compliance; later stages have them approved.
        const pending = spec.stage === 'due_diligence' && chance(r, 0.6);
        if (!pending) {
          const reject = spec.stage === 'rejected' || (depth === 1 && chance(r, 0.1));
          await reviewDocument(store, compliance, partner.id, doc.id, reject
            ? { decision: 'reject', reason: pick(r, ['The scan is blurred; upload a clear copy.', 'The name does not match the partner record.', 'The document is older than three months.']) }
            : { decision: 'approve' });
        }
      }
    }

    if (depth >= 2 && spec.stage !== 'rejected') {
      const { plan, currency } = planFor(spec, r, false);
      const proposal = await createTermsProposal(store, owner, partner.id, { plan, currency, effectiveFrom: today, note: 'Standard terms agreed at onboarding.' });
      terms++;
      const approver =
        proposal.requiredRole === 'leadership' ? leadership : proposal.requiredRole === 'team_lead' ? teamLead : (bdmCtx[(spec.ownerIndex + 1) % bdmCtx.length] as RequestContext);
      await approveTerms(store, approver, partner.id, proposal.id, { reason: 'Within the programme standard.' });
      if (depth >= 3) {
        await acceptTerms(store, owner, partner.id, proposal.id, { note: 'Signed agreement received by e-mail.' });
      }
      // Some active partners are negotiating better terms: these wait in the approvals inbox.
      if (spec.stage === 'active' && chance(r, 0.12)) {
        const better = planFor(spec, r, true);
        await createTermsProposal(store, owner, partner.id, {
          plan: better.plan,
          currency: better.currency,
          effectiveFrom: plusDays(today, 14),
          note: 'Volume grew 3x this quarter; partner asks for a higher rate.',
        });
        terms++;
      }
    }
    if (ids.length % 20 === 0 || ids.length === specs.length) {
      say(`  partners ${ids.length}/${specs.length}  documents ${documents}  terms ${terms}  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  }

  // A partner-portal user for the first active partner.
  const activeIndex = specs.findIndex((s) => s.stage === 'active');
  const partnerUser = await ensureUser(store, system, `partner@${DOMAIN}`, 'Pat Partner', 'partner', ids[activeIndex === -1 ? 0 : activeIndex] ?? null);
  await store.db
    .insertInto('settings')
    .values({ key: 'demo_seeded_at', value: JSON.stringify(nowIso()), updated_at: nowIso() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  say(`Demo workspace ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return {
    partners: ids.length,
    users: [...STAFF.map((s) => ({ email: `${s.key}@${DOMAIN}`, role: s.role })), { email: partnerUser.email, role: 'partner' }],
    password: DEMO_PASSWORD,
  };
}
