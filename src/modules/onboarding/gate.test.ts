import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../platform/auth/permissions.ts';
import { defaultTemplates } from './default-templates.ts';
import { evaluateGate, type GateFacts, type ItemState, NO_TEMPLATE, type Tick } from './gate.ts';
import { GATE_STAGES, isGateStage, nextStage, STAGES, type Stage } from './stages.ts';
import {
  type ChecklistItem,
  ITEM_ROLES,
  SYSTEM_CHECKS,
  type SystemCheck,
  type TemplateStage,
  templateStagesSchema,
} from './template.ts';

const TODAY = '2026-06-15';
const tick: Tick = {
  tickedBy: { id: 'usr_1', name: 'Bianca' },
  tickedAt: '2026-06-14T10:00:00.000Z',
  comment: 'called',
  evidence: null,
};

type Scenario = { name: string; state: ItemState; facts: Partial<GateFacts>; reason?: RegExp };

const fieldsOk = { stageMissing: [], nextStage: 'due_diligence', nextMissing: [] };
const docs = (p: Partial<NonNullable<GateFacts['documents']>>) => ({
  present: [],
  approved: [],
  pending: [],
  expired: [],
  expiredOn: {},
  ...p,
});
const terms = (p: Partial<NonNullable<GateFacts['terms']>>) => ({
  hasTermsInForce: false,
  inForceVersion: null,
  pendingApproval: 0,
  awaitingAcceptance: 0,
  awaitingVersion: null,
  upcoming: null,
  ...p,
});

