// One client (trading account): who it belongs to and why, its first deposit and qualification, its events,
// and its manual attribution decisions. Anyone with attribution.request can ask to move it to another
// partner; someone else with attribution.approve approves or rejects (four eyes, the API enforces it).
import {
  Alert,
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Group,
  Modal,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { api } from '../../api/client';
import { Copyable, DateTime, StatusBadge } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { EmptyState, ErrorState } from '../../components/states';
import { useFormErrors } from '../../lib/forms';
import { countryName } from '../../lib/reference';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { ReasonModal } from '../partner/DocumentsTab';
import { PartnerPicker, usePartnerNames } from '../work/PartnerPicker';
import {
  AttributionBadge,
  type ClientDetail,
  type Decision,
  EventTable,
  Money,
  PartnerLink,
  TestBadge,
  useProgrammes,
  useUserNames,
} from './shared';

export function ClientPage({ id }: { id: string }) {
  const { can } = useSession();
  const [asking, setAsking] = useState(false);
  const q = useQuery({
    queryKey: ['client', id],
    queryFn: () => api.get('/api/v1/clients/{id}', { path: { id } }),
  });
  const programmes = useProgrammes();
  const c = q.data;
  const partnerName = usePartnerNames(
    c
      ? [
          ...(c.partnerId ? [c.partnerId] : []),
          ...c.decisions.flatMap((d) => [d.toPartnerId, ...(d.fromPartnerId ? [d.fromPartnerId] : [])]),
        ]
      : [],
  );
  const crumbs = (
    <Breadcrumbs>
      <Anchor component={Link} to="/clients" size="sm">
        Clients
      </Anchor>
      <Text size="sm">{c?.externalId ?? id}</Text>
    </Breadcrumbs>
  );
  if (q.isPending)
    return (
      <Stack gap="md" data-testid="loading">
        <Skeleton height={28} width={320} />
        <Skeleton height={120} />
        <Skeleton height={240} />
      </Stack>
    );
  if (q.isError || !c)
    return (
      <Stack>
        {crumbs}
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      </Stack>
    );
  const programme = programmes.data?.data.find((p) => (c.programmeId ? p.id === c.programmeId : p.isDefault));
  const pending = c.decisions.find((d) => d.status === 'pending');

  return (
    <Stack gap="md" data-testid="client-page">
      {crumbs}
      <Group justify="space-between" align="flex-start">
        <div>
          <Group gap="xs">
            <Title order={3} ff="monospace" data-testid="client-external-id">
              {c.externalId}
            </Title>
            {c.isTest && <TestBadge />}
          </Group>
          <Text size="sm" c="dimmed">
            Client (trading account) · first seen <DateTime iso={c.firstEventAt} />
          </Text>
        </div>
        {can('attribution.request') && (
          <Tooltip
            label="A decision for this client is pending: approve or reject it first"
            disabled={!pending}
          >
            <Button
              variant="light"
              onClick={() => setAsking(true)}
              disabled={!!pending}
              data-testid="ask-move"
            >
              Ask to move to another partner
            </Button>
          </Tooltip>
        )}
      </Group>

      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="md" verticalSpacing="sm">
          <Fact label="Partner">
            <PartnerLink id={c.partnerId} name={partnerName} />
          </Fact>
          <Fact label="Attribution">
            <Group gap={6}>
              <AttributionBadge attribution={c.attribution} />
              {c.attributedAt && (
                <Text size="xs" c="dimmed">
                  <DateTime iso={c.attributedAt} />
                </Text>
              )}
            </Group>
          </Fact>
          <Fact label="First deposit (FTD)">
            {c.ftdAt ? (
              <Stack gap={0}>
                <Money minor={c.ftdAmountMinor} currency={c.ftdCurrency} />
                <Text size="xs" c="dimmed">
                  <DateTime iso={c.ftdAt} />
                </Text>
              </Stack>
            ) : (
              <Text size="sm" c="dimmed">
                no deposit yet
              </Text>
            )}
          </Fact>
          <Fact label="Qualified">
            {c.qualifiedAt ? (
              <Group gap={6}>
                <Badge size="sm" color="green" variant="light">
                  Qualified
                </Badge>
                <DateTime iso={c.qualifiedAt} />
              </Group>
            ) : (
              <Text size="sm" c="dimmed">
                not yet
              </Text>
            )}
          </Fact>
          <Fact label="Programme">
            <Text size="sm">
              {programme?.name ?? c.programmeId ?? '—'}
              {programme && !c.programmeId && (
                <Text span size="xs" c="dimmed">
                  {' '}
                  (the default)
                </Text>
              )}
            </Text>
          </Fact>
          <Fact label="Country">
            <Text size="sm">{c.country ? `${c.country} · ${countryName(c.country)}` : '—'}</Text>
          </Fact>
          <Fact label="Click id">
            {c.clickId ? (
              <Group gap={6} wrap="nowrap">
                <Copyable value={c.clickId} display={`${c.clickId.slice(0, 14)}…`} />
                {can('clicks.read') && (
                  <Anchor
                    component={Link}
                    to={`/clicks/${encodeURIComponent(c.clickId)}`}
                    size="xs"
                    style={{ whiteSpace: 'nowrap' }}
                    data-testid="client-click-story"
                  >
                    Click story
                  </Anchor>
                )}
              </Group>
            ) : (
              <Text size="sm" c="dimmed">
                —
              </Text>
            )}
          </Fact>
          <Fact label="Tracking link">
            <LinkName id={c.linkId} />
          </Fact>
        </SimpleGrid>
      </Paper>

      <div>
        <Title order={5} mb="xs">
          Attribution decisions
        </Title>
        <Paper withBorder>
          {c.decisions.length === 0 ? (
            <EmptyState title="No manual decisions">
              A client keeps its first attribution. To move it, ask for a decision; someone else approves it
              and the client’s past events move with it.
            </EmptyState>
          ) : (
            <DecisionTable client={c} partnerName={partnerName} />
          )}
        </Paper>
      </div>

      <div>
        <Title order={5} mb="xs">
          Events ({c.events.length})
        </Title>
        <Paper withBorder>
          {c.events.length === 0 ? (
            <EmptyState title="No events" />
          ) : (
            <EventTable events={c.events} showClient={false} />
          )}
        </Paper>
      </div>

      <AskMoveModal client={c} opened={asking} onClose={() => setAsking(false)} />
    </Stack>
  );
}

/** A tracking link's name and code (its id where the user may not read links). */
function LinkName({ id }: { id: string | null }) {
  const { can } = useSession();
  const q = useQuery({
    queryKey: ['link', id],
    queryFn: () => api.get('/api/v1/links/{id}', { path: { id: id ?? '' } }),
    enabled: !!id && can('links.read'),
    staleTime: 5 * 60_000,
  });
  if (!id)
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  if (!q.data)
    return (
      <Text size="sm" className="pd-mono">
        {id}
      </Text>
    );
  return (
    <Text size="sm">
      {q.data.name}{' '}
      <Text span className="pd-mono" c="dimmed">
        /c/{q.data.code}
      </Text>
    </Text>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" mb={2}>
        {label}
      </Text>
      {children}
    </div>
  );
}

function DecisionTable({
  client,
  partnerName,
}: {
  client: ClientDetail;
  partnerName: (id: string) => string;
}) {
  const { can, session } = useSession();
  const userName = useUserNames();
  const [deciding, setDeciding] = useState<{ d: Decision; verdict: 'approve' | 'reject' } | null>(null);
  return (
    <>
      <Table data-testid="decisions-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Move</Table.Th>
            <Table.Th>Reason</Table.Th>
            <Table.Th>Requested</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {client.decisions.map((d) => (
            <Table.Tr key={d.id} data-testid="decision-row" data-status={d.status}>
              <Table.Td>
                <Text size="sm">
                  {d.fromPartnerId ? partnerName(d.fromPartnerId) : 'no partner'} →{' '}
                  <b>{partnerName(d.toPartnerId)}</b>
                </Text>
              </Table.Td>
              <Table.Td maw={320}>
                <Text size="sm">{d.reason}</Text>
                {d.decisionNote && (
                  <Text size="xs" c="dimmed">
                    Note: {d.decisionNote}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <DateTime iso={d.requestedAt} relative />
                <Text size="xs" c="dimmed">
                  by {userName(d.requestedBy)}
                </Text>
              </Table.Td>
              <Table.Td>
                <StatusBadge status={d.status} testId="decision-status" />
                {d.decidedAt && (
                  <Text size="xs" c="dimmed">
                    by {userName(d.decidedBy)} <DateTime iso={d.decidedAt} relative />
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {d.status === 'pending' &&
                  can('attribution.approve') &&
                  (d.requestedBy === session.user.id ? (
                    <Text size="xs" c="dimmed" maw={200}>
                      You asked for this: someone else approves or rejects it (four eyes).
                    </Text>
                  ) : (
                    <Group gap={4} wrap="nowrap">
                      <Button
                        size="compact-xs"
                        color="green"
                        onClick={() => setDeciding({ d, verdict: 'approve' })}
                        data-testid="decision-approve"
                      >
                        Approve
                      </Button>
                      <Button
                        size="compact-xs"
                        color="red"
                        variant="light"
                        onClick={() => setDeciding({ d, verdict: 'reject' })}
                        data-testid="decision-reject"
                      >
                        Reject
                      </Button>
                    </Group>
                  ))}
                {d.status === 'pending' && !can('attribution.approve') && (
                  <Text size="xs" c="dimmed">
                    Waiting for approval
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <ReasonModal
        title={
          deciding
            ? `${deciding.verdict === 'approve' ? 'Approve' : 'Reject'}: move to ${partnerName(deciding.d.toPartnerId)}`
            : ''
        }
        opened={deciding !== null}
        onClose={() => setDeciding(null)}
        label="Note (optional)"
        required={false}
        confirm={deciding?.verdict === 'approve' ? 'Approve' : 'Reject'}
        color={deciding?.verdict === 'approve' ? 'green' : 'red'}
        invalidate={[['client', client.id], ['clients'], ['events'], ['attribution-decisions']]}
        onSubmit={async (note) => {
          if (!deciding) return;
          const opts = {
            path: { id: deciding.d.id },
            body: { note: note || null, version: deciding.d.version },
          };
          if (deciding.verdict === 'approve')
            await api.post('/api/v1/attribution-decisions/{id}/approve', opts);
          else await api.post('/api/v1/attribution-decisions/{id}/reject', opts);
        }}
      >
        {deciding?.verdict === 'approve' ? (
          <Alert color="yellow" variant="light" p="xs">
            <Text size="sm">
              The client and all {client.events.length} of its past events move to{' '}
              <b>{partnerName(deciding.d.toPartnerId)}</b>; the figures move with them.
            </Text>
          </Alert>
        ) : null}
      </ReasonModal>
    </>
  );
}

function AskMoveModal({
  client,
  opened,
  onClose,
}: {
  client: ClientDetail;
  opened: boolean;
  onClose: () => void;
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [partnerId, setPartnerId] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const close = () => {
    errors.clear();
    setPartnerId(null);
    setReason('');
    onClose();
  };
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      await api.post('/api/v1/clients/{id}/attribution-decisions', {
        path: { id: client.id },
        body: { partnerId: partnerId ?? '', reason: reason.trim() },
      });
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['client', client.id] }),
        qc.invalidateQueries({ queryKey: ['attribution-decisions'] }),
      ]);
      notifications.show({ color: 'blue', message: 'Asked: someone with approval rights decides next' });
      close();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened={opened} onClose={close} title={`Move ${client.externalId} to another partner`}>
      <form onSubmit={submit} noValidate data-testid="ask-move-form">
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            Someone else with approval rights approves or rejects. When approved, the client and its past
            events move to the new partner.
          </Text>
          <FormError errors={errors} shown={['partnerId', 'reason']} />
          <PartnerPicker
            label="New partner"
            value={partnerId}
            onChange={setPartnerId}
            error={errors.field('partnerId')}
            testId="move-partner"
          />
          <Textarea
            label="Reason"
            description="Evidence for the move (at least 5 characters)"
            required
            autosize
            minRows={3}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={errors.field('reason')}
            data-testid="move-reason"
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              type="submit"
              loading={busy}
              disabled={!partnerId || reason.trim().length < 5}
              data-testid="move-submit"
            >
              Ask for approval
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
