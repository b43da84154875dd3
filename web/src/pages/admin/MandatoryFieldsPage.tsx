// Mandatory fields editor: for each partner type (and optionally kind) and each stage, which catalogue fields
// must be filled. Requirements accumulate along the onboarding path, so each stage lists only what it adds.
// Publishing creates a new version (older ones are kept and listed).
import {
  Alert,
  Badge,
  Button,
  Drawer,
  Group,
  MultiSelect,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api } from '../../api/client';
import type { MandatoryPolicy, MandatoryRule } from '../../api/types';
import { DateTime } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { BlockSkeleton, EmptyState, ErrorState } from '../../components/states';
import { humanize } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { TYPE_LABELS } from '../../lib/reference';

type Kind = MandatoryRule['partnerKind'];
const keyOf = (type: string, stage: string, kind: Kind) => `${type}|${stage}|${kind ?? ''}`;

function toDraft(rules: MandatoryRule[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rules) out[keyOf(r.partnerType, r.stage, r.partnerKind)] = [...r.fields];
  return out;
}

function toRules(draft: Record<string, string[]>): MandatoryRule[] {
  return Object.entries(draft)
    .filter(([, fields]) => fields.length > 0)
    .map(([key, fields]) => {
      const [partnerType, stage, kind] = key.split('|') as [
        MandatoryRule['partnerType'],
        MandatoryRule['stage'],
        string,
      ];
      return { partnerType, stage, partnerKind: (kind || null) as Kind, fields };
    });
}

export function MandatoryFieldsPage() {
  const q = useQuery({
    queryKey: ['policy', 'mandatory'],
    queryFn: () => api.get('/api/v1/policy/mandatory-fields'),
  });
  const [history, setHistory] = useState(false);
  if (q.isPending) return <BlockSkeleton lines={10} />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <div>
          <Title order={3}>Mandatory fields</Title>
          <Text size="sm" c="dimmed">
            In force: version {q.data.version}
            {q.data.stored ? (
              <>
                {' '}
                published <DateTime iso={q.data.publishedAt} relative />
                {q.data.note ? ` — “${q.data.note}”` : ''}
              </>
            ) : (
              ' (built-in default)'
            )}
          </Text>
        </div>
        <Button variant="default" onClick={() => setHistory(true)} data-testid="policy-history">
          Version history
        </Button>
      </Group>
      <Editor key={q.data.version} policy={q.data} />
      <Drawer
        opened={history}
        onClose={() => setHistory(false)}
        title="Policy versions"
        position="right"
        size="lg"
      >
        {history && <History />}
      </Drawer>
    </Stack>
  );
}