/** For each system check, facts that lead to each state it can take, with the reason expected. */
const SCENARIOS: Record<SystemCheck, Scenario[]> = {
  mandatory_fields: [
    { name: 'complete', state: 'met', facts: { fields: fieldsOk } },
    {
      name: 'missing now',
      state: 'unmet',
      facts: {
        fields: {
          stageMissing: [
            { field: 'legalName', label: 'Legal name' },
            { field: 'document.proof_of_address', label: 'Proof of address' },
          ],
          nextStage: 'due_diligence',
          nextMissing: [{ field: 'legalName', label: 'Legal name' }],
        },
      },
      reason: /^Missing for this stage: Legal name, Proof of address$/,
    },
    {
      name: 'missing for next',
      state: 'unmet',
      facts: {
        fields: {
          stageMissing: [],
          nextStage: 'due_diligence',
          nextMissing: [{ field: 'phone', label: 'Phone' }],
        },
      },
      reason: /^Missing for Due diligence: Phone$/,
    },
    { name: 'policy unreadable', state: 'not_available', facts: {}, reason: /policy/ },
  ],
  documents_approved: [
    {
      name: 'all approved',
      state: 'met',
      facts: {
        documents: docs({
          present: ['identity', 'proof_of_address'],
          approved: ['identity', 'proof_of_address'],
        }),
      },
    },
    {
      name: 'expired',
      state: 'unmet',
      facts: {
        documents: docs({
          present: ['identity', 'proof_of_address'],
          approved: ['proof_of_address'],
          expired: ['identity'],
          expiredOn: { identity: '2026-05-30' },
        }),
      },
      reason: /^Identity document expires on 2026-05-30 — already expired; upload a current one$/,
    },
    {
      name: 'pending and missing',
      state: 'unmet',
      facts: { documents: docs({ present: ['identity'], pending: ['identity'] }) },
      reason: /^Identity document uploaded, waiting for Compliance review; Proof of address not uploaded$/,
    },
    {
      name: 'rejected',
      state: 'unmet',
      facts: {
        documents: docs({ present: ['identity', 'proof_of_address'], approved: ['proof_of_address'] }),
      },
      reason: /^Identity document was rejected; upload a new one$/,
    },
    { name: 'unreadable', state: 'not_available', facts: {} },
  ],
  agreement_signed: [
    {
      name: 'signed',
      state: 'met',
      facts: { documents: docs({ present: ['agreement'], approved: ['agreement'] }) },
    },
    {
      name: 'none',
      state: 'unmet',
      facts: { documents: docs({}) },
      reason: /^Partner agreement not uploaded$/,
    },
    {
      name: 'expired, new pending',
      state: 'unmet',
      facts: {
        documents: docs({
          present: ['agreement'],
          pending: ['agreement'],
          expired: ['agreement'],
          expiredOn: { agreement: '2026-01-31' },
        }),
      },
      reason: /already expired; a new one is waiting for Compliance review/,
    },
    { name: 'unreadable', state: 'not_available', facts: {} },
  ],
  due_diligence_positive: [
    {
      name: 'approved',
      state: 'met',
      facts: { dueDiligence: { status: 'approved', decidedAt: '2026-06-01T00:00:00Z' } },
    },
    {
      name: 'none',
      state: 'unmet',
      facts: { dueDiligence: { status: 'none', decidedAt: null } },
      reason: /No due-diligence case/,
    },
    {
      name: 'open',
      state: 'unmet',
      facts: { dueDiligence: { status: 'open', decidedAt: null } },
      reason: /not decided yet/,
    },
    {
      name: 'more',
      state: 'unmet',
      facts: { dueDiligence: { status: 'more_requested', decidedAt: null } },
      reason: /requested more information/,
    },
    {
      name: 'rejected',
      state: 'unmet',
      facts: { dueDiligence: { status: 'rejected', decidedAt: '2026-06-02T09:00:00Z' } },
      reason: /^Due diligence was rejected on 2026-06-02$/,
    },
    { name: 'unreadable', state: 'not_available', facts: {} },
  ],
  terms_approved_accepted: [
    { name: 'in force', state: 'met', facts: { terms: terms({ hasTermsInForce: true, inForceVersion: 2 }) } },
    {
      name: 'not accepted',
      state: 'unmet',
      facts: { terms: terms({ awaitingAcceptance: 1, awaitingVersion: 3 }) },
      reason: /^Terms v3 approved but not accepted by the partner$/,
    },
    {
      name: 'pending',
      state: 'unmet',
      facts: { terms: terms({ pendingApproval: 2 }) },
      reason: /2 versions pending/,
    },
    {
      name: 'future',
      state: 'unmet',
      facts: { terms: terms({ upcoming: { version: 1, effectiveFrom: '2026-07-01' } }) },
      reason: /^Terms v1 accepted but in force only from 2026-07-01$/,
    },
    {
      name: 'none',
      state: 'unmet',
      facts: { terms: terms({}) },
      reason: /^No commercial terms proposed yet$/,
    },
    { name: 'unreadable', state: 'not_available', facts: {} },
  ],
  payout_verified: [
    {
      name: 'verified',
      state: 'met',
      facts: { payout: { hasDetails: true, verified: true, verifiedAt: '2026-06-01T00:00:00Z' } },
    },
    {
      name: 'unverified',
      state: 'unmet',
      facts: { payout: { hasDetails: true, verified: false, verifiedAt: null } },
      reason: /not verified by Finance/,
    },
    {
      name: 'none',
      state: 'unmet',
      facts: { payout: { hasDetails: false, verified: false, verifiedAt: null } },
      reason: /No payout details/,
    },
    { name: 'unreadable', state: 'not_available', facts: {} },
  ],
  tracking_qa_passed: [
    {
      name: 'passed recently, setup unchanged',
      state: 'met',
      facts: {
        trackingQa: {
          lastPassedAt: '2026-06-10T09:00:00Z',
          last: {
            id: 'tqa_1',
            status: 'passed',
            finishedAt: '2026-06-10T09:00:00Z',
            failedStep: null,
            summary: 'ok',
          },
          changedAfterPass: null,
          activeLinks: 1,
        },
      },
    },
    {
      name: 'never run, no link',
      state: 'unmet',
      facts: { trackingQa: { lastPassedAt: null, last: null, changedAfterPass: null, activeLinks: 0 } },
      reason: /^No active tracking link yet/,
    },
    {
      name: 'never run',
      state: 'unmet',
      facts: { trackingQa: { lastPassedAt: null, last: null, changedAfterPass: null, activeLinks: 2 } },
      reason: /^No tracking test has been run yet/,
    },
    {
      name: 'last run failed after an earlier pass',
      state: 'unmet',
      facts: {
        trackingQa: {
          lastPassedAt: '2026-06-01T09:00:00Z',
          last: {
            id: 'tqa_2',
            status: 'failed',
            finishedAt: '2026-06-12T09:00:00Z',
            failedStep: 'landing',
            summary: 'Landing page failed: the landing page answered 404; a visitor would see an error.',
          },
          changedAfterPass: null,
          activeLinks: 1,
        },
      },
      reason:
        /^The last tracking test \(2026-06-12\) did not pass — Landing page failed: the landing page answered 404/,
    },
    {
      name: 'pass too old',
      state: 'unmet',
      facts: {
        trackingQa: {
          lastPassedAt: '2026-05-01T09:00:00Z',
          last: {
            id: 'tqa_3',
            status: 'passed',
            finishedAt: '2026-05-01T09:00:00Z',
            failedStep: null,
            summary: null,
          },
          changedAfterPass: null,
          activeLinks: 1,
        },
      },
      reason: /^The last pass was on 2026-05-01, 45 days ago \(more than 14\)/,
    },
    {
      name: 'setup changed after the pass',
      state: 'unmet',
      facts: {
        trackingQa: {
          lastPassedAt: '2026-06-10T09:00:00Z',
          last: {
            id: 'tqa_4',
            status: 'passed',
            finishedAt: '2026-06-10T09:00:00Z',
            failedStep: null,
            summary: null,
          },
          changedAfterPass: { what: 'the ftd postback', at: '2026-06-11T10:00:00Z' },
          activeLinks: 1,
        },
      },
      reason: /^The setup changed after the last pass \(the ftd postback on 2026-06-11\)/,
    },
    { name: 'unreadable', state: 'not_available', facts: {} },
  ],
  no_blocking_risk: [
    {
      name: 'clear',
      state: 'met',
      facts: { risk: { openBlocking: 0, open: 2 }, dueDiligence: { status: 'approved', decidedAt: null } },
    },
    {
      name: 'blocking flag',
      state: 'unmet',
      facts: { risk: { openBlocking: 2, open: 3 } },
      reason: /^2 open blocking risk flags$/,
    },
    {
      name: 'dd rejected',
      state: 'unmet',
      facts: { risk: { openBlocking: 0, open: 0 }, dueDiligence: { status: 'rejected', decidedAt: null } },
      reason: /^The due-diligence case is rejected$/,
    },
    { name: 'unreadable', state: 'not_available', facts: {} },
  ],
  stage_tasks_done: [
    { name: 'none', state: 'met', facts: { tasks: { total: 0, open: 0, overdue: 0 } } },
    { name: 'all done', state: 'met', facts: { tasks: { total: 3, open: 0, overdue: 0 } } },
    {
      name: 'open',
      state: 'unmet',
      facts: { tasks: { total: 5, open: 3, overdue: 1 } },
      reason: /^3 of 5 tasks of this stage still open \(1 overdue\)$/,
    },
    { name: 'unreadable', state: 'not_available', facts: {} },
  ],
  handover_acknowledged: [
    {
      name: 'acknowledged',
      state: 'met',
      facts: { handover: { exists: true, acknowledgedAt: '2026-06-14T00:00:00Z' } },
    },
    {
      name: 'waiting',
      state: 'unmet',
      facts: { handover: { exists: true, acknowledgedAt: null } },
      reason: /not acknowledged yet/,
    },
    {
      name: 'no record',
      state: 'unmet',
      facts: { handover: { exists: false, acknowledgedAt: null } },
      reason: /No handover record/,
    },
    { name: 'unreadable', state: 'not_available', facts: {} },
  ],
};

