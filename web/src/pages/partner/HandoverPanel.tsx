// The handover record: the snapshot Support and the account manager take over (partner, terms, contacts,
// documents, due diligence, payout, tracking, open tasks, risk), and the acknowledgement that makes the
// partner active. A refused acknowledgement lists what else blocks.
import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  Modal,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiError, api } from '../../api/client';
import { DateTime } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { BlockSkeleton, ErrorState } from '../../components/states';
import { formatLocal, humanize } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { useSession } from '../../lib/session';
import { onboardingKeys } from './OnboardingTab';

const SECTIONS: [string, string][] = [
  ['partner', 'Partner'],
  ['terms', 'Terms'],
  ['contacts', 'Contacts'],
  ['documents', 'Documents'],
  ['dueDiligence', 'Due diligence'],
  ['payout', 'Payout'],
  ['tracking', 'Tracking setup'],
  ['openTasks', 'Open tasks'],
  ['risk', 'Risk'],
];

export function HandoverPanel({ partnerId, stage }: { partnerId: string; stage: string }) {
  const { can } = useSession();
  const [acking, setAcking] = useState(false);
  const q = useQuery({
    queryKey: ['handover', partnerId],
    queryFn: () => api.get('/api/v1/partners/{id}/handover', { path: { id: partnerId } }),
    retry: false,
  });
  if (q.isPending) return <BlockSkeleton lines={3} />;
  if (q.isError) {
    if (q.error instanceof ApiError && q.error.status === 404) {
      return stage === 'handover' ? (
        <Alert color="gray" variant="light" title="Handover record">
          No handover record yet: it is generated when the partner enters the Handover stage.
        </Alert>
      ) : null;
    }
    return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  }
  const h = q.data;
  const snap = h.snapshot;
  const extra = Object.keys(snap).filter((k) => k !== 'generatedAt' && !SECTIONS.some(([s]) => s === k));
  return (
    <Paper withBorder p="sm" data-testid="handover-panel">
      <Group justify="space-between" mb="xs" align="flex-start">
        <div>
          <Title order={5}>Handover record</Title>
          <Text size="xs" c="dimmed">
            Generated <DateTime iso={h.createdAt} /> by {h.createdBy.name}
            {!h.current && ' · from an earlier visit of the Handover stage'}
          </Text>
        </div>
        {h.acknowledgedAt ? (
          <Badge color="green" variant="light" size="lg" data-testid="handover-acknowledged">
            Acknowledged by {h.acknowledgedBy?.name}
          </Badge>
        ) : stage === 'handover' && h.current && can('handover.acknowledge') ? (
          <Button color="green" onClick={() => setAcking(true)} data-testid="handover-acknowledge">
            Acknowledge handover
          </Button>
        ) : (
          <Badge color="orange" variant="light">
            Not acknowledged
          </Badge>
        )}
      </Group>
      {h.acknowledgedAt && (
        <Text size="sm" mb="xs">
          Acknowledged <DateTime iso={h.acknowledgedAt} />
          {h.acknowledgementNote ? `: “${h.acknowledgementNote}”` : ''}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="xs">
        {[...SECTIONS, ...extra.map((k) => [k, humanize(k)] as [string, string])]
          .filter(([k]) => k in snap)
          .map(([k, label]) => (
            <Paper key={k} withBorder p="xs" bg="gray.0">
              <Text size="xs" fw={700} tt="uppercase" c="dimmed" mb={4}>
                {label}
              </Text>
              <Value v={snap[k]} />
            </Paper>
          ))}
      </SimpleGrid>
      <AcknowledgeModal partnerId={partnerId} opened={acking} onClose={() => setAcking(false)} />
    </Paper>
  );
}

/** "displayName" → "Display name", "due_diligence" → "Due diligence". */
function keyLabel(k: string): string {
  return humanize(k.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase());
}

/** Codes (snake_case words) read as words; anything else (URLs, names, e-mails) stays as written. */
function text(v: unknown): string {
  const s = String(v);
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(s)) return formatLocal(s);
  if (/^[a-z]+(_[a-z]+)*$/.test(s)) return humanize(s);
  return s;
}

/** Renders a snapshot value readably: lists as bullets, objects as "key: value" lines, empties as "none". */
function Value({ v, depth = 0 }: { v: unknown; depth?: number }): ReactNode {
  if (v === null || v === undefined || v === '')
    return (
      <Text size="xs" c="dimmed">
        none
      </Text>
    );
  if (typeof v === 'boolean') return <Text size="xs">{v ? 'yes' : 'no'}</Text>;
  if (typeof v !== 'object') return <Text size="xs">{text(v)}</Text>;
  if (Array.isArray(v)) {
    if (v.length === 0)
      return (
        <Text size="xs" c="dimmed">
          none
        </Text>
      );
    if (v.every((x) => typeof x !== 'object' || x === null))
      return <Text size="xs">{v.map(text).join(', ')}</Text>;
    return (
      <List size="xs" spacing={2}>
        {v.map((x, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: snapshot entries have no id
          <List.Item key={i}>
            <Value v={x} depth={depth + 1} />
          </List.Item>
        ))}
      </List>
    );
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([k]) => k !== 'id');
  if (entries.length === 0)
    return (
      <Text size="xs" c="dimmed">
        none
      </Text>
    );
  return (
    <Stack gap={0}>
      {entries.map(([k, x]) =>
        x !== null && typeof x === 'object' && !Array.isArray(x) && depth < 2 ? (
          <div key={k}>
            <Text size="xs" fw={600}>
              {keyLabel(k)}
            </Text>
            <div style={{ paddingLeft: 8 }}>
              <Value v={x} depth={depth + 1} />
            </div>
          </div>
        ) : (
          <Group key={k} gap={4} wrap="nowrap" align="flex-start">
            <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
              {keyLabel(k)}:
            </Text>
            <Value v={x} depth={depth + 1} />
          </Group>
        ),
      )}
    </Stack>
  );
}

function AcknowledgeModal({
  partnerId,
  opened,
  onClose,
}: {
  partnerId: string;
  opened: boolean;
  onClose: () => void;
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const close = () => {
    setNote('');
    errors.clear();
    onClose();
  };
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const r = await api.post('/api/v1/partners/{id}/handover/acknowledge', {
        path: { id: partnerId },
        body: { note: note.trim() || null },
      });
      qc.setQueryData(['onboarding', partnerId], r.onboarding);
      await Promise.all(onboardingKeys(partnerId).map((k) => qc.invalidateQueries({ queryKey: k })));
      notifications.show({
        color: 'green',
        message: `Handover acknowledged: the partner is ${r.onboarding.stageLabel}`,
      });
      close();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  const unmet =
    (errors.error?.extra.unmetItems as { key: string; label: string; reason: string | null }[] | undefined) ??
    [];
  return (
    <Modal opened={opened} onClose={close} title="Acknowledge the handover">
      <form onSubmit={submit} noValidate data-testid="handover-form">
        <Stack gap="sm">
          <Text size="sm">
            You confirm you have read the handover record and take the partner over. The partner becomes
            active in the same step.
          </Text>
          {unmet.length > 0 ? (
            <Alert
              color="red"
              variant="light"
              title="Not acknowledged: something else still blocks"
              data-testid="handover-refused"
            >
              <List size="sm">
                {unmet.map((u) => (
                  <List.Item key={u.key}>
                    <b>{u.label}</b> — {u.reason ?? 'unmet'}
                  </List.Item>
                ))}
              </List>
            </Alert>
          ) : (
            <FormError errors={errors} shown={['note']} />
          )}
          <Textarea
            label="Note (optional)"
            autosize
            minRows={2}
            data-autofocus
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            error={errors.field('note')}
            data-testid="handover-note"
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color="green" loading={busy} data-testid="handover-submit">
              Acknowledge and activate
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
