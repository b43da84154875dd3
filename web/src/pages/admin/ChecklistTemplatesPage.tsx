// Checklist templates: per partner type, what each gate stage checks (manual items ticked by a role, system
// items evaluated from facts) and which team tasks entering the stage creates. Publishing makes a new version;
// gates entered from then on use it (a gate keeps the version it was created from). Errors name the field path.
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type BodyOf } from '../../api/client';
import type { ChecklistTemplate } from '../../api/types';
import { DateTime } from '../../components/bits';
import { BlockSkeleton, ErrorState } from '../../components/states';
import { TEAMS } from '../../components/work';
import { humanize } from '../../lib/format';
import { type FormErrors, useFormErrors } from '../../lib/forms';
import { PARTNER_TYPES, TYPE_LABELS } from '../../lib/reference';

type Stages = BodyOf<'/api/v1/onboarding/templates/{type}', 'put'>['stages'];
type StageName = keyof Stages;
type Item = Stages[StageName]['items'][number];
type TaskT = Stages[StageName]['tasks'][number];

const GATE_STAGES: StageName[] = [
  'intake',
  'due_diligence',
  'tracking_setup',
  'activation_readiness',
  'handover',
];
const ITEM_ROLES = [
  'admin',
  'leadership',
  'team_lead',
  'bdm',
  'ops',
  'compliance',
  'finance',
  'support',
] as const;
const SYSTEM_CHECKS = [
  'mandatory_fields',
  'documents_approved',
  'due_diligence_positive',
  'terms_approved_accepted',
  'agreement_signed',
  'payout_verified',
  'tracking_qa_passed',
  'no_blocking_risk',
  'stage_tasks_done',
  'handover_acknowledged',
] as const;
const DOCUMENT_TYPES = [
  'identity',
  'proof_of_address',
  'incorporation',
  'ubo_declaration',
  'agreement',
  'tax_form',
  'other',
];

export function ChecklistTemplatesPage() {
  const [type, setType] = useState<string>('ib');
  const [viewing, setViewing] = useState<number | null>(null);
  const current = useQuery({
    queryKey: ['templates'],
    queryFn: () => api.get('/api/v1/onboarding/templates'),
  });
  const versions = useQuery({
    queryKey: ['templates', type, 'versions'],
    queryFn: () => api.get('/api/v1/onboarding/templates/{type}/versions', { path: { type } }),
  });
  const tpl = current.data?.data.find((t) => t.partnerType === type) ?? null;
  const old = viewing !== null ? (versions.data?.data.find((v) => v.version === viewing) ?? null) : null;

  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={3}>Checklist templates</Title>
        <SegmentedControl
          value={type}
          onChange={(v) => {
            setType(v);
            setViewing(null);
          }}
          data={PARTNER_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] ?? t }))}
          data-testid="template-type"
        />
      </Group>
      <Group align="flex-start" gap="md" wrap="nowrap">
        <div style={{ flex: 1, minWidth: 0 }}>
          {current.isPending ? (
            <BlockSkeleton lines={10} />
          ) : current.isError ? (
            <ErrorState error={current.error} onRetry={() => void current.refetch()} />
          ) : old ? (
            <Stack gap="sm">
              <Alert color="gray" variant="light" title={`Version ${old.version} (read only)`}>
                <Group justify="space-between">
                  <Text size="sm">
                    Published <DateTime iso={old.createdAt} /> by {old.createdBy}
                    {old.note ? ` — ${old.note}` : ''}
                  </Text>
                  <Button size="xs" variant="default" onClick={() => setViewing(null)}>
                    Back to the current version
                  </Button>
                </Group>
              </Alert>
              <TemplateEditor key={`${type}-v${old.version}`} type={type} template={old} readOnly />
            </Stack>
          ) : (
            <TemplateEditor
              key={`${type}-${tpl?.version ?? 0}`}
              type={type}
              template={tpl}
              readOnly={false}
            />
          )}
        </div>
        <Paper withBorder p="xs" w={190} style={{ flexShrink: 0 }} data-testid="template-versions">
          <Text size="xs" fw={700} tt="uppercase" c="dimmed" mb={4}>
            Versions
          </Text>
          {versions.isPending ? (
            <BlockSkeleton lines={3} />
          ) : versions.isError ? (
            <ErrorState error={versions.error} />
          ) : (
            <Stack gap={2}>
              {versions.data.data.map((v) => {
                const isCurrent = v.version === tpl?.version;
                const active = viewing === v.version || (viewing === null && isCurrent);
                return (
                  <UnstyledButton
                    key={v.id}
                    onClick={() => setViewing(isCurrent ? null : v.version)}
                    p={4}
                    style={{
                      borderRadius: 4,
                      background: active ? 'var(--mantine-color-blue-0)' : undefined,
                    }}
                  >
                    <Group gap={4}>
                      <Text size="sm" fw={600}>
                        v{v.version}
                      </Text>
                      {isCurrent && (
                        <Badge size="xs" color="green">
                          current
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed">
                      <DateTime iso={v.createdAt} relative /> · {v.createdBy}
                    </Text>
                    {v.note && (
                      <Text size="xs" lineClamp={2}>
                        {v.note}
                      </Text>
                    )}
                  </UnstyledButton>
                );
              })}
            </Stack>
          )}
        </Paper>
      </Group>
    </>
  );
}

