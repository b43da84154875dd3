// Roles & permissions: the grant matrix (permissions down, roles across). Tick boxes, then save each role you
// changed; the admin role always has everything and is locked.
import {
  Button,
  Checkbox,
  Group,
  Paper,
  ScrollArea,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, asApiError } from '../../api/client';
import { ErrorState, TableSkeleton } from '../../components/states';
import { humanize } from '../../lib/format';
import { SESSION_KEY } from '../../lib/session';

export function RolesPage() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['roles'], queryFn: () => api.get('/api/v1/roles') });
  const [draft, setDraft] = useState<Record<string, Set<string>>>({});
  const [saving, setSaving] = useState<string | null>(null);

  useEffect(() => {
    if (q.data) setDraft(Object.fromEntries(q.data.roles.map((r) => [r.role, new Set(r.permissions)])));
  }, [q.data]);

  if (q.isPending) return <TableSkeleton cols={10} rows={12} />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const { roles, permissions } = q.data;
  const changed = (role: string) => {
    const orig = new Set(roles.find((r) => r.role === role)?.permissions ?? []);
    const now = draft[role] ?? new Set();
    return orig.size !== now.size || [...now].some((p) => !orig.has(p));
  };
  const toggle = (role: string, perm: string) =>
    setDraft((d) => {
      const next = new Set(d[role]);
      if (next.has(perm)) next.delete(perm);
      else next.add(perm);
      return { ...d, [role]: next };
    });

  async function save(role: string) {
    setSaving(role);
    try {
      const r = await api.put('/api/v1/roles/{role}/permissions', {
        path: { role },
        body: { permissions: [...(draft[role] ?? [])].sort() },
      });
      notifications.show({
        color: 'green',
        message: `${humanize(role)}: ${r.added.length} added, ${r.removed.length} removed`,
      });
      await qc.invalidateQueries({ queryKey: ['roles'] });
      await qc.invalidateQueries({ queryKey: SESSION_KEY });
    } catch (err) {
      notifications.show({
        color: 'red',
        title: `Could not save ${humanize(role)}`,
        message: asApiError(err).detail,
      });
    } finally {
      setSaving(null);
    }
  }

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={3}>Roles & permissions</Title>
        <Text size="xs" c="dimmed">
          Changes apply to everyone with the role at their next request.
        </Text>
      </Group>
      <Paper withBorder>
        <ScrollArea>
          <Table stickyHeader data-testid="roles-matrix" withColumnBorders>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Permission</Table.Th>
                {roles.map((r) => (
                  <Table.Th key={r.role} ta="center" style={{ whiteSpace: 'nowrap' }}>
                    {humanize(r.role)}
                    {!r.editable && (
                      <Text size="xs" c="dimmed">
                        locked
                      </Text>
                    )}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {permissions.map((p) => (
                <Table.Tr key={p.name}>
                  <Table.Td>
                    <Tooltip label={p.description} openDelay={200} multiline w={300}>
                      <Text size="sm" className="pd-mono">
                        {p.name}
                      </Text>
                    </Tooltip>
                  </Table.Td>
                  {roles.map((r) => (
                    <Table.Td key={r.role} ta="center">
                      <Checkbox
                        size="xs"
                        style={{ display: 'inline-block' }}
                        checked={draft[r.role]?.has(p.name) ?? false}
                        disabled={!r.editable}
                        onChange={() => toggle(r.role, p.name)}
                        aria-label={`${r.role} ${p.name}`}
                        data-testid={`perm-${r.role}-${p.name}`}
                      />
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
              <Table.Tr>
                <Table.Td />
                {roles.map((r) => (
                  <Table.Td key={r.role} ta="center">
                    {r.editable && (
                      <Button
                        size="compact-xs"
                        disabled={!changed(r.role)}
                        loading={saving === r.role}
                        onClick={() => void save(r.role)}
                        data-testid={`save-role-${r.role}`}
                      >
                        Save
                      </Button>
                    )}
                  </Table.Td>
                ))}
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </ScrollArea>
      </Paper>
    </Stack>
  );
}
