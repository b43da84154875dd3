// Clients (trading accounts the back office reported): who they belong to, how they were attributed, their
// first deposit and qualification. Filters by partner, attribution and exact external id live in the URL.
import { Anchor, Button, Group, Paper, Select, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { DateTime } from '../../components/bits';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { Link, navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useUrlState } from '../../lib/url-state';
import { PartnerPicker, usePartnerNames } from '../work/PartnerPicker';
import {
  ATTRIBUTIONS,
  AttributionBadge,
  attributionOptions,
  type Client,
  Money,
  PartnerLink,
  TestBadge,
  useClientExternalIds,
  useUserNames,
} from './shared';

export function ClientsPage() {
  const { can, session } = useSession();
  // A partner user sees only its own partner's events: no partner filter.
  const ownPartnerOnly = session.user.role === 'partner';
  const [f, setF] = useUrlState(['partnerId', 'attribution', 'externalId'] as const);
  const [externalId, setExternalId] = useState(f.externalId);
  const [debounced] = useDebouncedValue(externalId.trim(), 400);
  useEffect(() => {
    if (debounced !== f.externalId) setF({ externalId: debounced || null });
  }, [debounced, f.externalId, setF]);
  const query = {
    partnerId: f.partnerId || undefined,
    attribution: (ATTRIBUTIONS as readonly string[]).includes(f.attribution)
      ? (f.attribution as Client['attribution'])
      : undefined,
    externalId: f.externalId || undefined,
  };
  const q = useInfiniteQuery({
    queryKey: ['clients', query],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/v1/clients', { query: { ...query, limit: 50, cursor: pageParam }, signal }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.data) ?? [];
  const partnerName = usePartnerNames(rows.flatMap((c) => (c.partnerId ? [c.partnerId] : [])));
  const filtered = Object.values(query).some((v) => v !== undefined);

  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={3}>Clients</Title>
        <Button component={Link} to="/events" variant="default" size="xs">
          Events
        </Button>
      </Group>
      {can('attribution.request') && <PendingDecisions />}
      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs" align="flex-end">
          <TextInput
            label="Client id"
            description="The trading account id, exactly"
            placeholder="e.g. MT5-100234"
            value={externalId}
            onChange={(e) => setExternalId(e.currentTarget.value)}
            w={200}
            data-testid="clients-external-id"
          />
          {!ownPartnerOnly && (
            <div style={{ width: 240 }}>
              <PartnerPicker
                label="Partner"
                value={f.partnerId || null}
                onChange={(v) => setF({ partnerId: v })}
                testId="clients-partner"
              />
            </div>
          )}
          <Select
            label="Attribution"
            placeholder="Any"
            data={attributionOptions}
            value={query.attribution ?? null}
            onChange={(v) => setF({ attribution: v })}
            clearable
            w={150}
          />
        </Group>
      </Paper>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={7} rows={6} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState title={filtered ? 'No clients match' : 'No clients yet'}>
            {filtered
              ? 'The client id must match exactly (as the back office sends it in client_id).'
              : 'A client appears with the first event that carries its client_id.'}
          </EmptyState>
        ) : (
          <Table.ScrollContainer minWidth={900}>
            <Table data-testid="clients-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Client id</Table.Th>
                  <Table.Th>Partner</Table.Th>
                  <Table.Th>Attribution</Table.Th>
                  <Table.Th>First event</Table.Th>
                  <Table.Th>FTD</Table.Th>
                  <Table.Th>Qualified</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((c) => (
                  <Table.Tr
                    key={c.id}
                    className="pd-row-link"
                    tabIndex={0}
                    data-testid="client-row"
                    onClick={(e) => {
                      if (e.metaKey || e.ctrlKey) window.open(`/clients/${c.id}`, '_blank');
                      else navigate(`/clients/${c.id}`);
                    }}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') navigate(`/clients/${c.id}`);
                    }}
                  >
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Anchor
                          component={Link}
                          to={`/clients/${c.id}`}
                          size="sm"
                          className="pd-mono"
                          onClick={(e) => e.stopPropagation()}
                        >
                          {c.externalId}
                        </Anchor>
                        {c.isTest && <TestBadge />}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <PartnerLink id={c.partnerId} name={partnerName} />
                    </Table.Td>
                    <Table.Td>
                      <AttributionBadge attribution={c.attribution} />
                    </Table.Td>
                    <Table.Td>
                      <DateTime iso={c.firstEventAt} />
                    </Table.Td>
                    <Table.Td>
                      {c.ftdAt ? (
                        <>
                          <Money minor={c.ftdAmountMinor} currency={c.ftdCurrency} />
                          <Text size="xs" c="dimmed">
                            <DateTime iso={c.ftdAt} />
                          </Text>
                        </>
                      ) : (
                        <Text size="sm" c="dimmed">
                          no deposit yet
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {c.qualifiedAt ? (
                        <DateTime iso={c.qualifiedAt} />
                      ) : (
                        <Text size="sm" c="dimmed">
                          —
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
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
    </>
  );
}

/** Attribution decisions waiting for someone with approval rights (opens the client to decide). */
function PendingDecisions() {
  const q = useQuery({
    queryKey: ['attribution-decisions', 'pending'],
    queryFn: () => api.get('/api/v1/attribution-decisions', { query: { status: 'pending', limit: 50 } }),
  });
  const rows = q.data?.data ?? [];
  const partnerName = usePartnerNames(
    rows.flatMap((d) => [d.toPartnerId, ...(d.fromPartnerId ? [d.fromPartnerId] : [])]),
  );
  const externalId = useClientExternalIds(rows.map((d) => d.clientId));
  const userName = useUserNames();
  if (rows.length === 0) return null;
  return (
    <Paper withBorder p="xs" mb="sm" data-testid="pending-decisions">
      <Text size="sm" fw={600} mb={4}>
        Waiting for approval: {rows.length} attribution change{rows.length === 1 ? '' : 's'}
      </Text>
      <Table verticalSpacing={4}>
        <Table.Tbody>
          {rows.map((d) => (
            <Table.Tr
              key={d.id}
              className="pd-row-link"
              tabIndex={0}
              onClick={() => navigate(`/clients/${d.clientId}`)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') navigate(`/clients/${d.clientId}`);
              }}
            >
              <Table.Td>
                <Text size="sm" className="pd-mono">
                  {externalId(d.clientId)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  {d.fromPartnerId ? partnerName(d.fromPartnerId) : 'no partner'} →{' '}
                  <b>{partnerName(d.toPartnerId)}</b>
                </Text>
              </Table.Td>
              <Table.Td maw={360}>
                <Text size="sm" lineClamp={1} title={d.reason}>
                  {d.reason}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs" c="dimmed">
                  {userName(d.requestedBy)} · <DateTime iso={d.requestedAt} relative />
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
