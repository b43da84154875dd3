// Custom fields: extra partner fields a workspace defines (text, number, date, yes/no, select), optionally for
// some partner types only. The key and type are fixed once created; archive a field to retire it.
import {
  Badge,
  Button,
  Group,
  Modal,
  MultiSelect,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import type { CustomField } from '../../api/types';
import { DateTime } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { humanize } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { options, PARTNER_TYPES, TYPE_LABELS } from '../../lib/reference';
import { ReasonModal } from '../partner/DocumentsTab';

const FIELD_TYPES = [
  'text',
  'number',
  'date',
  'boolean',
  'select',
] as const satisfies readonly CustomField['type'][];

export function CustomFieldsPage() {
  const [archived, setArchived] = useState<'false' | 'true' | 'all'>('false');
  const [editing, setEditing] = useState<CustomField | 'new' | null>(null);
  const [archiving, setArchiving] = useState<CustomField | null>(null);
  const q = useQuery({
    queryKey: ['custom-fields', archived],
    queryFn: () => api.get('/api/v1/custom-fields', { query: { archived } }),
  });
  const fields = q.data?.data ?? [];
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={3}>Custom fields</Title>
        <Group gap="xs">
          <SegmentedControl
            size="xs"
            value={archived}
            onChange={(v) => setArchived(v as typeof archived)}
            data={[
              { value: 'false', label: 'Active' },
              { value: 'true', label: 'Archived' },
              { value: 'all', label: 'All' },
            ]}
          />
          <Button onClick={() => setEditing('new')} data-testid="new-custom-field">
            New custom field
          </Button>
        </Group>
      </Group>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={6} rows={4} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : fields.length === 0 ? (
          <EmptyState
            title="No custom fields"
            action={
              <Button variant="light" onClick={() => setEditing('new')}>
                Define a custom field
              </Button>
            }
          >
            Add fields your team tracks that Partnerdesk does not have, such as a CRM id or a regulator
            licence number. They can then be made mandatory per stage.
          </EmptyState>
        ) : (
          <Table data-testid="custom-fields-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Label</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Applies to</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {fields.map((f) => (
                <Table.Tr
                  key={f.id}
                  data-testid="custom-field-row"
                  style={f.archivedAt ? { opacity: 0.6 } : undefined}
                >
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {f.label}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text className="pd-mono">{f.key}</Text>
                  </Table.Td>
                  <Table.Td>
                    {humanize(f.type)}
                    {f.type === 'select' && (
                      <Text size="xs" c="dimmed" lineClamp={1}>
                        {f.options.join(', ')}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {f.partnerTypes.length === 0 ? (
                      <Text size="sm">All types</Text>
                    ) : (
                      <Group gap={4}>
                        {f.partnerTypes.map((t) => (
                          <Badge key={t} size="xs" variant="outline">
                            {TYPE_LABELS[t] ?? t}
                          </Badge>
                        ))}
                      </Group>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <DateTime iso={f.createdAt} relative />
                  </Table.Td>
                  <Table.Td>
                    {f.archivedAt ? (
                      <Badge size="sm" color="gray">
                        archived
                      </Badge>
                    ) : (
                      <Group gap={4} justify="flex-end">
                        <Button size="compact-xs" variant="subtle" onClick={() => setEditing(f)}>
                          Edit
                        </Button>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          onClick={() => setArchiving(f)}
                          data-testid="custom-field-archive"
                        >
                          Archive
                        </Button>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'New custom field' : 'Edit custom field'}
      >
        {editing !== null && (
          <FieldForm field={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
        )}
      </Modal>
      <ReasonModal
        title={`Archive ${archiving?.label ?? ''}`}
        opened={archiving !== null}
        onClose={() => setArchiving(null)}
        label="Reason (optional)"
        required={false}
        confirm="Archive"
        color="red"
        invalidate={[['custom-fields']]}
        onSubmit={async () => {
          if (!archiving) return;
          await api.post('/api/v1/custom-fields/{id}/archive', { path: { id: archiving.id } });
        }}
      >
        <Text size="sm">
          The field disappears from partner profiles; values already stored are kept. A policy that requires
          it must be changed first.
        </Text>
      </ReasonModal>
    </>
  );
}

function FieldForm({ field, onDone }: { field: CustomField | null; onDone: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  const [label, setLabel] = useState(field?.label ?? '');
  const [key, setKey] = useState(field?.key ?? '');
  const [keyTouched, setKeyTouched] = useState(false);
  const [type, setType] = useState<CustomField['type']>(field?.type ?? 'text');
  const [opts, setOpts] = useState<string[]>(field?.options ?? []);
  const [types, setTypes] = useState<string[]>(field?.partnerTypes ?? []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const partnerTypes = types as (typeof PARTNER_TYPES)[number][];
      if (field)
        await api.patch('/api/v1/custom-fields/{id}', {
          path: { id: field.id },
          body: { label: label.trim(), options: type === 'select' ? opts : undefined, partnerTypes },
        });
      else
        await api.post('/api/v1/custom-fields', {
          body: {
            key: key.trim(),
            label: label.trim(),
            type,
            options: type === 'select' ? opts : undefined,
            partnerTypes,
          },
        });
      await qc.invalidateQueries({ queryKey: ['custom-fields'] });
      await qc.invalidateQueries({ queryKey: ['policy'] });
      onDone();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} noValidate data-testid="custom-field-form">
      <Stack gap="sm">
        <FormError errors={errors} shown={['label', 'key', 'type', 'options', 'partnerTypes']} />
        <TextInput
          label="Label"
          required
          data-autofocus
          value={label}
          onChange={(e) => {
            const v = e.currentTarget.value;
            setLabel(v);
            if (!field && !keyTouched)
              setKey(
                v
                  .toLowerCase()
                  .replace(/[^a-z0-9]+/g, '_')
                  .replace(/^_+|_+$/g, '')
                  .replace(/^[0-9_]+/, '')
                  .slice(0, 40),
              );
          }}
          error={errors.field('label')}
          data-testid="custom-field-label"
        />
        <TextInput
          label="Key"
          description={
            field
              ? 'Cannot change once created'
              : 'snake_case; used in the API, CSV and policy (custom.<key>)'
          }
          disabled={Boolean(field)}
          value={key}
          onChange={(e) => {
            setKeyTouched(true);
            setKey(e.currentTarget.value);
          }}
          error={errors.field('key')}
          classNames={{ input: 'pd-mono' }}
          data-testid="custom-field-key"
        />
        <Select
          label="Type"
          data={options(FIELD_TYPES, { boolean: 'Yes / no' })}
          value={type}
          onChange={(v) => v && setType(v as CustomField['type'])}
          disabled={Boolean(field)}
          allowDeselect={false}
          error={errors.field('type')}
          data-testid="custom-field-type"
        />
        {type === 'select' && (
          <TagsInput
            label="Options"
            description="Enter after each"
            value={opts}
            onChange={setOpts}
            error={errors.field('options') ?? errors.under('options')[0]}
          />
        )}
        <MultiSelect
          label="Partner types"
          description="Leave empty for every type"
          data={options(PARTNER_TYPES, TYPE_LABELS)}
          value={types}
          onChange={setTypes}
          error={errors.field('partnerTypes')}
        />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} data-testid="custom-field-submit">
            {field ? 'Save' : 'Create field'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
