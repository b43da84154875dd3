// A partner's onboarding: where it stands on the path (stepper, days in stage), the gate of the current stage
// with every item (state, who owes it, why it is unmet; tick and untick in place), the moves the user may make
// (advance through the gate, back with a reason, reject/suspend/resume/offboard), the handover record, the
// stage's tasks with their SLA state, open risk flags and the history of moves.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  List,
  Modal,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Stepper,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, asApiError } from '../../api/client';
import type { GateItem, Onboarding, Partner } from '../../api/types';
import { DateTime, StageBadge } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { BlockSkeleton, EmptyState, ErrorState } from '../../components/states';
import { ItemStateBadge, ownerText, stalledColor } from '../../components/work';
import { formatLocal, humanize } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { MAIN_STAGES } from '../../lib/reference';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { RaiseFlagModal, RiskFlagTable } from '../work/RiskFlagsPage';
import { TaskTable } from '../work/TaskTable';
import { ReasonModal } from './DocumentsTab';
import { HandoverPanel } from './HandoverPanel';
import { usePartnerDocumentOptions } from './partner-docs';

type Move = Onboarding['allowedMoves'][number];
type Unmet = { key: string; label: string; state: string; reason: string | null; owner?: GateItem['owner'] };

/** Everything a move or tick can change. */
export function onboardingKeys(partnerId: string): unknown[][] {
  return [
    ['onboarding', partnerId],
    ['partner', partnerId],
    ['pipeline'],
    ['tasks'],
    ['my-work'],
    ['handover', partnerId],
  ];
}

export function useOnboarding(partnerId: string, enabled = true) {
  return useQuery({
    queryKey: ['onboarding', partnerId],
    enabled,
    queryFn: () => api.get('/api/v1/partners/{id}/onboarding', { path: { id: partnerId } }),
  });
}

export function OnboardingTab({ partner }: { partner: Partner }) {
  const { can } = useSession();
  const q = useOnboarding(partner.id);
  if (q.isPending) return <BlockSkeleton lines={8} />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const o = q.data;
  return (
    <Stack gap="md" data-testid="onboarding-tab" data-stage={o.stage}>
      <StageHeader o={o} />
      <MoveBar o={o} archived={Boolean(partner.archivedAt)} />
      {(o.stage === 'handover' || o.history.some((h) => h.stage === 'handover')) &&
        can('onboarding.read') && <HandoverPanel partnerId={partner.id} stage={o.stage} />}
      {o.gate.items.length > 0 || MAIN_STAGES.slice(0, 5).includes(o.stage as never) ? (
        <GatePanel o={o} partnerId={partner.id} />
      ) : null}
      {can('risk.read') && <PartnerRiskFlags partnerId={partner.id} />}
      {can('tasks.read') && <StageTasks partnerId={partner.id} stage={o.stage} />}
      <HistoryPanel o={o} />
    </Stack>
  );
}

function StageHeader({ o }: { o: Onboarding }) {
  const path = MAIN_STAGES as readonly string[];
  const onPath = path.includes(o.stage);
  const lastOnPath = onPath ? o.stage : (o.history.find((h) => path.includes(h.stage))?.stage ?? 'intake');
  const index = path.indexOf(lastOnPath);
  const sideReason = !onPath ? o.history[0]?.reason : null;
  const daysColor = stalledColor(o.daysInStage);
  return (
    <Paper withBorder p="sm">
      <Group justify="space-between" mb="sm" align="flex-start">
        <div>
          <Group gap="xs">
            <Text fw={700} size="lg" data-testid="onboarding-stage">
              {o.stageLabel}
            </Text>
            {!onPath && <StageBadge stage={o.stage} />}
          </Group>
          <Text size="sm" c="dimmed">
            <Text span fw={600} c={daysColor} size="sm" data-testid="days-in-stage">
              {o.daysInStage}
              {o.enteredAtExact ? '' : '+'} day{o.daysInStage === 1 ? '' : 's'}
            </Text>{' '}
            in this stage, since {formatLocal(o.enteredAt)}
            {o.enteredAtExact ? '' : ' or earlier (it was here before stage history was kept)'}
            {o.template && ` · checklist ${humanize(o.template.partnerType)} v${o.template.version}`}
          </Text>
          {sideReason && (
            <Text size="sm" mt={4}>
              Reason: {sideReason}
            </Text>
          )}
        </div>
        <Group gap="xs">
          {o.tasks.total > 0 && (
            <Badge variant="light" color={o.tasks.overdue ? 'red' : 'gray'}>
              {o.tasks.open} open task{o.tasks.open === 1 ? '' : 's'}
              {o.tasks.overdue ? ` · ${o.tasks.overdue} overdue` : ''}
            </Badge>
          )}
          {onPath && o.stage !== 'active' && (
            <Badge
              variant={o.gate.canAdvance ? 'filled' : 'light'}
              color={o.gate.canAdvance ? 'green' : 'red'}
              data-testid="gate-summary"
            >
              {o.gate.canAdvance
                ? `Gate holds${o.next ? ` · ready for ${o.next.label}` : ''}`
                : `${o.gate.blockers.length} blocking item${o.gate.blockers.length === 1 ? '' : 's'}`}
            </Badge>
          )}
        </Group>
      </Group>
      <Stepper
        active={o.stage === 'active' ? path.length : index}
        size="xs"
        color={onPath ? 'blue' : o.stage === 'suspended' ? 'orange' : 'red'}
        allowNextStepsSelect={false}
        data-testid="onboarding-stepper"
      >
        {path.map((s) => (
          <Stepper.Step key={s} label={humanize(s)} allowStepSelect={false} />
        ))}
      </Stepper>
    </Paper>
  );
}

