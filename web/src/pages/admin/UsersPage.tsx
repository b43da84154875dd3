// Users: who can sign in, with which role. Create (with a password or a generated one-time password shown
// once), change name/role, disable/enable, reset the password.
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Group,
  Menu,
  Modal,
  Paper,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import type { User } from '../../api/types';
import { Copyable, DateTime, StatusBadge } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { humanize } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { useSession } from '../../lib/session';
import { ReasonModal } from '../partner/DocumentsTab';

export const ROLES = [
  'admin',
  'leadership',
  'team_lead',
  'bdm',
  'ops',
  'compliance',
  'finance',
  'support',
  'partner',
  'read_only',
] as const satisfies readonly User['role'][];
export const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: humanize(r) }));

export function UsersPage() {
  const { can, session } = useSession();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [role, setRole] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const [toggling, setToggling] = useState<User | null>(null);
  const manage = can('users.manage');

  const q = useInfiniteQuery({
    queryKey: ['users', 'list', debounced, role, status],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.get('/api/v1/users', {
        query: {
          q: debounced.trim() || undefined,
          role: (role ?? undefined) as User['role'] | undefined,
          status: (status ?? undefined) as User['status'] | undefined,
          limit: 100,
          cursor: pageParam,
        },
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const users = q.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={3}>Users</Title>
        {manage && (
          <Button onClick={() => setCreating(true)} data-testid="new-user">
            New user
          </Button>
        )}
      </Group>
      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs">
          <TextInput
            placeholder="Search name or email   ( / )"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            w={300}
            data-search-box
            aria-label="Search users"
          />
          <Select
            placeholder="Role"
            data={ROLE_OPTIONS}
            value={role}
            onChange={setRole}
            clearable
            w={150}
            aria-label="Role"
          />
          <Select
            placeholder="Status"
            data={[
              { value: 'active', label: 'Active' },
              { value: 'disabled', label: 'Disabled' },
            ]}
            value={status}
            onChange={setStatus}
            clearable
            w={130}
            aria-label="Status"
          />
        </Group>
      </Paper>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={6} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : users.length === 0 ? (
          <EmptyState
            title="No users match"
            action={
              manage ? (
                <Button variant="light" onClick={() => setCreating(true)}>
                  Create a user
                </Button>
              ) : undefined
            }
          >
            Try another search or filter.
          </EmptyState>
        ) : (
          <Table data-testid="users-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Email</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last sign-in</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.map((u) => (
                <Table.Tr key={u.id} data-testid="user-row">
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {u.name}
                      {u.id === session.user.id && (
                        <Text span size="xs" c="dimmed">
                          {' '}
                          (you)
                        </Text>
                      )}
                    </Text>
                  </Table.Td>
                  <Table.Td>{u.email}</Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" color="gray">
                      {humanize(u.role)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <StatusBadge status={u.status} />
                      {u.mustChangePassword && (
                        <Badge size="xs" color="yellow" variant="outline">
                          must change password
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <DateTime iso={u.lastLoginAt} relative />
                  </Table.Td>
                  <Table.Td>
                    {manage && u.id !== session.user.id && (
                      <Menu position="bottom-end" withinPortal>
                        <Menu.Target>
                          <ActionIcon
                            variant="subtle"
                            color="gray"
                            aria-label="User actions"
                            data-testid="user-actions"
                          >
                            ⋯
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Item onClick={() => setEditing(u)}>Edit name / role</Menu.Item>
                          <Menu.Item onClick={() => setResetting(u)}>Reset password</Menu.Item>
                          <Menu.Item
                            color={u.status === 'active' ? 'red' : 'green'}
                            onClick={() => setToggling(u)}
                            data-testid="user-toggle"
                          >
                            {u.status === 'active' ? 'Disable' : 'Enable'}
                          </Menu.Item>
                        </Menu.Dropdown>
                      </Menu>
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
      <Modal opened={creating} onClose={() => setCreating(false)} title="New user">
        {creating && <CreateUserForm onDone={() => setCreating(false)} />}
      </Modal>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={`Edit ${editing?.name ?? ''}`}>
        {editing && <EditUserForm user={editing} onDone={() => setEditing(null)} />}
      </Modal>
      <Modal
        opened={resetting !== null}
        onClose={() => setResetting(null)}
        title={`Reset password of ${resetting?.name ?? ''}`}
      >
        {resetting && <ResetPasswordForm user={resetting} onDone={() => setResetting(null)} />}
      </Modal>
      <ReasonModal
        title={toggling ? `${toggling.status === 'active' ? 'Disable' : 'Enable'} ${toggling.name}` : ''}
        opened={toggling !== null}
        onClose={() => setToggling(null)}
        label="Reason (optional)"
        required={false}
        confirm={toggling?.status === 'active' ? 'Disable' : 'Enable'}
        color={toggling?.status === 'active' ? 'red' : 'green'}
        invalidate={[['users']]}
        onSubmit={async (reason) => {
          if (!toggling) return;
          const body = { reason: reason || undefined };
          if (toggling.status === 'active')
            await api.post('/api/v1/users/{id}/disable', { path: { id: toggling.id }, body });
          else await api.post('/api/v1/users/{id}/enable', { path: { id: toggling.id }, body });
        }}
      >
        {toggling?.status === 'active' && (
          <Text size="sm">Their sessions end at once and they cannot sign in until enabled again.</Text>
        )}
      </ReasonModal>
    </>
  );
}

function OneTimePassword({ value }: { value: string }) {
  return (
    <Alert color="yellow" title="One-time password — shown only now" data-testid="one-time-password">
      <Stack gap={4}>
        <Copyable value={value} />
        <Text size="xs">
          Give it to the user over a safe channel. They must choose their own password at first sign-in.
        </Text>
      </Stack>
    </Alert>
  );
}

function CreateUserForm({ onDone }: { onDone: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  const [otp, setOtp] = useState<string | null>(null);
  const [v, setV] = useState({
    name: '',
    email: '',
    role: 'bdm' as User['role'],
    password: '',
    partnerId: '',
  });
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const r = await api.post('/api/v1/users', {
        body: {
          name: v.name.trim(),
          email: v.email.trim(),
          role: v.role,
          password: v.password || undefined,
          partnerId: v.role === 'partner' ? v.partnerId.trim() || null : undefined,
        },
      });
      await qc.invalidateQueries({ queryKey: ['users'] });
      notifications.show({ color: 'green', message: `User ${r.user.name} created` });
      if (r.oneTimePassword) setOtp(r.oneTimePassword);
      else onDone();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  if (otp)
    return (
      <Stack>
        <OneTimePassword value={otp} />
        <Group justify="flex-end">
          <Button onClick={onDone}>Done</Button>
        </Group>
      </Stack>
    );
  return (
    <form onSubmit={submit} noValidate data-testid="user-form">
      <Stack gap="sm">
        <FormError errors={errors} shown={['name', 'email', 'role', 'password', 'partnerId']} />
        <TextInput
          label="Name"
          required
          data-autofocus
          value={v.name}
          onChange={(e) => setV({ ...v, name: e.currentTarget.value })}
          error={errors.field('name')}
          data-testid="user-name"
        />
        <TextInput
          label="Email"
          required
          value={v.email}
          onChange={(e) => setV({ ...v, email: e.currentTarget.value })}
          error={errors.field('email')}
          data-testid="user-email"
        />
        <SimpleGrid cols={2} spacing="sm">
          <Select
            label="Role"
            data={ROLE_OPTIONS}
            value={v.role}
            onChange={(r) => r && setV({ ...v, role: r as User['role'] })}
            allowDeselect={false}
            error={errors.field('role')}
            data-testid="user-role-select"
          />
          {v.role === 'partner' && (
            <TextInput
              label="Partner id"
              description="The partner this user belongs to"
              value={v.partnerId}
              onChange={(e) => setV({ ...v, partnerId: e.currentTarget.value })}
              error={errors.field('partnerId')}
            />
          )}
        </SimpleGrid>
        <PasswordInput
          label="Password"
          description="Leave empty to generate a one-time password"
          autoComplete="new-password"
          value={v.password}
          onChange={(e) => setV({ ...v, password: e.currentTarget.value })}
          error={errors.field('password')}
          data-testid="user-password"
        />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} data-testid="user-submit">
            Create user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function EditUserForm({ user, onDone }: { user: User; onDone: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState<User['role']>(user.role);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      await api.patch('/api/v1/users/{id}', { path: { id: user.id }, body: { name: name.trim(), role } });
      await qc.invalidateQueries({ queryKey: ['users'] });
      onDone();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <FormError errors={errors} shown={['name', 'role']} />
        <TextInput
          label="Name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.field('name')}
        />
        <Select
          label="Role"
          data={ROLE_OPTIONS}
          value={role}
          onChange={(r) => r && setRole(r as User['role'])}
          allowDeselect={false}
          error={errors.field('role')}
        />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ResetPasswordForm({ user, onDone }: { user: User; onDone: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  const [password, setPassword] = useState('');
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      await api.post('/api/v1/users/{id}/password', { path: { id: user.id }, body: { password } });
      await qc.invalidateQueries({ queryKey: ['users'] });
      notifications.show({
        color: 'green',
        message: `Password of ${user.name} reset; they must choose a new one at sign-in.`,
      });
      onDone();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <FormError errors={errors} shown={['password']} />
        <Text size="sm">
          Their sessions end now, and they must choose their own password when they next sign in.
        </Text>
        <PasswordInput
          label="Temporary password"
          autoComplete="new-password"
          data-autofocus
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={errors.field('password')}
        />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" color="orange" loading={busy} disabled={!password}>
            Reset password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
