// The checklist templates a fresh workspace starts with (version 1 per partner type), written for an FX/CFD
// broker's partner programme. Admins replace them by publishing new versions.
//
// Choices:
// - Every gate checks the mandatory fields the next stage needs (the policy decides which), has the tasks of
//   the stage done, and (from due diligence on) no open blocking risk flag.
// - Due diligence rests on Compliance's case decision (KYC for individuals, KYB for companies); the gate adds
//   the proof of address every partner needs approved, and a review of marketing methods and target countries.
// - Tracking QA blocks every type that sends traffic through tracking links. IBs mostly refer clients with a
//   referral code, so for them it is informative only. Until the tracking module exists the item reads "not
//   available yet" — and therefore blocks for the traffic-sending types: an admin who wants to activate them
//   before that lands publishes a version that makes the item non-blocking, which the audit log records.
// - Activation readiness is where money is at stake: terms approved and accepted, signed agreement, tax form,
//   payout details verified by Finance, payout schedule set.
// - White labels and networks act for the broker towards many end clients or sub-affiliates, so a Team Lead
//   approves the commercial fit at intake and Compliance runs enhanced due diligence.
import type { PartnerType } from '../partners/index.ts';
import { PARTNER_TYPES } from '../partners/index.ts';
import type { StageTaskTemplate } from '../tasks/index.ts';
import type { ChecklistItem, TemplateStages } from './template.ts';

const sys = (
  key: string,
  label: string,
  check: Extract<ChecklistItem, { kind: 'system' }>['check'],
  params?: {
    types?: (
      | 'identity'
      | 'proof_of_address'
      | 'incorporation'
      | 'ubo_declaration'
      | 'agreement'
      | 'tax_form'
      | 'other'
    )[];
    withinDays?: number;
  },
  blocking = true,
): ChecklistItem => ({ key, label, kind: 'system', check, blocking, ...(params ? { params } : {}) });

const manual = (
  key: string,
  label: string,
  role: Extract<ChecklistItem, { kind: 'manual' }>['role'],
  opts: { blocking?: boolean; evidence?: 'optional' | 'required' } = {},
): ChecklistItem => ({
  key,
  label,
  kind: 'manual',
  role,
  blocking: opts.blocking ?? true,
  ...(opts.evidence ? { evidence: opts.evidence } : {}),
});

const task = (
  key: string,
  team: StageTaskTemplate['team'],
  title: string,
  slaBusinessHours: number,
  description?: string,
): StageTaskTemplate => ({ key, team, title, slaBusinessHours, ...(description ? { description } : {}) });

const FIELDS = sys(
  'mandatory_fields',
  'Mandatory fields for the next stage are complete',
  'mandatory_fields',
);
const TASKS_DONE = sys('stage_tasks_done', 'Every task of this stage is done', 'stage_tasks_done');
const NO_RISK = sys('no_blocking_risk', 'No open blocking risk flag', 'no_blocking_risk');

function templateFor(type: PartnerType): TemplateStages {
  const tracksTraffic = type !== 'ib';
  const enhanced = type === 'white_label' || type === 'network';

  const intakeItems: ChecklistItem[] = [
    FIELDS,
    manual('qualification_call', 'Qualification call held and notes recorded', 'bdm'),
    manual('duplicate_check', 'Not an existing partner or client of the broker (duplicate check)', 'ops'),
  ];
  if (enhanced) {
    intakeItems.push(manual('commercial_fit', 'Commercial fit approved by a Team Lead', 'team_lead'));
  }

  const ddItems: ChecklistItem[] = [
    FIELDS,
    sys('due_diligence', 'Due-diligence decision is positive (KYC / KYB)', 'due_diligence_positive'),
    sys('address_approved', 'Proof of address approved and not expired', 'documents_approved', {
      types: ['proof_of_address'],
    }),
    manual(
      'marketing_review',
      'Marketing methods and target countries checked against restricted countries',
      'compliance',
    ),
    NO_RISK,
    TASKS_DONE,
  ];
  if (enhanced) {
    ddItems.push(
      manual(
        'enhanced_dd',
        'Enhanced due diligence: sub-affiliate and end-client controls reviewed',
        'compliance',
        {
          evidence: 'required',
        },
      ),
    );
  }
  if (type === 'influencer') {
    ddItems.push(
      manual('channels_review', 'Social channels reviewed for banned claims and risk warnings', 'compliance'),
    );
  }
  if (type === 'ib') {
    ddItems.push(
      manual(
        'ib_model_review',
        'Referral model reviewed: no account management or trading on behalf of clients',
        'compliance',
      ),
    );
  }

  const trackingItems: ChecklistItem[] = [
    FIELDS,
    manual('links_configured', 'Tracking links and the partner postback are configured', 'ops'),
    sys(
      'tracking_qa',
      'Tracking QA passed within the last 14 days',
      'tracking_qa_passed',
      { withinDays: 14 },
      tracksTraffic,
    ),
    TASKS_DONE,
  ];

  const readinessItems: ChecklistItem[] = [
    FIELDS,
    sys('terms_accepted', 'Commercial terms approved and accepted by the partner', 'terms_approved_accepted'),
    sys('agreement_signed', 'Partner agreement signed (approved, not expired)', 'agreement_signed'),
    sys('tax_form_approved', 'Tax form approved', 'documents_approved', { types: ['tax_form'] }),
    sys('payout_verified', 'Payout details verified by Finance', 'payout_verified'),
    manual('payout_schedule', 'Payout schedule and invoicing set up', 'finance'),
    NO_RISK,
    TASKS_DONE,
  ];

  const handoverItems: ChecklistItem[] = [
    manual('escalation_contacts', 'Escalation contacts agreed with the partner', 'support'),
    sys(
      'handover_acknowledged',
      'Handover acknowledged by Support or the account manager',
      'handover_acknowledged',
    ),
    NO_RISK,
    TASKS_DONE,
  ];

  return {
    intake: {
      items: intakeItems,
      tasks: [task('duplicate_check', 'ops', 'Check for duplicate partners and existing client accounts', 8)],
    },
    due_diligence: {
      items: ddItems,
      tasks: [
        // The key is the due-diligence module's DD_REVIEW_TASK_KEY: a documentation request pauses this task's SLA.
        task('dd_review', 'compliance', 'Run the KYC / KYB review and record the screening result', 24),
        task('marketing_review', 'compliance', 'Review website, marketing methods and target countries', 24),
      ],
    },
    tracking_setup: {
      items: trackingItems,
      tasks: [
        task(
          'tracking_links',
          'ops',
          tracksTraffic
            ? 'Create tracking links and configure the partner postback'
            : 'Set up the IB referral code and links',
          8,
        ),
      ],
    },
    activation_readiness: {
      items: readinessItems,
      tasks: [
        task('verify_payout_details', 'finance', 'Verify payout details', 16),
        task('payout_schedule', 'finance', 'Set the payout schedule and invoicing', 16),
      ],
    },
    handover: {
      items: handoverItems,
      tasks: [
        task(
          'handover_briefing',
          'support',
          'Escalation contacts and handover briefing',
          8,
          'Read the handover record, agree escalation contacts with the partner, then acknowledge the handover.',
        ),
      ],
    },
  };
}

/** Version 1 of the template of every partner type. */
export function defaultTemplates(): { partnerType: PartnerType; stages: TemplateStages }[] {
  return PARTNER_TYPES.map((partnerType) => ({ partnerType, stages: templateFor(partnerType) }));
}