// ---- moves ------------------------------------------------------------------------------------------------

function MoveBar({ o, archived }: { o: Onboarding; archived: boolean }) {
  const { can } = useSession();
  const qc = useQueryClient();
  const [refusal, setRefusal] = useState<ApiError | null>(null);
  const [advancing, setAdvancing] = useState(false);
  const [backOpen, setBackOpen] = useState(false);
  const [decision, setDecision] = useState<Move | null>(null);
  const moves = o.allowedMoves;
  const advance = moves.find((m) => m.move === 'advance');
  const backs = moves.filter((m) => m.move === 'back');
  const decisions = moves.filter((m) => ['reject', 'suspend', 'resume', 'offboard'].includes(m.move));
  const mayAdvance = can('onboarding.advance');
  const mayDecide = can('onboarding.decide');
  const advanceByHandover = o.stage === 'handover';

  if (archived) {
    return (
      <Alert color="gray" variant="light">
        This partner is archived; restore it to move it through onboarding.
      </Alert>
    );
  }
  if (!(advance && mayAdvance) && !(backs.length && mayAdvance) && !(decisions.length && mayDecide))
    return null;

  async function doAdvance() {
    setAdvancing(true);
    setRefusal(null);
    try {
      const r = await api.post('/api/v1/partners/{id}/onboarding/advance', {
        path: { id: o.partnerId },
        body: { expectedStage: o.stage },
      });
      qc.setQueryData(['onboarding', o.partnerId], r);
      await Promise.all(onboardingKeys(o.partnerId).map((k) => qc.invalidateQueries({ queryKey: k })));
      notifications.show({ color: 'green', message: `${o.displayName} moved to ${r.stageLabel}` });
    } catch (err) {
      setRefusal(asApiError(err));
      await qc.invalidateQueries({ queryKey: ['onboarding', o.partnerId] });
    } finally {
      setAdvancing(false);
    }
  }

  const unmet = (refusal?.extra.unmetItems as Unmet[] | undefined) ?? [];
  return (
    <Stack gap="xs">
      <Group gap="xs">
        {advance && mayAdvance && !advanceByHandover && (
          <Tooltip
            label={
              o.gate.canAdvance
                ? `Move to ${humanize(advance.to)}`
                : 'The gate does not hold yet; trying shows what is missing'
            }
          >
            <Button
              onClick={() => void doAdvance()}
              loading={advancing}
              variant={o.gate.canAdvance ? 'filled' : 'light'}
              data-testid="onboarding-advance"
            >
              Advance to {humanize(advance.to)}
            </Button>
          </Tooltip>
        )}
        {backs.length > 0 && mayAdvance && (
          <Button variant="default" onClick={() => setBackOpen(true)} data-testid="onboarding-back">
            Move back…
          </Button>
        )}
        {mayDecide &&
          decisions.map((m) => (
            <Button
              key={m.move}
              variant={m.move === 'resume' ? 'light' : 'subtle'}
              color={m.move === 'resume' ? 'green' : m.move === 'suspend' ? 'orange' : 'red'}
              onClick={() => setDecision(m)}
              data-testid={`onboarding-${m.move}`}
            >
              {humanize(m.move)}
            </Button>
          ))}
      </Group>
      {refusal && (
        <Alert
          color="red"
          variant="light"
          withCloseButton
          onClose={() => setRefusal(null)}
          title={
            refusal.status === 409 && unmet.length
              ? `Cannot advance yet: ${unmet.length} blocking item(s) not met`
              : 'Cannot advance'
          }
          data-testid="advance-refused"
        >
          {unmet.length > 0 ? (
            <List size="sm" spacing={2}>
              {unmet.map((u) => (
                <List.Item key={u.key} data-testid="unmet-item">
                  <b>{u.label}</b>
                  {u.owner ? (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      · {ownerText(u.owner)}
                    </Text>
                  ) : null}
                  {' — '}
                  {u.reason ?? humanize(u.state)}
                </List.Item>
              ))}
            </List>
          ) : (
            <Text size="sm">{refusal.detail}</Text>
          )}
        </Alert>
      )}
      <BackModal
        o={o}
        opened={backOpen}
        onClose={() => setBackOpen(false)}
        targets={backs.map((b) => b.to)}
      />
      <ReasonModal
        title={decision ? `${humanize(decision.move)} ${o.displayName}` : ''}
        opened={decision !== null}
        onClose={() => setDecision(null)}
        label={`Why is the partner ${decision ? pastTense(decision.move) : ''}?`}
        confirm={decision ? humanize(decision.move) : ''}
        color={decision?.move === 'resume' ? 'green' : decision?.move === 'suspend' ? 'orange' : 'red'}
        invalidate={onboardingKeys(o.partnerId)}
        onSubmit={async (reason) => {
          if (!decision) return;
          const path = { id: o.partnerId };
          const body = { reason };
          if (decision.move === 'reject')
            await api.post('/api/v1/partners/{id}/onboarding/reject', { path, body });
          if (decision.move === 'suspend')
            await api.post('/api/v1/partners/{id}/onboarding/suspend', { path, body });
          if (decision.move === 'resume')
            await api.post('/api/v1/partners/{id}/onboarding/resume', { path, body });
          if (decision.move === 'offboard')
            await api.post('/api/v1/partners/{id}/onboarding/offboard', { path, body });
        }}
      >
        {decision?.move === 'offboard' && (
          <Text size="sm">
            Offboarding is final. The partner keeps its history and is listed as terminated.
          </Text>
        )}
        {decision?.move === 'reject' && (
          <Text size="sm">A rejected partner can only be offboarded afterwards.</Text>
        )}
      </ReasonModal>
    </Stack>
  );
}

