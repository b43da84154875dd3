// Partners: the list everyone starts from. Search (debounced), filters and sort live in the URL; cursor paging
// with "Load more"; a row opens the partner (click or Enter). New partner, CSV export and import sit on top.
import {
  Anchor,
  Badge,
  Button,
  CloseButton,
  Group,
  Paper,
  Select,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, buildUrl } from '../../api/client';
import type { Partner } from '../../api/types';
import { DateTime, StageBadge } from '../../components/bits';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import {
  COUNTRY_OPTIONS,
  countryName,
  options,
  PARTNER_STAGES,
  PARTNER_TYPES,
  TYPE_LABELS,
} from '../../lib/reference';
import { navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useUrlState } from '../../lib/url-state';
import { ImportPartnersButton } from './ImportPartners';
import { NewPartnerButton } from './NewPartner';
import { useOwnerOptions } from './owners';

const FILTER_KEYS = [
  'q',
  'type',
  'stage',
  'ownerId',
  'country',
  'tag',
  'parentId',
  'archived',
  'sort',
] as const;
type Sort = 'createdAt' | '-createdAt' | 'displayName' | '-displayName' | 'updatedAt' | '-updatedAt';

export function PartnersPage() {
  const { can } = useSession();
  const [f, setF] = useUrlState(FILTER_KEYS);
  const [search, setSearch] = useState(f.q);
  const [debounced] = useDebouncedValue(search, 250);
  const owners = useOwnerOptions();

  useEffect(() => {
    if (debounced.trim() !== f.q) setF({ q: debounced.trim() });
  }, [debounced, f.q, setF]);

  const filters = {
    q: f.q || undefined,
    type: f.type || undefined,
    stage: f.stage || undefined,
    ownerId: f.ownerId || undefined,
    country: f.country || undefined,
    tag: f.tag || undefined,
    parentId: f.parentId || undefined,
    archived: (f.archived || 'false') as 'false' | 'true' | 'all',
    sort: (f.sort || '-createdAt') as Sort,
  };

  const q = useInfiniteQuery({
    queryKey: ['partners', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/v1/partners', { query: { ...filters, limit: 50, cursor: pageParam }, signal }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  const rows: Partner[] = q.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(
    f.q ||
      f.type ||
      f.stage ||
      f.ownerId ||
      f.country ||
      f.tag ||
      f.parentId ||
      (f.archived && f.archived !== 'false'),
  );

  const sortHeader = (label: string, key: 'createdAt' | 'displayName' | 'updatedAt') => {
    const current = filters.sort;
    const dir = current === key ? '▲' : current === `-${key}` ? '▼' : '';
    const next: Sort = current === `-${key}` ? key : (`-${key}` as Sort);
    return (
      <Table.Th
        className="pd-sort"
        onClick={() => setF({ sort: next === '-createdAt' ? null : next })}
        data-testid={`sort-${key}`}
        aria-sort={current === key ? 'ascending' : current === `-${key}` ? 'descending' : 'none'}
      >
        {label}{' '}
        <Text span size="xs" c="blue">
          {dir}
        </Text>
      </Table.Th>
    );
  };

  const exportHref = buildUrl('/api/v1/partners/export.csv', undefined, { ...filters });

  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={3}>Partners</Title>
        <Group gap="xs">
          {can('partners.export') && (
            <Button component="a" href={exportHref} variant="default" data-testid="export-csv" download>
              Export CSV
            </Button>
          )}
          {can('partners.import') && <ImportPartnersButton />}
          {can('partners.create') && <NewPartnerButton />}
        </Group>
      </Group>

      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs" wrap="wrap" align="flex-end">
          <TextInput
            placeholder="Search name, email, ref code  ( / )"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                setSearch('');
                e.currentTarget.blur();
              }
              if (e.key === 'Enter' && rows[0]) navigate(`/partners/${rows[0].id}`);
            }}
            w={260}
            data-search-box
            data-testid="partners-search"
            aria-label="Search partners"
          />
          <Select
            placeholder="Type"
            data={options(PARTNER_TYPES, TYPE_LABELS)}
            value={f.type || null}
            onChange={(v) => setF({ type: v })}
            clearable
            w={110}
            data-testid="filter-type"
            aria-label="Filter by type"
          />
          <Select
            placeholder="Stage"
            data={options(PARTNER_STAGES)}
            value={f.stage || null}
            onChange={(v) => setF({ stage: v })}
            clearable
            w={150}
            data-testid="filter-stage"
            aria-label="Filter by stage"
          />
          <Select
            placeholder="Owner"
            data={owners.options}
            value={f.ownerId || null}
            onChange={(v) => setF({ ownerId: v })}
            clearable
            searchable
            w={150}
            data-testid="filter-owner"
            aria-label="Filter by owner"
          />
          <Select
            placeholder="Country"
            data={COUNTRY_OPTIONS}
            value={f.country || null}
            onChange={(v) => setF({ country: v })}
            clearable
            searchable
            w={150}
            data-testid="filter-country"
            aria-label="Filter by country"
          />
          <TextInput
            placeholder="Tag"
            defaultValue={f.tag}
            key={`tag-${f.tag}`}
            onBlur={(e) => setF({ tag: e.currentTarget.value.trim().toLowerCase() })}
            onKeyDown={(e) => {
              if (e.key === 'Enter') setF({ tag: e.currentTarget.value.trim().toLowerCase() });
            }}
            w={100}
            data-testid="filter-tag"
            aria-label="Filter by tag"
          />
          <Select
            data={[
              { value: 'false', label: 'Not archived' },
              { value: 'true', label: 'Archived only' },
              { value: 'all', label: 'All' },
            ]}
            value={f.archived || 'false'}
            onChange={(v) => setF({ archived: v === 'false' ? null : v })}
            w={130}
            allowDeselect={false}
            data-testid="filter-archived"
            aria-label="Archived"
          />
          {f.parentId && (
            <Badge
              variant="light"
              size="lg"
              rightSection={
                <CloseButton size="xs" onClick={() => setF({ parentId: null })} aria-label="Remove filter" />
              }
            >
              Sub-partners of {f.parentId}
            </Badge>
          )}
          {filtered && (
            <Button
              variant="subtle"
              onClick={() => {
                setSearch('');
                setF({
                  q: null,
                  type: null,
                  stage: null,
                  ownerId: null,
                  country: null,
                  tag: null,
                  parentId: null,
                  archived: null,
                });
              }}
            >
              Clear filters
            </Button>
          )}
        </Group>
      </Paper>

      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={8} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : rows.length === 0 ? (
          filtered ? (
            <EmptyState
              title="No partners match these filters"
              action={
                <Button
                  variant="light"
                  onClick={() => {
                    setSearch('');
                    setF({
                      q: null,
                      type: null,
                      stage: null,
                      ownerId: null,
                      country: null,
                      tag: null,
                      parentId: null,
                      archived: null,
                    });
                  }}
                >
                  Clear filters
                </Button>
              }
            >
              Try a shorter search or remove a filter.
            </EmptyState>
          ) : (
            <EmptyState
              title="No partners yet"
              action={can('partners.create') ? <NewPartnerButton /> : undefined}
            >
              {can('partners.create')
                ? 'Create the first partner, or import a CSV of existing partners.'
                : 'Partners will appear here once someone creates them.'}
            </EmptyState>
          )
        ) : (
          <Table highlightOnHover stickyHeader data-testid="partners-table">
            <Table.Thead>
              <Table.Tr>
                {sortHeader('Name', 'displayName')}
                <Table.Th>Type</Table.Th>
                <Table.Th>Stage</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Country</Table.Th>
                <Table.Th>Tags</Table.Th>
                {sortHeader('Created', 'createdAt')}
                {sortHeader('Updated', 'updatedAt')}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((p) => (
                <Table.Tr
                  key={p.id}
                  className="pd-row-link"
                  tabIndex={0}
                  onClick={(e) => {
                    if (e.metaKey || e.ctrlKey) window.open(`/partners/${p.id}`, '_blank');
                    else navigate(`/partners/${p.id}`);
                  }}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') navigate(`/partners/${p.id}`);
                    if (e.key === 'ArrowDown')
                      (e.currentTarget.nextElementSibling as HTMLElement | null)?.focus();
                    if (e.key === 'ArrowUp')
                      (e.currentTarget.previousElementSibling as HTMLElement | null)?.focus();
                  }}
                  data-testid="partner-row"
                >
                  <Table.Td>
                    <Anchor
                      href={`/partners/${p.id}`}
                      onClick={(e) => e.preventDefault()}
                      fw={500}
                      size="sm"
                      c="inherit"
                      underline="never"
                    >
                      {p.displayName}
                    </Anchor>
                    {p.archivedAt && (
                      <Badge size="xs" color="gray" ml={6}>
                        archived
                      </Badge>
                    )}
                    {p.legalName && p.legalName !== p.displayName && (
                      <Text size="xs" c="dimmed">
                        {p.legalName}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{TYPE_LABELS[p.type] ?? p.type}</Table.Td>
                  <Table.Td>
                    <StageBadge stage={p.stage} />
                  </Table.Td>
                  <Table.Td>
                    {p.ownerName ?? (
                      <Text span c="dimmed" size="sm">
                        Unassigned
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {p.country ? (
                      <Tooltip label={countryName(p.country)}>
                        <span>{p.country}</span>
                      </Tooltip>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {p.tags.slice(0, 3).map((t) => (
                        <Badge
                          key={t}
                          size="xs"
                          variant="outline"
                          style={{ cursor: 'pointer' }}
                          onClick={(e) => {
                            e.stopPropagation();
                            setF({ tag: t });
                          }}
                        >
                          {t}
                        </Badge>
                      ))}
                      {p.tags.length > 3 && (
                        <Text size="xs" c="dimmed">
                          +{p.tags.length - 3}
                        </Text>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <DateTime iso={p.createdAt} relative />
                  </Table.Td>
                  <Table.Td>
                    <DateTime iso={p.updatedAt} relative />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      {rows.length > 0 && (
        <Group justify="space-between" mt="xs">
          <Text size="xs" c="dimmed">
            {rows.length} shown{q.hasNextPage ? ', more available' : ''} · ↑↓ to move, Enter to open
          </Text>
          {q.hasNextPage && (
            <Button
              variant="default"
              size="xs"
              onClick={() => void q.fetchNextPage()}
              loading={q.isFetchingNextPage}
              data-testid="load-more"
            >
              Load more
            </Button>
          )}
        </Group>
      )}
    </>
  );
}
