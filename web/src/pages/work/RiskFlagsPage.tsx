// Risk flags: the list (filters by status, severity, partner), raising a flag on a partner and resolving one
// with a resolution. The same table and dialogs appear on a partner's onboarding tab.
import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import type { RiskFlag } from '../../api/types';
import { DateTime } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { SeverityBadge } from '../../components/work';
import { humanize } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useUrlState } from '../../lib/url-state';
import { ReasonModal } from '../partner/DocumentsTab';
import { PartnerPicker, usePartnerNames } from './PartnerPicker';

export const RISK_CATEGORIES = [
  'tracking',
  'fraud',
  'compliance',
  'payout',
  'other',
] as const satisfies readonly RiskFlag['category'][];
export const RISK_SEVERITIES = [
  'low',
  'medium',
  'high',
  'critical',
] as const satisfies readonly RiskFlag['severity'][];
const RISK_KEYS = [['risk-flags'], ['onboarding'], ['pipeline']];

export function RiskFlagsPage() {
  const { can } = useSession();
  const [f, setF] = useUrlState(['status', 'severity', 'partnerId'] as const);
  const [raising, setRaising] = useState(false);
  const status = (f.status || 'open') as 'open' | 'resolved' | 'all';
  const query = {
    status: status === 'all' ? undefined : status,
    severity: (f.severity || undefined) as RiskFlag['severity'] | undefined,
    partnerId: f.partnerId || undefined,
  };
  const q = useInfiniteQuery({
    queryKey: ['risk-flags', query],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/v1/risk-flags', { query: { ...query, limit: 50, cursor: pageParam }, signal }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={3}>Risk flags</Title>
        {can('risk.manage') && (
          <Button onClick={() => setRaising(true)} data-testid="raise-flag">
            Raise a flag
          </Button>
        )}
      </Group>
      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs" align="flex-end">
          <Select
            label="Status"
            data={[
              { value: 'open', label: 'Open' },
              { value: 'resolved', label: 'Resolved' },
              { value: 'all', label: 'All' },
            ]}
            value={status}
            onChange={(v) => setF({ status: v === 'open' ? null : v })}
            allowDeselect={false}
            w={120}
            data-testid="flags-status"
          />
          <Select
            label="Severity"
            placeholder="Any"
            data={RISK_SEVERITIES.map((s) => ({ value: s, label: humanize(s) }))}
            value={f.severity || null}
            onChange={(v) => setF({ severity: v })}
            clearable
            w={130}
          />
          <div style={{ width: 260 }}>
            <PartnerPicker
              label="Partner"
              value={f.partnerId || null}
              onChange={(v) => setF({ partnerId: v })}
              testId="flags-partner"
            />
          </div>
        </Group>
      </Paper>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={7} rows={5} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState title={status === 'open' ? 'No open risk flags' : 'No risk flags match'}>
            A blocking flag stops a partner’s activation and payouts until it is resolved.
          </EmptyState>
        ) : (
          <RiskFlagTable flags={rows} showPartner />
        )}
      </Paper>
      {q.hasNextPage && (
        <Group justify="flex-end" mt="xs">
          <Button
            variant="default"
            size="xs"
            onClick={() => void q.fetchNextPage()}
            loading={q.isFetchingNextPage}
          >
            Load more
          </Button>
        </Group>
      )}
      <RaiseFlagModal opened={raising} onClose={() => setRaising(false)} partnerId={null} />
    </>
  );
}