function systemItem(check: SystemCheck, blocking: boolean): ChecklistItem {
  const params =
    check === 'documents_approved'
      ? { types: ['identity' as const, 'proof_of_address' as const] }
      : check === 'tracking_qa_passed'
        ? { withinDays: 14 }
        : undefined;
  return { key: `k_${check}`, label: check, kind: 'system', check, blocking, ...(params ? { params } : {}) };
}

const stageOf = (items: ChecklistItem[]): TemplateStage => ({ items, tasks: [] });

describe('evaluateGate: every stage × every item kind × every state', () => {
  it('covers every system check', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...SYSTEM_CHECKS].sort());
    // every check reaches met, unmet and not available
    for (const check of SYSTEM_CHECKS) {
      const states = new Set(SCENARIOS[check].map((s) => s.state));
      expect(states).toEqual(new Set(['met', 'unmet', 'not_available']));
    }
  });

  for (const stage of STAGES) {
    describe(`stage ${stage}`, () => {
      for (const check of SYSTEM_CHECKS) {
        for (const sc of SCENARIOS[check]) {
          for (const blocking of [true, false]) {
            it(`system ${check} — ${sc.name} (${blocking ? 'blocking' : 'informative'})`, () => {
              const g = evaluateGate(
                stage,
                stageOf([systemItem(check, blocking)]),
                { today: TODAY, ...sc.facts },
                new Map(),
              );
              if (!isGateStage(stage)) {
                expect(g.items).toEqual([]);
                expect(g.canAdvance).toBe(false);
                return;
              }
              const item = g.items[0];
              // A handover is acknowledged only in the Handover stage; elsewhere the item is not available.
              const expected: ItemState =
                check === 'handover_acknowledged' && stage !== 'handover' ? 'not_available' : sc.state;
              expect(item?.state).toBe(expected);
              expect(item?.owner).toHaveProperty('system', true);
              if (expected === 'met') expect(item?.reason).toBeNull();
              else expect(item?.reason).toEqual(expect.any(String));
              if (sc.reason && expected === sc.state) expect(item?.reason).toMatch(sc.reason);
              expect(g.canAdvance).toBe(!(blocking && expected !== 'met'));
              expect(g.blockers.map((b) => b.key)).toEqual(blocking && expected !== 'met' ? [item?.key] : []);
              expect(g.next).toBe(nextStage(stage));
            });
          }
        }
      }
      for (const role of ITEM_ROLES) {
        for (const ticked of [true, false]) {
          for (const blocking of [true, false]) {
            it(`manual (${role}) ${ticked ? 'ticked' : 'not ticked'} (${blocking ? 'blocking' : 'informative'})`, () => {
              const item: ChecklistItem = {
                key: 'm',
                label: 'Manual',
                kind: 'manual',
                role,
                blocking,
                evidence: 'optional',
              };
              const g = evaluateGate(
                stage,
                stageOf([item]),
                { today: TODAY },
                new Map(ticked ? [['m', tick]] : []),
              );
              if (!isGateStage(stage)) {
                expect(g.canAdvance).toBe(false);
                expect(g.items).toEqual([]);
                return;
              }
              const out = g.items[0];
              expect(out?.state).toBe(ticked ? 'met' : 'unmet');
              expect(out?.owner).toEqual({ role });
              if (ticked) {
                expect(out?.tickedBy).toEqual(tick.tickedBy);
                expect(out?.comment).toBe('called');
                expect(out?.reason).toBeNull();
              } else {
                expect(out?.reason).toMatch(/^Waiting for .+ to tick this$/);
              }
              expect(g.canAdvance).toBe(ticked || !blocking);
            });
          }
        }
      }
    });
  }

  it('an item that needs evidence says so while unticked', () => {
    const g = evaluateGate(
      'due_diligence',
      stageOf([
        {
          key: 'edd',
          label: 'EDD',
          kind: 'manual',
          role: 'compliance',
          blocking: true,
          evidence: 'required',
        },
      ]),
      { today: TODAY },
      new Map(),
    );
    expect(g.items[0]?.reason).toBe('Waiting for Compliance to tick this with evidence');
  });

  it('a gate stage without a template blocks; stages without a gate have no items', () => {
    for (const stage of GATE_STAGES) {
      const g = evaluateGate(stage, null, { today: TODAY }, new Map());
      expect(g.items).toEqual([NO_TEMPLATE]);
      expect(g.canAdvance).toBe(false);
    }
    for (const stage of ['active', 'rejected', 'suspended', 'offboarded'] as Stage[]) {
      expect(evaluateGate(stage, stageOf([]), { today: TODAY }, new Map()).canAdvance).toBe(false);
    }
  });

  it('an empty gate holds', () => {
    expect(evaluateGate('intake', stageOf([]), { today: TODAY }, new Map()).canAdvance).toBe(true);
  });
});