function Editor({ policy }: { policy: MandatoryPolicy }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [type, setType] = useState<string>(policy.partnerTypes[0] ?? 'ib');
  const [kind, setKind] = useState<string>('');
  const [draft, setDraft] = useState(() => toDraft(policy.rules));
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const original = useMemo(() => JSON.stringify(toRules(toDraft(policy.rules))), [policy.rules]);
  const rules = toRules(draft);
  const dirty = JSON.stringify(rules) !== original;

  const groups = ['partner', 'custom', 'contact', 'document'] as const;
  const catalogue = policy.catalogue.filter(
    (c) => c.partnerTypes === null || c.partnerTypes.includes(type as never),
  );
  const data = groups
    .map((g) => ({
      group:
        g === 'partner'
          ? 'Profile'
          : g === 'custom'
            ? 'Custom fields'
            : g === 'contact'
              ? 'Contacts'
              : 'Documents',
      items: catalogue.filter((c) => c.group === g).map((c) => ({ value: c.field, label: c.label })),
    }))
    .filter((g) => g.items.length > 0);
  const labelOf = (f: string) => policy.catalogue.find((c) => c.field === f)?.label ?? f;

  async function publish() {
    setBusy(true);
    errors.clear();
    try {
      const r = await api.put('/api/v1/policy/mandatory-fields', {
        body: { rules, note: note.trim() || null, baseVersion: policy.version },
      });
      notifications.show({ color: 'green', message: `Published version ${r.version}` });
      setNote('');
      await qc.invalidateQueries({ queryKey: ['policy'] });
      await qc.invalidateQueries({ queryKey: ['partner'] });
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }

  const stageRow = (stage: string, inherited: string[]) => {
    const k = keyOf(type, stage, (kind || null) as Kind);
    const value = draft[k] ?? [];
    const ruleIndex = rules.findIndex((r) => keyOf(r.partnerType, r.stage, r.partnerKind) === k);
    const err =
      ruleIndex >= 0
        ? (errors.under(`rules.${ruleIndex}`)[0] ?? errors.under(`rules[${ruleIndex}]`)[0])
        : undefined;
    return (
      <Table.Tr key={stage} data-testid={`policy-stage-${stage}`}>
        <Table.Td w={180}>
          <Text size="sm" fw={500}>
            {humanize(stage)}
          </Text>
        </Table.Td>
        <Table.Td>
          <MultiSelect
            data={data}
            value={value}
            onChange={(v) => setDraft((d) => ({ ...d, [k]: v }))}
            searchable
            placeholder={value.length === 0 ? 'Nothing added at this stage' : undefined}
            error={err}
            aria-label={`Required at ${stage}`}
            data-testid={`policy-fields-${stage}`}
          />
          {inherited.length > 0 && (
            <Text size="xs" c="dimmed" mt={2}>
              Also required (from earlier stages): {inherited.map(labelOf).join(', ')}
            </Text>
          )}
        </Table.Td>
      </Table.Tr>
    );
  };

  // What earlier stages already require, for the "also required" hint (same kind, plus kind-less rules).
  const acc: string[] = [];
  const rows = policy.stages.map((stage) => {
    const inherited = [...new Set(acc)];
    const own = [
      ...(draft[keyOf(type, stage, null)] ?? []),
      ...(kind ? (draft[keyOf(type, stage, kind as Kind)] ?? []) : []),
    ];
    const row = stageRow(
      stage,
      kind ? [...new Set([...inherited, ...(draft[keyOf(type, stage, null)] ?? [])])] : inherited,
    );
    acc.push(...own);
    return row;
  });

  return (
    <Stack gap="sm">
      <Paper withBorder p="xs">
        <Group gap="md">
          <SegmentedControl
            value={type}
            onChange={(v) => {
              errors.clear();
              setType(v);
            }}
            data={policy.partnerTypes.map((t) => ({ value: t, label: TYPE_LABELS[t] ?? t }))}
            data-testid="policy-type"
          />
          <SegmentedControl
            value={kind}
            onChange={(v) => {
              errors.clear();
              setKind(v);
            }}
            data={[
              { value: '', label: 'Any kind' },
              ...policy.partnerKinds.map((k) => ({ value: k, label: humanize(k) })),
            ]}
            data-testid="policy-kind"
          />
        </Group>
      </Paper>
      {kind && (
        <Alert variant="light" color="blue" p="xs">
          Rules for {humanize(kind)} partners only apply in addition to the “Any kind” rules.
        </Alert>
      )}
      <FormError errors={errors} shown={['rules']} />
      <Paper withBorder>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Stage</Table.Th>
              <Table.Th>Required from this stage on</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows}
            <Table.Tr>
              <Table.Td colSpan={2} bg="gray.0">
                <Text size="xs" c="dimmed" fw={600}>
                  Off the path (each state has its own rules only)
                </Text>
              </Table.Td>
            </Table.Tr>
            {policy.sideStages.map((s) => stageRow(s, []))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Paper withBorder p="sm">
        <Group align="flex-end" gap="sm">
          <Textarea
            label="Note for this version"
            placeholder="Why this change (shown in the version history)"
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            autosize
            minRows={1}
            style={{ flex: 1 }}
            error={errors.field('note')}
            data-testid="policy-note"
          />
          <Button variant="default" disabled={!dirty || busy} onClick={() => setDraft(toDraft(policy.rules))}>
            Discard
          </Button>
          <Button
            disabled={!dirty}
            loading={busy}
            onClick={() => void publish()}
            data-testid="policy-publish"
          >
            Publish new version
          </Button>
        </Group>
        {dirty && (
          <Text size="xs" c="orange.8" mt={4}>
            Unpublished changes. Publishing applies them to every partner at once.
          </Text>
        )}
      </Paper>
    </Stack>
  );
}

function History() {
  const q = useQuery({
    queryKey: ['policy', 'versions'],
    queryFn: () => api.get('/api/v1/policy/mandatory-fields/versions', { query: { limit: 100 } }),
  });
  const [open, setOpen] = useState<number | null>(null);
  const detail = useQuery({
    queryKey: ['policy', 'version', open],
    enabled: open !== null,
    queryFn: () =>
      api.get('/api/v1/policy/mandatory-fields/versions/{version}', { path: { version: open as number } }),
  });
  if (q.isPending) return <BlockSkeleton />;
  if (q.isError) return <ErrorState error={q.error} />;
  if (q.data.data.length === 0)
    return <EmptyState title="No versions published yet">The built-in default applies.</EmptyState>;
  return (
    <Stack gap="xs">
      {q.data.data.map((v) => (
        <Paper key={v.version} withBorder p="xs" data-testid="policy-version">
          <Group justify="space-between">
            <Group gap="xs">
              <Badge>v{v.version}</Badge>
              <Text size="sm">{v.ruleCount} rules</Text>
              {!v.stored && (
                <Badge size="xs" variant="outline" color="gray">
                  built-in
                </Badge>
              )}
            </Group>
            <Button
              size="compact-xs"
              variant="subtle"
              onClick={() => setOpen(open === v.version ? null : v.version)}
            >
              {open === v.version ? 'Hide' : 'Show rules'}
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            {v.publishedAt ? <DateTime iso={v.publishedAt} /> : 'default'}{' '}
            {v.publishedBy ? `· ${v.publishedBy}` : ''}
          </Text>
          {v.note && <Text size="sm">“{v.note}”</Text>}
          {open === v.version && (
            <Stack gap={2} mt={4}>
              {detail.isPending ? (
                <Text size="xs">Loading…</Text>
              ) : detail.isError ? (
                <ErrorState error={detail.error} />
              ) : (
                detail.data.rules.map((r) => (
                  <Text size="xs" key={keyOf(r.partnerType, r.stage, r.partnerKind)}>
                    <b>
                      {TYPE_LABELS[r.partnerType]} {r.partnerKind ? `(${r.partnerKind})` : ''} ·{' '}
                      {humanize(r.stage)}
                    </b>
                    : {r.fields.join(', ')}
                  </Text>
                ))
              )}
            </Stack>
          )}
        </Paper>
      ))}
    </Stack>
  );
}
