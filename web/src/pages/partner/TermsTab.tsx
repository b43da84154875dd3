// Terms & approvals: every version of the partner's commercial terms with its status, approver, decision and
// the partner's acceptance; the version in force today is highlighted. Propose, approve/reject (four eyes and
// the authority ladder are enforced by the API, which explains any refusal), withdraw, record acceptance.
import {
  Alert,
  Badge,
  Button,
  Code,
  Collapse,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { ApiError, api } from '../../api/client';
import type { CommissionPlan, Partner, TermsVersion } from '../../api/types';
import { DateTime, StatusBadge } from '../../components/bits';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { formatBps, formatDate, formatLots, formatMoney, humanize } from '../../lib/format';
import { useSession } from '../../lib/session';
import { ReasonModal } from './DocumentsTab';
import { ProposeTermsForm } from './ProposeTerms';

const LADDER = ['bdm', 'team_lead', 'leadership'];
function roleReaches(role: string, required: string): boolean {
  const rank = role === 'admin' ? 2 : LADDER.indexOf(role);
  return rank >= 0 && rank >= LADDER.indexOf(required);
}

type Action = { kind: 'approve' | 'reject' | 'withdraw' | 'accept'; terms: TermsVersion };

export function TermsTab({ partner }: { partner: Partner }) {
  const { can, session } = useSession();
  const [proposing, setProposing] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const [action, setAction] = useState<Action | null>(null);
  const [acceptedAt, setAcceptedAt] = useState('');
  const list = useQuery({
    queryKey: ['partner', partner.id, 'terms'],
    queryFn: () =>
      api.get('/api/v1/partners/{id}/terms', { path: { id: partner.id }, query: { limit: 200 } }),
  });
  const current = useQuery({
    queryKey: ['partner', partner.id, 'terms', 'current'],
    queryFn: async () => {
      try {
        return await api.get('/api/v1/partners/{id}/terms/current', { path: { id: partner.id } });
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
  });
  const versions = list.data?.data ?? [];
  const me = session.user.id;
  const canPropose = can('terms.propose') && !partner.archivedAt;

  const actionsFor = (t: TermsVersion) => {
    const out: JSX[] = [];
    if (t.status === 'pending_approval') {
      const mayDecide =
        can('terms.approve') &&
        session.via === 'session' &&
        t.proposedBy.id !== me &&
        roleReaches(session.user.role, t.requiredRole);
      if (mayDecide) {
        out.push(
          <Button
            key="a"
            size="compact-xs"
            color="green"
            onClick={() => setAction({ kind: 'approve', terms: t })}
            data-testid="terms-approve"
          >
            Approve
          </Button>,
          <Button
            key="r"
            size="compact-xs"
            color="red"
            variant="light"
            onClick={() => setAction({ kind: 'reject', terms: t })}
            data-testid="terms-reject"
          >
            Reject
          </Button>,
        );
      } else if (can('terms.approve') && t.proposedBy.id === me) {
        out.push(
          <Tooltip key="4" label="Four eyes: someone else must decide on your proposal">
            <Text size="xs" c="dimmed">
              awaiting another approver
            </Text>
          </Tooltip>,
        );
      }
      if (t.proposedBy.id === me || can('partners.update_any')) {
        out.push(
          <Button
            key="w"
            size="compact-xs"
            variant="subtle"
            color="gray"
            onClick={() => setAction({ kind: 'withdraw', terms: t })}
            data-testid="terms-withdraw"
          >
            Withdraw
          </Button>,
        );
      }
    }
    if (t.status === 'approved' && !t.acceptedAt && can('terms.record_acceptance')) {
      out.push(
        <Button
          key="acc"
          size="compact-xs"
          variant="light"
          onClick={() => setAction({ kind: 'accept', terms: t })}
          data-testid="terms-accept"
        >
          Record acceptance
        </Button>,
      );
    }
    return out;
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        {current.data ? (
          <Text size="sm" data-testid="terms-in-force">
            In force: <b>v{current.data.version}</b> since {formatDate(current.data.effectiveFrom)} —{' '}
            {current.data.summary}
          </Text>
        ) : current.isPending ? (
          <span />
        ) : (
          <Text size="sm" c="dimmed" data-testid="terms-in-force">
            No terms in force yet (a version must be approved, accepted by the partner and effective).
          </Text>
        )}
        {canPropose && (
          <Button onClick={() => setProposing(true)} data-testid="propose-terms">
            Propose terms
          </Button>
        )}
      </Group>
      <Paper withBorder>
        {list.isPending ? (
          <TableSkeleton cols={7} rows={3} />
        ) : list.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={list.error} onRetry={() => void list.refetch()} />
          </div>
        ) : versions.length === 0 ? (
          <EmptyState
            title="No terms proposed yet"
            action={
              canPropose ? (
                <Button variant="light" onClick={() => setProposing(true)}>
                  Propose the first terms
                </Button>
              ) : undefined
            }
          >
            Commercial terms are versioned: each version is approved by the right level, accepted by the
            partner and never applied retroactively.
          </EmptyState>
        ) : (
          <Table data-testid="terms-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Version</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Terms</Table.Th>
                <Table.Th>Effective</Table.Th>
                <Table.Th>Approver</Table.Th>
                <Table.Th>Proposed</Table.Th>
                <Table.Th>Decision</Table.Th>
                <Table.Th>Acceptance</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {versions.map((t) => {
                const inForce = current.data?.id === t.id;
                return (
                  <Fragment key={t.id}>
                    <Table.Tr
                      className={inForce ? 'pd-current-terms' : undefined}
                      data-testid="terms-row"
                      data-status={t.status}
                    >
                      <Table.Td>
                        <Group gap={4} wrap="nowrap">
                          <Text fw={600} size="sm">
                            v{t.version}
                          </Text>
                          {inForce && (
                            <Badge size="xs" color="green" variant="filled">
                              in force
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td miw={140}>
                        <StatusBadge status={t.status} testId="terms-status" />
                      </Table.Td>
                      <Table.Td maw={320}>
                        <Text size="sm" lineClamp={2} title={t.summary}>
                          <Badge size="xs" variant="outline" mr={4}>
                            {t.model}
                          </Badge>
                          {t.summary}
                        </Text>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          onClick={() => setOpen(open === t.id ? null : t.id)}
                        >
                          {open === t.id ? 'Hide details' : 'Details'}
                        </Button>
                      </Table.Td>
                      <Table.Td>{formatDate(t.effectiveFrom)}</Table.Td>
                      <Table.Td>{humanize(t.requiredRole)}</Table.Td>
                      <Table.Td>
                        <Text size="sm">{t.proposedBy.name}</Text>
                        <DateTime iso={t.proposedAt} relative />
                      </Table.Td>
                      <Table.Td>
                        {t.decidedBy ? (
                          <>
                            <Text size="sm">{t.decidedBy.name}</Text>
                            <DateTime iso={t.decidedAt} relative />
                            {t.decisionReason && (
                              <Text size="xs" c="dimmed" lineClamp={2} title={t.decisionReason}>
                                “{t.decisionReason}”
                              </Text>
                            )}
                          </>
                        ) : (
                          <Text size="sm" c="dimmed">
                            —
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        {t.acceptedAt ? (
                          <>
                            <Text size="sm">
                              {t.acceptedVia === 'on_behalf'
                                ? `${t.acceptedBy?.name ?? '?'} (on behalf)`
                                : t.acceptedBy?.name}
                            </Text>
                            <DateTime iso={t.acceptedAt} relative />
                          </>
                        ) : t.status === 'approved' ? (
                          <Text size="sm" c="orange.8">
                            awaiting partner
                          </Text>
                        ) : (
                          <Text size="sm" c="dimmed">
                            —
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          {actionsFor(t)}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                    <Table.Tr style={{ display: open === t.id ? undefined : 'none' }}>
                      <Table.Td colSpan={9} bg="gray.0">
                        <Collapse expanded={open === t.id}>
                          <TermsDetails terms={t} />
                        </Collapse>
                      </Table.Td>
                    </Table.Tr>
                  </Fragment>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </Paper>

      <Modal
        opened={proposing}
        onClose={() => setProposing(false)}
        title={`Propose terms for ${partner.displayName}`}
        size="xl"
      >
        {proposing && <ProposeTermsForm partnerId={partner.id} onDone={() => setProposing(false)} />}
      </Modal>

      <ReasonModal
        title={action ? `${humanize(action.kind)} terms v${action.terms.version}` : ''}
        opened={action !== null}
        onClose={() => {
          setAction(null);
          setAcceptedAt('');
        }}
        label={
          action?.kind === 'reject'
            ? 'Why are they rejected?'
            : action?.kind === 'accept'
              ? 'How was the acceptance received? (e.g. signed PDF by email)'
              : 'Comment (optional)'
        }
        required={action?.kind === 'reject' || (action?.kind === 'accept' && session.user.role !== 'partner')}
        confirm={action ? (action.kind === 'accept' ? 'Record acceptance' : humanize(action.kind)) : ''}
        color={
          action?.kind === 'approve'
            ? 'green'
            : action?.kind === 'accept'
              ? 'blue'
              : action?.kind === 'withdraw'
                ? 'gray'
                : 'red'
        }
        invalidate={[['partner', partner.id], ['approvals']]}
        onSubmit={async (reason) => {
          if (!action) return;
          const path = { id: partner.id, termsId: action.terms.id };
          if (action.kind === 'approve')
            await api.post('/api/v1/partners/{id}/terms/{termsId}/approve', {
              path,
              body: { reason: reason || null },
            });
          if (action.kind === 'reject')
            await api.post('/api/v1/partners/{id}/terms/{termsId}/reject', { path, body: { reason } });
          if (action.kind === 'withdraw')
            await api.post('/api/v1/partners/{id}/terms/{termsId}/withdraw', {
              path,
              body: { reason: reason || null },
            });
          if (action.kind === 'accept')
            await api.post('/api/v1/partners/{id}/terms/{termsId}/accept', {
              path,
              body: {
                note: reason || null,
                acceptedAt: acceptedAt ? new Date(acceptedAt).toISOString() : null,
              },
            });
        }}
      >
        {action && (
          <Alert variant="light" color="gray" p="xs">
            <Text size="sm">{action.terms.summary}</Text>
            <Text size="xs" c="dimmed">
              Effective {formatDate(action.terms.effectiveFrom)} · proposed by {action.terms.proposedBy.name}{' '}
              · needs {humanize(action.terms.requiredRole)}
            </Text>
          </Alert>
        )}
        {action?.kind === 'accept' && (
          <TextInput
            label="Accepted at (optional)"
            description="When the partner accepted; defaults to now. Your local time."
            type="datetime-local"
            value={acceptedAt}
            onChange={(e) => setAcceptedAt(e.currentTarget.value)}
          />
        )}
      </ReasonModal>
    </Stack>
  );
}

type JSX = React.JSX.Element;

function TermsDetails({ terms }: { terms: TermsVersion }) {
  const diff = terms.diffFromPrevious;
  return (
    <Group align="flex-start" gap="xl" py="xs">
      <Stack gap={2}>
        <Text size="xs" fw={700} c="dimmed" tt="uppercase">
          Plan
        </Text>
        <PlanDetails plan={terms.plan} currency={terms.currency} />
        {terms.note && (
          <Text size="sm" mt={4}>
            Note: {terms.note}
          </Text>
        )}
        {terms.acceptanceNote && <Text size="sm">Acceptance: {terms.acceptanceNote}</Text>}
      </Stack>
      <Stack gap={2}>
        <Text size="xs" fw={700} c="dimmed" tt="uppercase">
          {diff.previousVersion ? `Changes from v${diff.previousVersion}` : 'First version'}
        </Text>
        {diff.changes.length === 0 && diff.previousVersion && <Text size="sm">No changes</Text>}
        {diff.changes.map((c) => (
          <Text size="sm" key={c.path}>
            <Code>{c.path}</Code> {JSON.stringify(c.before) ?? '—'} → <b>{JSON.stringify(c.after) ?? '—'}</b>
          </Text>
        ))}
      </Stack>
    </Group>
  );
}

export function PlanDetails({ plan, currency }: { plan: CommissionPlan; currency: string }) {
  const m = (v: number | undefined) => (v === undefined ? '—' : formatMoney(v, currency));
  const lines: string[] = [];
  const p = plan as Record<string, unknown> & CommissionPlan;
  const cpa = (p as { cpa?: Extract<CommissionPlan, { model: 'cpa' }>['cpa'] }).cpa;
  if (cpa) {
    if (cpa.amountMinor !== undefined) lines.push(`CPA ${m(cpa.amountMinor)} per qualified FTD`);
    for (const t of cpa.tiers ?? []) lines.push(`CPA ${m(t.amountMinor)} from FTD ${m(t.minFtdMinor ?? 0)}`);
    const q = cpa.qualification;
    lines.push(
      `Qualifies: FTD ≥ ${m(q.minFtdMinor)}, ≥ ${formatLots(q.minLots)} lots within ${q.withinDays} days`,
    );
    if (q.allowedCountries?.length) lines.push(`Only from ${q.allowedCountries.join(', ')}`);
    if (q.excludedCountries?.length) lines.push(`Never from ${q.excludedCountries.join(', ')}`);
  }
  const rs = (p as { revshare?: { shareBps: number; basis: string } }).revshare;
  if (rs) lines.push(`RevShare ${formatBps(rs.shareBps)} of ${humanize(rs.basis).toLowerCase()}`);
  const rb = (p as { rebates?: { group: string; amountPerLotMinor: number }[] }).rebates;
  for (const r of rb ?? []) lines.push(`Rebate ${humanize(r.group)}: ${m(r.amountPerLotMinor)} per lot`);
  if (p.subIbOverride)
    lines.push(
      `Sub-IB override: ${[p.subIbOverride.perLotMinor !== undefined ? `${m(p.subIbOverride.perLotMinor)}/lot` : null, p.subIbOverride.shareBps !== undefined ? formatBps(p.subIbOverride.shareBps) : null].filter(Boolean).join(' + ')}`,
    );
  if (p.caps)
    lines.push(
      `Caps: ${[p.caps.payoutPerMonthMinor !== undefined ? `${m(p.caps.payoutPerMonthMinor)}/month` : null, p.caps.qualifiedFtdsPerMonth !== undefined ? `${p.caps.qualifiedFtdsPerMonth} FTDs/month` : null].filter(Boolean).join(', ')}`,
    );
  if (p.holdingDays !== undefined) lines.push(`Holding period ${p.holdingDays} days`);
  return (
    <Stack gap={0}>
      {lines.map((l) => (
        <Text size="sm" key={l}>
          {l}
        </Text>
      ))}
    </Stack>
  );
}
