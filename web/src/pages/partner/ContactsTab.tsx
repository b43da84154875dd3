// Contacts: the people at the partner, by role; one of them is the primary contact.
import {
  ActionIcon,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, asApiError } from '../../api/client';
import type { Contact, Partner } from '../../api/types';
import { FormError } from '../../components/FormError';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { humanize } from '../../lib/format';
import { orNull, useFormErrors } from '../../lib/forms';
import { useSession } from '../../lib/session';

const CONTACT_ROLES = [
  'primary',
  'billing',
  'technical',
  'compliance',
  'marketing',
  'signatory',
  'other',
] as const satisfies readonly Contact['role'][];

export function ContactsTab({ partner }: { partner: Partner }) {
  const { can } = useSession();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Contact | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Contact | null>(null);
  const q = useQuery({
    queryKey: ['partner', partner.id, 'contacts'],
    queryFn: () =>
      api.get('/api/v1/partners/{id}/contacts', { path: { id: partner.id }, query: { limit: 200 } }),
  });
  const contacts = q.data?.data ?? [];
  const canWrite = can('contacts.write') && !partner.archivedAt;

  async function makePrimary(c: Contact) {
    try {
      await api.patch('/api/v1/partners/{id}/contacts/{contactId}', {
        path: { id: partner.id, contactId: c.id },
        body: { isPrimary: true },
      });
      await qc.invalidateQueries({ queryKey: ['partner', partner.id] });
      notifications.show({ color: 'green', message: `${c.name} is now the primary contact` });
    } catch (err) {
      notifications.show({
        color: 'red',
        title: 'Could not change the primary contact',
        message: asApiError(err).detail,
      });
    }
  }

  return (
    <Stack gap="sm">
      <Group justify="flex-end">
        {canWrite && (
          <Button onClick={() => setEditing('new')} data-testid="add-contact">
            Add contact
          </Button>
        )}
      </Group>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={5} rows={3} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : contacts.length === 0 ? (
          <EmptyState
            title="No contacts yet"
            action={
              canWrite ? (
                <Button variant="light" onClick={() => setEditing('new')}>
                  Add the first contact
                </Button>
              ) : undefined
            }
          >
            Add the people you deal with: primary, billing, technical, compliance, signatory.
          </EmptyState>
        ) : (
          <Table data-testid="contacts-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Email</Table.Th>
                <Table.Th>Phone</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {contacts.map((c) => (
                <Table.Tr key={c.id} data-testid="contact-row">
                  <Table.Td>
                    <Group gap={6}>
                      <Text size="sm" fw={500}>
                        {c.name}
                      </Text>
                      {c.isPrimary && (
                        <Badge size="xs" color="blue" data-testid="contact-primary">
                          primary
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>{humanize(c.role)}</Table.Td>
                  <Table.Td>{c.email ? <a href={`mailto:${c.email}`}>{c.email}</a> : '—'}</Table.Td>
                  <Table.Td>{c.phone ?? '—'}</Table.Td>
                  <Table.Td>
                    {canWrite && (
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        {!c.isPrimary && (
                          <Button
                            size="compact-xs"
                            variant="subtle"
                            onClick={() => void makePrimary(c)}
                            data-testid="contact-make-primary"
                          >
                            Make primary
                          </Button>
                        )}
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          onClick={() => setEditing(c)}
                          data-testid="contact-edit"
                        >
                          Edit
                        </Button>
                        <Tooltip label="Delete">
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            onClick={() => setDeleting(c)}
                            aria-label="Delete contact"
                            data-testid="contact-delete"
                          >
                            ✕
                          </ActionIcon>
                        </Tooltip>
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
        title={editing === 'new' ? 'Add contact' : 'Edit contact'}
      >
        {editing !== null && (
          <ContactForm
            partnerId={partner.id}
            contact={editing === 'new' ? null : editing}
            onDone={() => setEditing(null)}
          />
        )}
      </Modal>
      <DeleteContact partnerId={partner.id} contact={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}

function DeleteContact({
  partnerId,
  contact,
  onClose,
}: {
  partnerId: string;
  contact: Contact | null;
  onClose: () => void;
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  return (
    <Modal opened={contact !== null} onClose={onClose} title="Delete contact">
      <Stack gap="sm">
        <FormError errors={errors} />
        <Text size="sm">
          Delete <b>{contact?.name}</b>? The timeline keeps a record of the change.
        </Text>
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={busy}
            data-testid="contact-delete-confirm"
            onClick={async () => {
              if (!contact) return;
              setBusy(true);
              errors.clear();
              try {
                await api.delete('/api/v1/partners/{id}/contacts/{contactId}', {
                  path: { id: partnerId, contactId: contact.id },
                });
                await qc.invalidateQueries({ queryKey: ['partner', partnerId] });
                onClose();
              } catch (err) {
                errors.set(err);
              } finally {
                setBusy(false);
              }
            }}
          >
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function ContactForm({
  partnerId,
  contact,
  onDone,
}: {
  partnerId: string;
  contact: Contact | null;
  onDone: () => void;
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  const [v, setV] = useState({
    name: contact?.name ?? '',
    email: contact?.email ?? '',
    phone: contact?.phone ?? '',
    role: (contact?.role ?? 'primary') as Contact['role'],
    isPrimary: contact?.isPrimary ?? false,
  });
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    const body = {
      name: v.name.trim(),
      email: orNull(v.email),
      phone: orNull(v.phone),
      role: v.role,
      isPrimary: v.isPrimary,
    };
    try {
      if (contact)
        await api.patch('/api/v1/partners/{id}/contacts/{contactId}', {
          path: { id: partnerId, contactId: contact.id },
          body,
        });
      else await api.post('/api/v1/partners/{id}/contacts', { path: { id: partnerId }, body });
      await qc.invalidateQueries({ queryKey: ['partner', partnerId] });
      onDone();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} noValidate data-testid="contact-form">
      <Stack gap="sm">
        <FormError errors={errors} shown={['name', 'email', 'phone', 'role', 'isPrimary']} />
        <TextInput
          label="Name"
          required
          data-autofocus
          value={v.name}
          onChange={(e) => setV({ ...v, name: e.currentTarget.value })}
          error={errors.field('name')}
          data-testid="contact-name"
        />
        <SimpleGrid cols={2} spacing="sm">
          <TextInput
            label="Email"
            value={v.email}
            onChange={(e) => setV({ ...v, email: e.currentTarget.value })}
            error={errors.field('email')}
            data-testid="contact-email"
          />
          <TextInput
            label="Phone"
            value={v.phone}
            onChange={(e) => setV({ ...v, phone: e.currentTarget.value })}
            error={errors.field('phone')}
            data-testid="contact-phone"
          />
          <Select
            label="Role"
            data={CONTACT_ROLES.map((r) => ({ value: r, label: humanize(r) }))}
            value={v.role}
            onChange={(r) => r && setV({ ...v, role: r as Contact['role'] })}
            allowDeselect={false}
            error={errors.field('role')}
            data-testid="contact-role"
          />
          <Checkbox
            mt={28}
            label="Primary contact"
            checked={v.isPrimary}
            onChange={(e) => setV({ ...v, isPrimary: e.currentTarget.checked })}
          />
        </SimpleGrid>
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} data-testid="contact-submit">
            {contact ? 'Save' : 'Add contact'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