export function RiskFlagTable({ flags, showPartner = false }: { flags: RiskFlag[]; showPartner?: boolean }) {
  const { can } = useSession();
  const [resolving, setResolving] = useState<RiskFlag | null>(null);
  const nameOf = usePartnerNames(showPartner ? flags.map((f) => f.partnerId) : []);
  return (
    <>
      <Table data-testid="risk-flag-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Severity</Table.Th>
            <Table.Th>Flag</Table.Th>
            {showPartner && <Table.Th>Partner</Table.Th>}
            <Table.Th>Category</Table.Th>
            <Table.Th>Raised</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {flags.map((r) => (
            <Table.Tr key={r.id} data-testid="risk-flag-row">
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <SeverityBadge severity={r.severity} />
                  {r.blocking && (
                    <Tooltip label="Blocks activation and payouts until resolved">
                      <Badge size="sm" color="red" variant="filled">
                        blocking
                      </Badge>
                    </Tooltip>
                  )}
                </Group>
              </Table.Td>
              <Table.Td maw={380}>
                <Text size="sm" fw={500}>
                  {r.title}
                </Text>
                {r.details && (
                  <Text size="xs" c="dimmed" lineClamp={2} title={r.details}>
                    {r.details}
                  </Text>
                )}
                {r.resolution && (
                  <Text size="xs" c="teal.8">
                    Resolved by {r.resolvedBy?.name}: {r.resolution}
                  </Text>
                )}
              </Table.Td>
              {showPartner && (
                <Table.Td>
                  <Anchor component={Link} to={`/partners/${r.partnerId}/onboarding`} size="sm">
                    {nameOf(r.partnerId)}
                  </Anchor>
                </Table.Td>
              )}
              <Table.Td>{humanize(r.category)}</Table.Td>
              <Table.Td>
                <DateTime iso={r.raisedAt} relative />
                <Text size="xs" c="dimmed">
                  by {r.raisedBy.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Badge size="sm" variant="light" color={r.status === 'open' ? 'orange' : 'teal'}>
                  {humanize(r.status)}
                </Badge>
              </Table.Td>
              <Table.Td>
                {r.status === 'open' && can('risk.manage') && (
                  <Button
                    size="compact-xs"
                    variant="light"
                    onClick={() => setResolving(r)}
                    data-testid="resolve-flag"
                  >
                    Resolve
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <ReasonModal
        title={resolving ? `Resolve: ${resolving.title}` : ''}
        opened={resolving !== null}
        onClose={() => setResolving(null)}
        label="How was it resolved?"
        confirm="Resolve"
        color="teal"
        invalidate={RISK_KEYS}
        onSubmit={async (resolution) => {
          if (!resolving) return;
          await api.post('/api/v1/risk-flags/{id}/resolve', {
            path: { id: resolving.id },
            body: { resolution },
          });
        }}
      />
    </>
  );
}

export function RaiseFlagModal({
  opened,
  onClose,
  partnerId,
}: {
  opened: boolean;
  onClose: () => void;
  /** The partner (from a partner page); null shows a partner picker. */
  partnerId: string | null;
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [partner, setPartner] = useState<string | null>(partnerId);
  const [category, setCategory] = useState<RiskFlag['category']>('compliance');
  const [severity, setSeverity] = useState<RiskFlag['severity']>('medium');
  const [blocking, setBlocking] = useState(false);
  const [title, setTitle] = useState('');
  const [details, setDetails] = useState('');
  const [busy, setBusy] = useState(false);
  const close = () => {
    errors.clear();
    setTitle('');
    setDetails('');
    setBlocking(false);
    onClose();
  };
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      await api.post('/api/v1/risk-flags', {
        body: {
          partnerId: partner ?? partnerId ?? '',
          category,
          severity,
          blocking,
          title: title.trim(),
          details: details.trim() || null,
        },
      });
      await Promise.all(RISK_KEYS.map((k) => qc.invalidateQueries({ queryKey: k })));
      notifications.show({ color: 'orange', message: 'Risk flag raised' });
      close();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened={opened} onClose={close} title="Raise a risk flag">
      <form onSubmit={submit} noValidate data-testid="raise-flag-form">
        <Stack gap="sm">
          <FormError errors={errors} shown={['partnerId', 'title', 'details', 'category', 'severity']} />
          {partnerId === null && (
            <PartnerPicker
              label="Partner"
              value={partner}
              onChange={setPartner}
              error={errors.field('partnerId')}
            />
          )}
          <Group grow>
            <Select
              label="Category"
              data={RISK_CATEGORIES.map((c) => ({ value: c, label: humanize(c) }))}
              value={category}
              onChange={(v) => v && setCategory(v as RiskFlag['category'])}
              allowDeselect={false}
            />
            <Select
              label="Severity"
              data={RISK_SEVERITIES.map((c) => ({ value: c, label: humanize(c) }))}
              value={severity}
              onChange={(v) => v && setSeverity(v as RiskFlag['severity'])}
              allowDeselect={false}
            />
          </Group>
          <TextInput
            label="Title"
            required
            data-autofocus
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            error={errors.field('title')}
            data-testid="flag-title"
          />
          <Textarea
            label="Details"
            autosize
            minRows={2}
            value={details}
            onChange={(e) => setDetails(e.currentTarget.value)}
            error={errors.field('details')}
          />
          <Checkbox
            label="Blocking: stops activation and payouts until resolved"
            checked={blocking}
            onChange={(e) => setBlocking(e.currentTarget.checked)}
            data-testid="flag-blocking"
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              type="submit"
              color="orange"
              loading={busy}
              disabled={!title.trim()}
              data-testid="flag-submit"
            >
              Raise flag
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