describe('evaluateGate properties', () => {
  const scenarioArb = fc.constantFrom(...SYSTEM_CHECKS).chain((check) =>
    fc.record({
      check: fc.constant(check),
      scenario: fc.constantFrom(...SCENARIOS[check]),
      blocking: fc.boolean(),
    }),
  );
  const manualArb = fc.record({
    role: fc.constantFrom(...ITEM_ROLES),
    ticked: fc.boolean(),
    blocking: fc.boolean(),
  });

  it('canAdvance iff a gate stage and no blocking item is unmet or not available; blockers are exactly those', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STAGES),
        fc.array(
          fc.oneof(
            scenarioArb.map((s) => ({ kind: 'system' as const, ...s })),
            manualArb.map((m) => ({ kind: 'manual' as const, ...m })),
          ),
          {
            maxLength: 12,
          },
        ),
        (stage, specs) => {
          // One facts object for all items: later scenarios of the same fact group win, and the evaluation
          // must still be consistent item by item.
          const facts: GateFacts = { today: TODAY };
          const items: ChecklistItem[] = [];
          const ticks = new Map<string, Tick>();
          specs.forEach((s, i) => {
            if (s.kind === 'system') {
              Object.assign(facts, s.scenario.facts);
              items.push({ ...systemItem(s.check, s.blocking), key: `s${i}` });
            } else {
              items.push({ key: `m${i}`, label: 'x', kind: 'manual', role: s.role, blocking: s.blocking });
              if (s.ticked) ticks.set(`m${i}`, tick);
            }
          });
          const g = evaluateGate(stage, stageOf(items), facts, ticks);
          if (!isGateStage(stage)) {
            expect(g.canAdvance).toBe(false);
            return;
          }
          expect(g.items.map((i) => i.key)).toEqual(items.map((i) => i.key));
          const blocking = g.items.filter((i) => i.blocking && i.state !== 'met');
          expect(g.blockers).toEqual(blocking);
          expect(g.canAdvance).toBe(blocking.length === 0);
          for (const i of g.items) expect(i.reason === null).toBe(i.state === 'met');
          // informative items never change the answer
          const onlyBlocking = evaluateGate(stage, stageOf(items.filter((i) => i.blocking)), facts, ticks);
          expect(onlyBlocking.canAdvance).toBe(g.canAdvance);
        },
      ),
    );
  });

  it('ticking a manual item never makes a gate hold less', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...GATE_STAGES),
        fc.array(manualArb, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (stage, specs, pick) => {
          const items: ChecklistItem[] = specs.map((s, i) => ({
            key: `m${i}`,
            label: 'x',
            kind: 'manual',
            role: s.role,
            blocking: s.blocking,
          }));
          const ticks = new Map<string, Tick>(
            specs.flatMap((s, i) => (s.ticked ? [[`m${i}`, tick] as [string, Tick]] : [])),
          );
          const before = evaluateGate(stage, stageOf(items), { today: TODAY }, ticks);
          const more = new Map(ticks).set(`m${pick % specs.length}`, tick);
          const after = evaluateGate(stage, stageOf(items), { today: TODAY }, more);
          expect(after.blockers.length).toBeLessThanOrEqual(before.blockers.length);
          if (before.canAdvance) expect(after.canAdvance).toBe(true);
        },
      ),
    );
  });
});

