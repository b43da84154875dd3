// API keys for systems (the broker back office, BI tools): create one with a role — the key is shown once —
// and revoke keys that are no longer used.
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import type { User } from '../../api/types';
import { Copyable, DateTime } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { humanize } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { ReasonModal } from '../partner/DocumentsTab';
import { ROLE_OPTIONS } from './UsersPage';

type ApiKey = {
  id: string;
  name: string;
  role: string;
  partnerId: string | null;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

export function ApiKeysPage() {
  const [status, setStatus] = useState<'active' | 'revoked' | 'all'>('active');
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const q = useInfiniteQuery({
    queryKey: ['api-keys', status],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.get('/api/v1/api-keys', {
        query: { status: status === 'all' ? undefined : status, limit: 100, cursor: pageParam },
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const keys = q.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={3}>API keys</Title>
        <Group gap="xs">
          <SegmentedControl
            size="xs"
            value={status}
            onChange={(v) => setStatus(v as typeof status)}
            data={[
              { value: 'active', label: 'Active' },
              { value: 'revoked', label: 'Revoked' },
              { value: 'all', label: 'All' },
            ]}
          />
          <Button onClick={() => setCreating(true)} data-testid="new-api-key">
            New API key
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
        ) : keys.length === 0 ? (
          <EmptyState
            title={status === 'revoked' ? 'No revoked keys' : 'No API keys yet'}
            action={
              <Button variant="light" onClick={() => setCreating(true)}>
                Create an API key
              </Button>
            }
          >
            Systems such as the broker back office authenticate with{' '}
            <code>Authorization: Bearer &lt;key&gt;</code>.
          </EmptyState>
        ) : (
          <Table data-testid="api-keys-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.map((k) => (
                <Table.Tr
                  key={k.id}
                  data-testid="api-key-row"
                  style={k.revokedAt ? { opacity: 0.6 } : undefined}
                >
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {k.name}
                    </Text>
                    {k.partnerId && (
                      <Text size="xs" c="dimmed">
                        partner {k.partnerId}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text className="pd-mono">{k.prefix}…</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" color="gray">
                      {humanize(k.role)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <DateTime iso={k.createdAt} relative />
                  </Table.Td>
                  <Table.Td>
                    {k.lastUsedAt ? (
                      <DateTime iso={k.lastUsedAt} relative />
                    ) : (
                      <Text size="sm" c="dimmed">
                        never
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {k.revokedAt ? (
                      <Badge size="sm" color="red" variant="light">
                        revoked <DateTime iso={k.revokedAt} relative />
                      </Badge>
                    ) : (
                      <Button
                        size="compact-xs"
                        color="red"
                        variant="subtle"
                        onClick={() => setRevoking(k)}
                        data-testid="api-key-revoke"
                      >
                        Revoke
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      {q.hasNextPage && (
        <Group justify="center" mt="xs">
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
      <Modal
        opened={creating}
        onClose={() => setCreating(false)}
        title="New API key"
        closeOnClickOutside={false}
      >
        {creating && <CreateKeyForm onDone={() => setCreating(false)} />}
      </Modal>
      <ReasonModal
        title={`Revoke ${revoking?.name ?? ''}`}
        opened={revoking !== null}
        onClose={() => setRevoking(null)}
        label="Reason (optional)"
        required={false}
        confirm="Revoke"
        color="red"
        invalidate={[['api-keys']]}
        onSubmit={async (reason) => {
          if (!revoking) return;
          await api.post('/api/v1/api-keys/{id}/revoke', {
            path: { id: revoking.id },
            body: { reason: reason || undefined },
          });
        }}
      >
        <Text size="sm">Requests with this key are refused from now on. This cannot be undone.</Text>
      </ReasonModal>
    </>
  );
}

function CreateKeyForm({ onDone }: { onDone: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState('');
  const [role, setRole] = useState<User['role']>('read_only');
  const [partnerId, setPartnerId] = useState('');
  const [key, setKey] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const r = await api.post('/api/v1/api-keys', {
        body: {
          name: name.trim(),
          role,
          partnerId: role === 'partner' ? partnerId.trim() || null : undefined,
        },
      });
      setKey(r.key);
      await qc.invalidateQueries({ queryKey: ['api-keys'] });
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  if (key)
    return (
      <Stack>
        <Alert
          color="yellow"
          title="Copy the key now — it will not be shown again"
          data-testid="api-key-created"
        >
          <Stack gap={6}>
            <Copyable value={key} testId="api-key-value" />
            <Text size="xs">
              Store it in the calling system's secret store. If it is lost, revoke it and create a new one.
            </Text>
          </Stack>
        </Alert>
        <Group justify="flex-end">
          <Button onClick={onDone} data-testid="api-key-done">
            I have copied it
          </Button>
        </Group>
      </Stack>
    );
  return (
    <form onSubmit={submit} noValidate data-testid="api-key-form">
      <Stack gap="sm">
        <FormError errors={errors} shown={['name', 'role', 'partnerId']} />
        <TextInput
          label="Name"
          description="Which system uses it"
          required
          data-autofocus
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.field('name')}
          data-testid="api-key-name"
        />
        <Select
          label="Role"
          data={ROLE_OPTIONS}
          value={role}
          onChange={(r) => r && setRole(r as User['role'])}
          allowDeselect={false}
          error={errors.field('role')}
          data-testid="api-key-role"
        />
        {role === 'partner' && (
          <TextInput
            label="Partner id"
            value={partnerId}
            onChange={(e) => setPartnerId(e.currentTarget.value)}
            error={errors.field('partnerId')}
          />
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} data-testid="api-key-submit">
            Create key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
