// Restricted countries per regulated entity: due diligence checks a partner's target countries against the
// list of the entity it works with. The whole list is replaced on save.
import {
  ActionIcon,
  Button,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { FormError } from '../../components/FormError';
import { BlockSkeleton, EmptyState, ErrorState } from '../../components/states';
import { useFormErrors } from '../../lib/forms';
import { COUNTRY_OPTIONS } from '../../lib/reference';

interface Entry {
  entity: string;
  country: string;
  reason: string;
}

export function RestrictedCountriesPage() {
  const q = useQuery({
    queryKey: ['restricted-countries'],
    queryFn: () => api.get('/api/v1/restricted-countries'),
  });
  return (
    <>
      <Title order={3} mb="sm">
        Restricted countries
      </Title>
      {q.isPending ? (
        <BlockSkeleton />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <Editor
          key={JSON.stringify(q.data.entries)}
          initial={q.data.entries.map(({ entity, country, reason }) => ({ entity, country, reason }))}
        />
      )}
    </>
  );
}

function Editor({ initial }: { initial: Entry[] }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [rows, setRows] = useState<Entry[]>(initial);
  const [entityFilter, setEntityFilter] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const entities = [...new Set(rows.map((r) => r.entity).filter(Boolean))].sort();
  const dirty = JSON.stringify(rows) !== JSON.stringify(initial);
  const update = (i: number, patch: Partial<Entry>) =>
    setRows((r) => r.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  async function save() {
    setBusy(true);
    errors.clear();
    try {
      await api.put('/api/v1/restricted-countries', {
        body: {
          entries: rows.map((r) => ({
            entity: r.entity.trim(),
            country: r.country,
            reason: r.reason.trim(),
          })),
        },
      });
      await qc.invalidateQueries({ queryKey: ['restricted-countries'] });
      notifications.show({ color: 'green', message: 'Restricted countries saved' });
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  const shown = rows.map((r, i) => ({ r, i })).filter(({ r }) => !entityFilter || r.entity === entityFilter);
  return (
    <Paper withBorder p="sm" data-testid="restricted-countries">
      <Group justify="space-between" mb="xs">
        <Group gap="xs" align="flex-end">
          <Select
            label="Regulated entity"
            placeholder="All entities"
            data={entities}
            value={entityFilter}
            onChange={setEntityFilter}
            clearable
            w={220}
          />
          <Text size="xs" c="dimmed">
            {rows.length} entr{rows.length === 1 ? 'y' : 'ies'} over {entities.length} entit
            {entities.length === 1 ? 'y' : 'ies'}
          </Text>
        </Group>
        <Group gap="xs">
          <Button
            variant="default"
            onClick={() =>
              setRows((r) => [...r, { entity: entityFilter ?? entities[0] ?? '', country: '', reason: '' }])
            }
            data-testid="restricted-add"
          >
            Add a country
          </Button>
          <Button onClick={() => void save()} loading={busy} disabled={!dirty} data-testid="restricted-save">
            Save
          </Button>
        </Group>
      </Group>
      <FormError errors={errors} />
      {shown.length === 0 ? (
        <EmptyState title="No restricted country yet">
          Add the countries each regulated entity may not market to; due-diligence cases flag them.
        </EmptyState>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Entity</Table.Th>
              <Table.Th>Country</Table.Th>
              <Table.Th>Why restricted</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map(({ r, i }) => (
              <Table.Tr key={i}>
                <Table.Td>
                  <TextInput
                    size="xs"
                    value={r.entity}
                    onChange={(e) => update(i, { entity: e.currentTarget.value })}
                    w={200}
                    aria-label="Entity"
                    error={errors.field(`entries.${i}.entity`)}
                  />
                </Table.Td>
                <Table.Td>
                  <Select
                    size="xs"
                    data={COUNTRY_OPTIONS}
                    value={r.country || null}
                    onChange={(v) => update(i, { country: v ?? '' })}
                    searchable
                    w={240}
                    aria-label="Country"
                    error={errors.field(`entries.${i}.country`)}
                  />
                </Table.Td>
                <Table.Td>
                  <TextInput
                    size="xs"
                    value={r.reason}
                    onChange={(e) => update(i, { reason: e.currentTarget.value })}
                    aria-label="Reason"
                    error={errors.field(`entries.${i}.reason`)}
                  />
                </Table.Td>
                <Table.Td>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label="Remove"
                    onClick={() => setRows((x) => x.filter((_, j) => j !== i))}
                  >
                    ×
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Stack />
    </Paper>
  );
}