describe('default templates', () => {
  it('are valid templates for every partner type, with tracking QA blocking exactly for traffic-sending types', () => {
    for (const t of defaultTemplates()) {
      const parsed = templateStagesSchema.safeParse(t.stages);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const qa = t.stages.tracking_setup.items.find(
        (i) => i.kind === 'system' && i.check === 'tracking_qa_passed',
      );
      expect(qa?.blocking).toBe(t.partnerType !== 'ib');
      for (const stage of GATE_STAGES) expect(t.stages[stage].items.length).toBeGreaterThan(0);
    }
  });

  it('name only roles that can tick', () => {
    for (const t of defaultTemplates()) {
      for (const stage of GATE_STAGES) {
        for (const item of t.stages[stage].items) {
          if (item.kind === 'manual') expect(ROLES).toContain(item.role);
          if (item.kind === 'manual') expect(['partner', 'read_only']).not.toContain(item.role);
        }
      }
    }
  });
});

describe('template validation', () => {
  const base = () =>
    JSON.parse(JSON.stringify(defaultTemplates()[0]?.stages)) as Record<
      string,
      { items: unknown[]; tasks: unknown[] }
    >;
  const issues = (stages: unknown) => {
    const r = templateStagesSchema.safeParse(stages);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('names the path of a duplicate key, a bad role, a bad check and missing params', () => {
    const s = base();
    s.intake?.items.push({ ...(s.intake.items[0] as object) });
    expect(
      issues(s).some((m) => m.startsWith(`intake.items.${(s.intake?.items.length ?? 0) - 1}.key:`)),
    ).toBe(true);

    const r = base();
    r.due_diligence?.items.push({ key: 'x', label: 'X', kind: 'manual', role: 'partner', blocking: true });
    expect(
      issues(r).some((m) =>
        m.startsWith(`due_diligence.items.${(r.due_diligence?.items.length ?? 0) - 1}.role`),
      ),
    ).toBe(true);

    const c = base();
    c.intake?.items.push({ key: 'y', label: 'Y', kind: 'system', check: 'crystal_ball', blocking: true });
    expect(
      issues(c).some((m) => m.startsWith(`intake.items.${(c.intake?.items.length ?? 0) - 1}.check`)),
    ).toBe(true);

    const p = base();
    p.intake?.items.push({
      key: 'z',
      label: 'Z',
      kind: 'system',
      check: 'documents_approved',
      blocking: true,
    });
    expect(
      issues(p).some((m) => m.startsWith(`intake.items.${(p.intake?.items.length ?? 0) - 1}.params.types`)),
    ).toBe(true);

    const h = base();
    h.intake?.items.push({
      key: 'h',
      label: 'H',
      kind: 'system',
      check: 'handover_acknowledged',
      blocking: true,
    });
    expect(issues(h).some((m) => m.includes('Handover stage only'))).toBe(true);

    const missing = base();
    delete missing.handover;
    expect(issues(missing).some((m) => m.startsWith('handover'))).toBe(true);
  });
});