function emptyStages(): Stages {
  return Object.fromEntries(GATE_STAGES.map((s) => [s, { items: [], tasks: [] }])) as unknown as Stages;
}

/** The template's stages as the publish body expects them (drops nothing the API returned). */
function toStages(t: ChecklistTemplate | null): Stages {
  if (!t) return emptyStages();
  const out = emptyStages();
  for (const s of GATE_STAGES) {
    const st = t.stages[s];
    if (st) out[s] = JSON.parse(JSON.stringify(st)) as Stages[StageName];
  }
  return out;
}

function TemplateEditor({
  type,
  template,
  readOnly,
}: {
  type: string;
  template: ChecklistTemplate | null;
  readOnly: boolean;
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const initial = toStages(template);
  const [stages, setStages] = useState<Stages>(initial);
  const [stage, setStage] = useState<StageName>('intake');
  const [publishing, setPublishing] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const dirty = JSON.stringify(stages) !== JSON.stringify(initial);

  const setStageData = (s: StageName, fn: (d: Stages[StageName]) => Stages[StageName]) =>
    setStages((all) => ({ ...all, [s]: fn(all[s]) }));

  async function publish() {
    setBusy(true);
    errors.clear();
    try {
      await api.put('/api/v1/onboarding/templates/{type}', {
        path: { type },
        body: { stages, note: note.trim() || null },
      });
      await Promise.all([qc.invalidateQueries({ queryKey: ['templates'] })]);
      notifications.show({ color: 'green', message: `${TYPE_LABELS[type] ?? type} checklist published` });
      setPublishing(false);
      setNote('');
    } catch (err) {
      errors.set(err);
      setPublishing(false);
    } finally {
      setBusy(false);
    }
  }
  const stageErrors = (s: StageName) => errors.under(`stages.${s}`).length;

  return (
    <Stack gap="sm" data-testid="template-editor">
      {!readOnly && (
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {template ? (
              <>
                Current: v{template.version}, published <DateTime iso={template.createdAt} /> by{' '}
                {template.createdBy}
              </>
            ) : (
              'No template yet for this type.'
            )}
          </Text>
          <Group gap="xs">
            {dirty && (
              <Button variant="subtle" color="gray" onClick={() => setStages(initial)}>
                Discard changes
              </Button>
            )}
            <Button onClick={() => setPublishing(true)} disabled={!dirty} data-testid="template-publish">
              Publish new version
            </Button>
          </Group>
        </Group>
      )}
      {errors.error && (
        <Alert color="red" variant="light" title={errors.error.detail} data-testid="template-errors">
          {errors.error.errors.map((e) => (
            <Text size="xs" key={e.field + e.message}>
              <span className="pd-mono">{e.field.replace(/^body\./, '')}</span>: {e.message}
            </Text>
          ))}
        </Alert>
      )}
      <Tabs value={stage} onChange={(v) => v && setStage(v as StageName)}>
        <Tabs.List>
          {GATE_STAGES.map((s) => (
            <Tabs.Tab
              key={s}
              value={s}
              rightSection={
                stageErrors(s) > 0 ? (
                  <Badge size="xs" color="red" circle>
                    {stageErrors(s)}
                  </Badge>
                ) : (
                  <Text size="xs" c="dimmed">
                    {stages[s].items.length}
                  </Text>
                )
              }
            >
              {humanize(s)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <StageEditor
        stage={stage}
        data={stages[stage]}
        onChange={(fn) => setStageData(stage, fn)}
        readOnly={readOnly}
        errors={errors}
      />
      <Modal opened={publishing} onClose={() => setPublishing(false)} title="Publish a new version">
        <Stack gap="sm">
          <Text size="sm">
            Gates entered from now on use the new version; partners already in a stage keep the version their
            gate was created from.
          </Text>
          <Textarea
            label="What changed and why"
            autosize
            minRows={2}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            data-autofocus
            data-testid="template-note"
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setPublishing(false)}>
              Cancel
            </Button>
            <Button onClick={() => void publish()} loading={busy} data-testid="template-publish-submit">
              Publish
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

function move<T>(list: T[], i: number, d: number): T[] {
  const j = i + d;
  if (j < 0 || j >= list.length) return list;
  const out = [...list];
  [out[i], out[j]] = [out[j] as T, out[i] as T];
  return out;
}

function StageEditor({
  stage,
  data,
  onChange,
  readOnly,
  errors,
}: {
  stage: StageName;
  data: Stages[StageName];
  onChange: (fn: (d: Stages[StageName]) => Stages[StageName]) => void;
  readOnly: boolean;
  errors: FormErrors;
}) {
  const p = `stages.${stage}`;
  const setItem = (i: number, item: Item) =>
    onChange((d) => ({ ...d, items: d.items.map((x, j) => (j === i ? item : x)) }));
  const setTask = (i: number, t: TaskT) =>
    onChange((d) => ({ ...d, tasks: d.tasks.map((x, j) => (j === i ? t : x)) }));
  return (
    <Stack gap="sm">
      <Paper withBorder>
        <Group justify="space-between" p="xs" pb={0}>
          <Title order={5}>Gate items</Title>
          {!readOnly && (
            <Group gap="xs">
              <Button
                size="compact-sm"
                variant="light"
                data-testid="template-add-manual"
                onClick={() =>
                  onChange((d) => ({
                    ...d,
                    items: [...d.items, { key: '', label: '', kind: 'manual', role: 'ops', blocking: true }],
                  }))
                }
              >
                Add manual item
              </Button>
              <Button
                size="compact-sm"
                variant="light"
                onClick={() =>
                  onChange((d) => ({
                    ...d,
                    items: [
                      ...d.items,
                      { key: '', label: '', kind: 'system', check: 'mandatory_fields', blocking: true },
                    ],
                  }))
                }
              >
                Add system item
              </Button>
            </Group>
          )}
        </Group>
        <Table.ScrollContainer minWidth={900}>
          <Table verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Key</Table.Th>
                <Table.Th>Label</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Owner / check</Table.Th>
                <Table.Th>Options</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((item, i) => {
                const ip = `${p}.items.${i}`;
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: items are edited in place and may share a blank key
                  <Table.Tr key={i} data-testid="template-item">
                    <Table.Td>
                      <TextInput
                        size="xs"
                        w={128}
                        className="pd-mono"
                        value={item.key}
                        readOnly={readOnly}
                        onChange={(e) => setItem(i, { ...item, key: e.currentTarget.value })}
                        error={errors.field(`${ip}.key`)}
                        aria-label="Key"
                      />
                    </Table.Td>
                    <Table.Td>
                      <TextInput
                        size="xs"
                        miw={180}
                        value={item.label}
                        readOnly={readOnly}
                        onChange={(e) => setItem(i, { ...item, label: e.currentTarget.value })}
                        error={errors.field(`${ip}.label`)}
                        aria-label="Label"
                      />
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" fw={600} c={item.kind === 'manual' ? 'blue.7' : 'gray.7'}>
                        {item.kind}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {item.kind === 'manual' ? (
                        <Select
                          size="xs"
                          w={150}
                          data={ITEM_ROLES.map((r) => ({ value: r, label: humanize(r) }))}
                          value={item.role}
                          readOnly={readOnly}
                          onChange={(v) => v && setItem(i, { ...item, role: v as typeof item.role })}
                          allowDeselect={false}
                          error={errors.field(`${ip}.role`)}
                          aria-label="Role"
                        />
                      ) : (
                        <Select
                          size="xs"
                          w={180}
                          data={SYSTEM_CHECKS.map((c) => ({ value: c, label: humanize(c) }))}
                          value={item.check}
                          readOnly={readOnly}
                          onChange={(v) => {
                            if (!v) return;
                            const check = v as typeof item.check;
                            const params =
                              check === 'documents_approved'
                                ? { types: item.params?.types ?? ['identity'] }
                                : check === 'tracking_qa_passed'
                                  ? { withinDays: item.params?.withinDays ?? 30 }
                                  : undefined;
                            const { params: _drop, ...rest } = item;
                            setItem(i, params ? { ...rest, check, params } : { ...rest, check });
                          }}
                          allowDeselect={false}
                          error={errors.field(`${ip}.check`)}
                          aria-label="Check"
                        />
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Checkbox
                          size="xs"
                          label="blocking"
                          checked={item.blocking}
                          disabled={readOnly}
                          onChange={(e) => setItem(i, { ...item, blocking: e.currentTarget.checked })}
                        />
                        {item.kind === 'manual' && (
                          <Select
                            size="xs"
                            w={130}
                            data={[
                              { value: 'none', label: 'no evidence' },
                              { value: 'optional', label: 'evidence optional' },
                              { value: 'required', label: 'evidence required' },
                            ]}
                            value={item.evidence ?? 'none'}
                            readOnly={readOnly}
                            allowDeselect={false}
                            onChange={(v) => {
                              const { evidence: _e, ...rest } = item;
                              setItem(
                                i,
                                v === 'optional' || v === 'required' ? { ...rest, evidence: v } : rest,
                              );
                            }}
                            aria-label="Evidence"
                          />
                        )}
                        {item.kind === 'system' && item.check === 'documents_approved' && (
                          <MultiSelect
                            size="xs"
                            w={220}
                            data={DOCUMENT_TYPES.map((d) => ({ value: d, label: humanize(d) }))}
                            value={item.params?.types ?? []}
                            readOnly={readOnly}
                            onChange={(v) =>
                              setItem(i, { ...item, params: { ...item.params, types: v as never } })
                            }
                            error={errors.field(`${ip}.params.types`)}
                            aria-label="Document types"
                          />
                        )}
                        {item.kind === 'system' && item.check === 'tracking_qa_passed' && (
                          <NumberInput
                            size="xs"
                            w={110}
                            suffix=" days"
                            value={item.params?.withinDays ?? ''}
                            readOnly={readOnly}
                            onChange={(v) =>
                              setItem(i, { ...item, params: { ...item.params, withinDays: Number(v) } })
                            }
                            error={errors.field(`${ip}.params.withinDays`)}
                            aria-label="Within days"
                          />
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      {!readOnly && (
                        <RowTools
                          onUp={() => onChange((d) => ({ ...d, items: move(d.items, i, -1) }))}
                          onDown={() => onChange((d) => ({ ...d, items: move(d.items, i, 1) }))}
                          onRemove={() =>
                            onChange((d) => ({ ...d, items: d.items.filter((_, j) => j !== i) }))
                          }
                        />
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {data.items.length === 0 && (
          <Text size="sm" c="dimmed" p="xs">
            No items: the gate of this stage always holds.
          </Text>
        )}
      </Paper>

      <Paper withBorder>
        <Group justify="space-between" p="xs" pb={0}>
          <div>
            <Title order={5}>Tasks created on entering {humanize(stage)}</Title>
            <Text size="xs" c="dimmed">
              Without an SLA here, the team’s SLA policy applies.
            </Text>
          </div>
          {!readOnly && (
            <Button
              size="compact-sm"
              variant="light"
              onClick={() =>
                onChange((d) => ({ ...d, tasks: [...d.tasks, { key: '', team: 'ops', title: '' }] }))
              }
              data-testid="template-add-task"
            >
              Add task
            </Button>
          )}
        </Group>
        <Table.ScrollContainer minWidth={900}>
          <Table verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Key</Table.Th>
                <Table.Th>Team</Table.Th>
                <Table.Th>Title</Table.Th>
                <Table.Th>Description</Table.Th>
                <Table.Th>SLA (business h)</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.tasks.map((t, i) => {
                const tp = `${p}.tasks.${i}`;
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: tasks are edited in place and may share a blank key
                  <Table.Tr key={i}>
                    <Table.Td>
                      <TextInput
                        size="xs"
                        w={128}
                        className="pd-mono"
                        value={t.key}
                        readOnly={readOnly}
                        onChange={(e) => setTask(i, { ...t, key: e.currentTarget.value })}
                        error={errors.field(`${tp}.key`)}
                        aria-label="Task key"
                      />
                    </Table.Td>
                    <Table.Td>
                      <Select
                        size="xs"
                        w={120}
                        data={TEAMS.map((x) => ({ value: x, label: humanize(x) }))}
                        value={t.team}
                        readOnly={readOnly}
                        allowDeselect={false}
                        onChange={(v) => v && setTask(i, { ...t, team: v as TaskT['team'] })}
                        aria-label="Team"
                      />
                    </Table.Td>
                    <Table.Td>
                      <TextInput
                        size="xs"
                        miw={200}
                        value={t.title}
                        readOnly={readOnly}
                        onChange={(e) => setTask(i, { ...t, title: e.currentTarget.value })}
                        error={errors.field(`${tp}.title`)}
                        aria-label="Title"
                      />
                    </Table.Td>
                    <Table.Td>
                      <TextInput
                        size="xs"
                        miw={180}
                        value={t.description ?? ''}
                        readOnly={readOnly}
                        onChange={(e) => {
                          const { description: _d, ...rest } = t;
                          const v = e.currentTarget.value;
                          setTask(i, v ? { ...rest, description: v } : rest);
                        }}
                        error={errors.field(`${tp}.description`)}
                        aria-label="Description"
                      />
                    </Table.Td>
                    <Table.Td>
                      <NumberInput
                        size="xs"
                        w={90}
                        value={t.slaBusinessHours ?? ''}
                        readOnly={readOnly}
                        min={0}
                        onChange={(v) => {
                          const { slaBusinessHours: _s, ...rest } = t;
                          setTask(i, v === '' ? rest : { ...rest, slaBusinessHours: Number(v) });
                        }}
                        error={errors.field(`${tp}.slaBusinessHours`)}
                        aria-label="SLA business hours"
                      />
                    </Table.Td>
                    <Table.Td>
                      {!readOnly && (
                        <RowTools
                          onUp={() => onChange((d) => ({ ...d, tasks: move(d.tasks, i, -1) }))}
                          onDown={() => onChange((d) => ({ ...d, tasks: move(d.tasks, i, 1) }))}
                          onRemove={() =>
                            onChange((d) => ({ ...d, tasks: d.tasks.filter((_, j) => j !== i) }))
                          }
                        />
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {data.tasks.length === 0 && (
          <Text size="sm" c="dimmed" p="xs">
            Entering this stage creates no task.
          </Text>
        )}
      </Paper>
    </Stack>
  );
}

function RowTools({
  onUp,
  onDown,
  onRemove,
}: {
  onUp: () => void;
  onDown: () => void;
  onRemove: () => void;
}) {
  return (
    <Group gap={2} wrap="nowrap">
      <Tooltip label="Move up">
        <ActionIcon size="sm" variant="subtle" color="gray" onClick={onUp} aria-label="Move up">
          ↑
        </ActionIcon>
      </Tooltip>
      <Tooltip label="Move down">
        <ActionIcon size="sm" variant="subtle" color="gray" onClick={onDown} aria-label="Move down">
          ↓
        </ActionIcon>
      </Tooltip>
      <Tooltip label="Remove">
        <ActionIcon size="sm" variant="subtle" color="red" onClick={onRemove} aria-label="Remove">
          ×
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}