function pastTense(move: string): string {
  return (
    { reject: 'rejected', suspend: 'suspended', resume: 'resumed', offboard: 'offboarded' }[move] ?? move
  );
}

function BackModal({
  o,
  opened,
  onClose,
  targets,
}: {
  o: Onboarding;
  opened: boolean;
  onClose: () => void;
  targets: string[];
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [to, setTo] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const close = () => {
    setTo(null);
    setReason('');
    errors.clear();
    onClose();
  };
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!to) return;
    setBusy(true);
    errors.clear();
    try {
      await api.post('/api/v1/partners/{id}/onboarding/back', {
        path: { id: o.partnerId },
        body: { toStage: to as Onboarding['stage'], reason: reason.trim() },
      });
      await Promise.all(onboardingKeys(o.partnerId).map((k) => qc.invalidateQueries({ queryKey: k })));
      notifications.show({ color: 'blue', message: `${o.displayName} moved back to ${humanize(to)}` });
      close();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened={opened} onClose={close} title={`Move ${o.displayName} back`}>
      <form onSubmit={submit} noValidate data-testid="back-form">
        <Stack gap="sm">
          <FormError errors={errors} shown={['toStage', 'reason']} />
          <Select
            label="Back to stage"
            data={targets.map((t) => ({ value: t, label: humanize(t) }))}
            value={to}
            onChange={setTo}
            required
            error={errors.field('toStage')}
            data-testid="back-stage"
          />
          <Textarea
            label="Why?"
            required
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={errors.field('reason')}
            data-testid="back-reason"
          />
          <Text size="xs" c="dimmed">
            The gate of the stage it returns to is checked again before it can move forward.
          </Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!to || !reason.trim()} data-testid="back-submit">
              Move back
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// ---- the gate ---------------------------------------------------------------------------------------------

/** Where a system item's fact is made true, for the "Open" link beside an unmet item. */
const WHERE: Partial<Record<NonNullable<GateItem['check']>, string>> = {
  mandatory_fields: '',
  documents_approved: '/documents',
  due_diligence_positive: '/due-diligence',
  terms_approved_accepted: '/terms',
  agreement_signed: '/documents',
  payout_verified: '/payouts',
};

function GatePanel({ o, partnerId }: { o: Onboarding; partnerId: string }) {
  const { session, can } = useSession();
  const docs = usePartnerDocumentOptions(partnerId);
  const [ticking, setTicking] = useState<GateItem | null>(null);
  const [unticking, setUnticking] = useState<GateItem | null>(null);
  const role = session.user.role;
  const mayTick = (item: GateItem) =>
    item.kind === 'manual' &&
    can('onboarding.tick') &&
    'role' in item.owner &&
    (item.owner.role === role || role === 'admin');
  const items = o.gate.items;
  return (
    <Paper withBorder>
      <Group justify="space-between" p="xs" pb={0}>
        <Title order={5}>{o.stageLabel} gate</Title>
        <Text size="xs" c="dimmed">
          {items.filter((i) => i.state === 'met').length} of {items.length} met
        </Text>
      </Group>
      {items.length === 0 ? (
        <EmptyState title="This stage has no gate">
          {o.stage === 'active'
            ? 'An active partner can be suspended or offboarded.'
            : 'No checklist applies here.'}
        </EmptyState>
      ) : (
        <Table data-testid="gate-table" verticalSpacing={8}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={110}>State</Table.Th>
              <Table.Th>Item</Table.Th>
              <Table.Th w={170}>Who owes it</Table.Th>
              <Table.Th>Why unmet / evidence</Table.Th>
              <Table.Th w={90} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr
                key={item.key}
                data-testid="gate-item"
                data-item-key={item.key}
                data-state={item.state}
                bg={item.state === 'unmet' && item.blocking ? 'red.0' : undefined}
              >
                <Table.Td>
                  <ItemStateBadge state={item.state} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {item.label}
                  </Text>
                  <Group gap={4}>
                    <Badge size="xs" variant="outline" color={item.kind === 'manual' ? 'blue' : 'gray'}>
                      {item.kind === 'manual' ? 'ticked by a person' : 'checked by the system'}
                    </Badge>
                    {!item.blocking && (
                      <Badge size="xs" variant="outline" color="gray">
                        not blocking
                      </Badge>
                    )}
                    {item.evidence === 'required' && (
                      <Badge size="xs" variant="outline" color="grape">
                        evidence required
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{ownerText(item.owner)}</Text>
                </Table.Td>
                <Table.Td>
                  {item.state !== 'met' && item.reason && (
                    <Text size="sm" c={item.state === 'unmet' ? 'red.8' : 'dimmed'} data-testid="item-reason">
                      {item.reason}
                    </Text>
                  )}
                  {item.tickedBy && (
                    <Text size="xs" c="dimmed">
                      Ticked by {item.tickedBy.name} · <DateTime iso={item.tickedAt} relative />
                      {item.comment ? ` · “${item.comment}”` : ''}
                    </Text>
                  )}
                  {item.evidenceGiven && (
                    <Text size="xs">
                      Evidence:{' '}
                      {item.evidenceGiven.url ? (
                        <Anchor href={item.evidenceGiven.url} target="_blank" rel="noreferrer" size="xs">
                          {item.evidenceGiven.url}
                        </Anchor>
                      ) : (
                        <Anchor component={Link} to={`/partners/${partnerId}/documents`} size="xs">
                          {docs.nameOf(item.evidenceGiven.documentId)}
                        </Anchor>
                      )}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {item.kind === 'system' &&
                    item.state === 'unmet' &&
                    item.check &&
                    WHERE[item.check] !== undefined && (
                      <Anchor
                        component={Link}
                        to={`/partners/${partnerId}${WHERE[item.check]}`}
                        size="xs"
                        data-testid="item-go"
                      >
                        Open
                      </Anchor>
                    )}
                  {mayTick(item) &&
                    (item.state === 'met' ? (
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        color="gray"
                        onClick={() => setUnticking(item)}
                        data-testid="item-untick"
                      >
                        Untick
                      </Button>
                    ) : (
                      <Button size="compact-xs" onClick={() => setTicking(item)} data-testid="item-tick">
                        Tick
                      </Button>
                    ))}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <TickModal item={ticking} partnerId={partnerId} onClose={() => setTicking(null)} docs={docs.options} />
      <ReasonModal
        title={unticking ? `Untick: ${unticking.label}` : ''}
        opened={unticking !== null}
        onClose={() => setUnticking(null)}
        label="Why is it no longer true?"
        confirm="Untick"
        color="orange"
        invalidate={onboardingKeys(partnerId)}
        onSubmit={async (reason) => {
          if (!unticking) return;
          await api.post('/api/v1/partners/{id}/onboarding/items/{itemKey}/untick', {
            path: { id: partnerId, itemKey: unticking.key },
            body: { reason },
          });
        }}
      />
    </Paper>
  );
}

function TickModal({
  item,
  partnerId,
  onClose,
  docs,
}: {
  item: GateItem | null;
  partnerId: string;
  onClose: () => void;
  docs: { value: string; label: string }[];
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [comment, setComment] = useState('');
  const [kind, setKind] = useState<'none' | 'document' | 'url'>('none');
  const [documentId, setDocumentId] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const required = item?.evidence === 'required';
  const close = () => {
    setComment('');
    setKind('none');
    setDocumentId(null);
    setUrl('');
    errors.clear();
    onClose();
  };
  const evidenceOk =
    kind === 'document' ? Boolean(documentId) : kind === 'url' ? Boolean(url.trim()) : !required;
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!item) return;
    setBusy(true);
    errors.clear();
    try {
      const evidence =
        kind === 'document' && documentId
          ? { documentId }
          : kind === 'url' && url.trim()
            ? { url: url.trim() }
            : undefined;
      const r = await api.post('/api/v1/partners/{id}/onboarding/items/{itemKey}/tick', {
        path: { id: partnerId, itemKey: item.key },
        body: { comment: comment.trim() || null, ...(evidence ? { evidence } : {}) },
      });
      qc.setQueryData(['onboarding', partnerId], r);
      await Promise.all(onboardingKeys(partnerId).map((k) => qc.invalidateQueries({ queryKey: k })));
      notifications.show({ color: 'green', message: `Ticked: ${item.label}` });
      close();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened={item !== null} onClose={close} title={item ? `Tick: ${item.label}` : ''} size="lg">
      <form onSubmit={submit} noValidate data-testid="tick-form">
        <Stack gap="sm">
          <FormError errors={errors} shown={['comment', 'evidence']} />
          <Textarea
            label="Comment"
            description="What you checked, so the next person does not have to ask"
            autosize
            minRows={2}
            data-autofocus
            value={comment}
            onChange={(e) => setComment(e.currentTarget.value)}
            error={errors.field('comment')}
            data-testid="tick-comment"
          />
          <div>
            <Text size="sm" fw={500} mb={4}>
              Evidence {required ? '(required)' : '(optional)'}
            </Text>
            <SegmentedControl
              size="xs"
              value={kind}
              onChange={(v) => setKind(v as typeof kind)}
              data={[
                ...(required ? [] : [{ value: 'none', label: 'None' }]),
                { value: 'document', label: 'A document of the partner' },
                { value: 'url', label: 'A link' },
              ]}
              data-testid="tick-evidence-kind"
            />
          </div>
          {kind === 'document' && (
            <Select
              label="Document"
              data={docs}
              value={documentId}
              onChange={setDocumentId}
              searchable
              nothingFoundMessage="The partner has no documents; upload one on the Documents tab"
              error={errors.field('evidence.documentId') ?? errors.field('evidence')}
              data-testid="tick-document"
            />
          )}
          {kind === 'url' && (
            <TextInput
              label="Link"
              placeholder="https://…"
              value={url}
              onChange={(e) => setUrl(e.currentTarget.value)}
              error={errors.field('evidence.url') ?? errors.field('evidence')}
              data-testid="tick-url"
            />
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!evidenceOk} data-testid="tick-submit">
              Tick
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// ---- tasks, risk, history ---------------------------------------------------------------------------------

function StageTasks({ partnerId, stage }: { partnerId: string; stage: string }) {
  const [all, setAll] = useState(false);
  const q = useQuery({
    queryKey: ['tasks', { partnerId }],
    queryFn: () => api.get('/api/v1/tasks', { query: { partnerId, limit: 200 } }),
  });
  const tasks = (q.data?.data ?? []).filter((t) => all || t.stage === stage);
  const others = (q.data?.data ?? []).length - (q.data?.data ?? []).filter((t) => t.stage === stage).length;
  return (
    <Paper withBorder>
      <Group justify="space-between" p="xs" pb={0}>
        <Title order={5}>Tasks {all ? '(all stages)' : 'of this stage'}</Title>
        {others > 0 && (
          <Switch
            size="xs"
            label={`Show other stages (${others})`}
            checked={all}
            onChange={(e) => setAll(e.currentTarget.checked)}
          />
        )}
      </Group>
      {q.isPending ? (
        <BlockSkeleton lines={3} />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : tasks.length === 0 ? (
        <Text size="sm" c="dimmed" p="xs">
          No tasks for this stage. Entering a stage creates the tasks its checklist template defines for
          Compliance, Finance, Support and Ops.
        </Text>
      ) : (
        <TaskTable tasks={tasks} showPartner={false} />
      )}
    </Paper>
  );
}

function PartnerRiskFlags({ partnerId }: { partnerId: string }) {
  const { can } = useSession();
  const [raising, setRaising] = useState(false);
  const q = useQuery({
    queryKey: ['risk-flags', { partnerId, status: 'open' }],
    queryFn: () => api.get('/api/v1/risk-flags', { query: { partnerId, status: 'open', limit: 200 } }),
  });
  const flags = q.data?.data ?? [];
  return (
    <Paper withBorder data-testid="partner-risk-flags">
      <Group justify="space-between" p="xs" pb={0}>
        <Title order={5}>Open risk flags</Title>
        <Group gap="xs">
          <Anchor component={Link} to={`/risk-flags?partnerId=${partnerId}&status=all`} size="xs">
            All flags of this partner
          </Anchor>
          {can('risk.manage') && (
            <Button
              size="compact-xs"
              variant="light"
              color="orange"
              onClick={() => setRaising(true)}
              data-testid="raise-flag"
            >
              Raise a flag
            </Button>
          )}
        </Group>
      </Group>
      {q.isPending ? (
        <BlockSkeleton lines={2} />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : flags.length === 0 ? (
        <Text size="sm" c="dimmed" p="xs">
          No open risk flag.
        </Text>
      ) : (
        <RiskFlagTable flags={flags} />
      )}
      <RaiseFlagModal opened={raising} onClose={() => setRaising(false)} partnerId={partnerId} />
    </Paper>
  );
}

function HistoryPanel({ o }: { o: Onboarding }) {
  return (
    <Paper withBorder>
      <Title order={5} p="xs" pb={0}>
        History of moves
      </Title>
      <Table data-testid="onboarding-history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Stage</Table.Th>
            <Table.Th>Move</Table.Th>
            <Table.Th>Entered</Table.Th>
            <Table.Th>Left</Table.Th>
            <Table.Th>Days</Table.Th>
            <Table.Th>By</Table.Th>
            <Table.Th>Reason / note</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {o.history.map((h) => {
            const end = h.exitedAt ? Date.parse(h.exitedAt) : Date.now();
            const days = Math.floor((end - Date.parse(h.enteredAt)) / 86_400_000);
            return (
              <Table.Tr key={h.id}>
                <Table.Td>
                  <StageBadge stage={h.stage} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {humanize(h.move)}
                    {h.fromStage ? ` from ${humanize(h.fromStage)}` : ''}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <DateTime iso={h.enteredAt} />
                  {!h.enteredAtExact && (
                    <Tooltip label="The partner was in this stage before history was kept">
                      <Text span size="xs" c="dimmed">
                        {' '}
                        (or earlier)
                      </Text>
                    </Tooltip>
                  )}
                </Table.Td>
                <Table.Td>
                  {h.exitedAt ? <DateTime iso={h.exitedAt} /> : <Badge size="xs">current</Badge>}
                </Table.Td>
                <Table.Td>{days}</Table.Td>
                <Table.Td>
                  <Text size="sm">{h.enteredBy.name}</Text>
                </Table.Td>
                <Table.Td maw={320}>
                  <Text size="sm" lineClamp={3}>
                    {h.reason ?? '—'}
                  </Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
