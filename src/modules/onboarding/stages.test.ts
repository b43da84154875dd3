import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowedTransitions,
  canMove,
  describeAllowed,
  earlierStages,
  GATE_STAGES,
  isGateStage,
  MOVE_KINDS,
  nextStage,
  PATH,
  STAGES,
  type Stage,
} from './stages.ts';

const EXPECTED: Record<Stage, string[]> = {
  intake: ['advance:due_diligence', 'reject:rejected', 'offboard:offboarded'],
  due_diligence: ['advance:tracking_setup', 'back:intake', 'reject:rejected', 'offboard:offboarded'],
  tracking_setup: [
    'advance:activation_readiness',
    'back:intake',
    'back:due_diligence',
    'reject:rejected',
    'offboard:offboarded',
  ],
  activation_readiness: [
    'advance:handover',
    'back:intake',
    'back:due_diligence',
    'back:tracking_setup',
    'reject:rejected',
    'offboard:offboarded',
  ],
  handover: [
    'advance:active',
    'back:intake',
    'back:due_diligence',
    'back:tracking_setup',
    'back:activation_readiness',
    'reject:rejected',
    'offboard:offboarded',
  ],
  active: ['suspend:suspended', 'offboard:offboarded'],
  suspended: ['resume:active', 'offboard:offboarded'],
  rejected: ['offboard:offboarded'],
  offboarded: [],
};

describe('transitions', () => {
  it('every stage allows exactly the expected moves', () => {
    for (const stage of STAGES) {
      expect(allowedTransitions(stage).map((t) => `${t.move}:${t.to}`)).toEqual(EXPECTED[stage]);
    }
  });

  it('next stage is one step along the path, and only from a gate stage', () => {
    expect(STAGES.map((s) => nextStage(s))).toEqual([
      'due_diligence',
      'tracking_setup',
      'activation_readiness',
      'handover',
      'active',
      null,
      null,
      null,
      null,
    ]);
    expect(nextStage('nonsense')).toBeNull();
    expect(allowedTransitions('nonsense')).toEqual([]);
  });

  it('every stage × every move × every target: canMove agrees with the table', () => {
    for (const from of STAGES) {
      for (const move of MOVE_KINDS) {
        for (const to of STAGES) {
          expect(canMove(from, move, to)).toBe(EXPECTED[from].includes(`${move}:${to}`));
        }
      }
    }
  });

  it('409 wording names the allowed moves, and says when a state is final', () => {
    expect(describeAllowed('active')).toBe('suspend; offboard');
    expect(describeAllowed('suspended')).toBe('resume to Active; offboard');
    expect(describeAllowed('offboarded')).toBe('nothing (this state is final)');
  });

  it('random walks stay on the rules: forward one step, back only earlier, active only through handover or resume', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (choices) => {
        let stage: Stage = 'intake';
        for (const c of choices) {
          const options = allowedTransitions(stage);
          if (options.length === 0) {
            expect(stage).toBe('offboarded');
            break;
          }
          const t = options[c % options.length];
          if (!t) break;
          if (t.move === 'advance') expect(PATH.indexOf(t.to)).toBe(PATH.indexOf(stage) + 1);
          if (t.move === 'back') {
            expect(PATH.indexOf(t.to)).toBeLessThan(PATH.indexOf(stage));
            expect(earlierStages(stage)).toContain(t.to);
          }
          if (t.to === 'active') expect(['handover', 'suspended']).toContain(stage);
          if (t.move === 'reject') expect(isGateStage(stage)).toBe(true);
          stage = t.to;
        }
      }),
    );
  });

  it('advancing from active, suspended, rejected or offboarded is impossible; every non-final state can be offboarded', () => {
    for (const s of ['active', 'suspended', 'rejected', 'offboarded'] as Stage[]) {
      expect(allowedTransitions(s).some((t) => t.move === 'advance')).toBe(false);
    }
    for (const s of STAGES) {
      expect(canMove(s, 'offboard', 'offboarded')).toBe(s !== 'offboarded');
    }
    expect(GATE_STAGES.every((s) => canMove(s, 'reject', 'rejected'))).toBe(true);
  });
});
