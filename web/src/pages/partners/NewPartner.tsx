// "New partner": the few fields needed to start an intake; everything else is filled on the profile, where
// the mandatory-fields panel says what the next stage needs.
import { Button, Group, Modal, Select, SimpleGrid, Stack, TagsInput, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import type { PartnerCreate } from '../../api/types';
import { FormError } from '../../components/FormError';
import { orNull, useFormErrors } from '../../lib/forms';
import { COUNTRY_OPTIONS, options, PARTNER_KINDS, PARTNER_TYPES, TYPE_LABELS } from '../../lib/reference';
import { navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { OWNER_ROLES, useOwnerOptions } from './owners';
import { ParentPicker } from './ParentPicker';

const SHOWN = [
  'displayName',
  'legalName',
  'kind',
  'type',
  'country',
  'email',
  'phone',
  'ownerId',
  'parentId',
  'tags',
];

export function NewPartnerButton() {
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button onClick={open} data-testid="new-partner">
        New partner
      </Button>
      <Modal opened={opened} onClose={close} title="New partner" size="lg" closeOnEscape>
        {opened && <NewPartnerForm onDone={close} />}
      </Modal>
    </>
  );
}

function NewPartnerForm({ onDone }: { onDone: () => void }) {
  const qc = useQueryClient();
  const { session } = useSession();
  const owners = useOwnerOptions();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  const meCanOwn = session.via === 'session' && OWNER_ROLES.includes(session.user.role);
  const [v, setV] = useState({
    displayName: '',
    legalName: '',
    kind: 'company' as PartnerCreate['kind'],
    type: 'affiliate' as PartnerCreate['type'],
    country: null as string | null,
    email: '',
    phone: '',
    ownerId: meCanOwn ? session.user.id : (null as string | null),
    parentId: null as string | null,
    tags: [] as string[],
  });
  const set = <K extends keyof typeof v>(k: K, value: (typeof v)[K]) => setV((s) => ({ ...s, [k]: value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const body: PartnerCreate = {
        displayName: v.displayName.trim(),
        legalName: orNull(v.legalName),
        kind: v.kind,
        type: v.type,
        country: v.country,
        email: orNull(v.email),
        phone: orNull(v.phone),
        ownerId: v.ownerId,
        parentId: v.parentId,
        tags: v.tags,
      };
      const created = await api.post('/api/v1/partners', { body });
      await qc.invalidateQueries({ queryKey: ['partners'] });
      notifications.show({ color: 'green', message: `Partner ${created.displayName} created` });
      onDone();
      navigate(`/partners/${created.id}`);
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate data-testid="new-partner-form">
      <Stack gap="sm">
        <FormError errors={errors} shown={SHOWN} />
        <TextInput
          label="Display name"
          required
          data-autofocus
          value={v.displayName}
          onChange={(e) => set('displayName', e.currentTarget.value)}
          error={errors.field('displayName')}
          data-testid="field-displayName"
        />
        <SimpleGrid cols={2} spacing="sm">
          <Select
            label="Type"
            data={options(PARTNER_TYPES, TYPE_LABELS)}
            value={v.type}
            onChange={(x) => x && set('type', x as PartnerCreate['type'])}
            allowDeselect={false}
            error={errors.field('type')}
            data-testid="field-type"
          />
          <Select
            label="Kind"
            data={options(PARTNER_KINDS)}
            value={v.kind}
            onChange={(x) => x && set('kind', x as PartnerCreate['kind'])}
            allowDeselect={false}
            error={errors.field('kind')}
            data-testid="field-kind"
          />
          <TextInput
            label="Legal name"
            value={v.legalName}
            onChange={(e) => set('legalName', e.currentTarget.value)}
            error={errors.field('legalName')}
            data-testid="field-legalName"
          />
          <Select
            label="Country"
            data={COUNTRY_OPTIONS}
            value={v.country}
            onChange={(x) => set('country', x)}
            searchable
            clearable
            error={errors.field('country')}
            data-testid="field-country"
          />
          <TextInput
            label="Email"
            type="email"
            value={v.email}
            onChange={(e) => set('email', e.currentTarget.value)}
            error={errors.field('email')}
            data-testid="field-email"
          />
          <TextInput
            label="Phone"
            value={v.phone}
            onChange={(e) => set('phone', e.currentTarget.value)}
            error={errors.field('phone')}
            data-testid="field-phone"
          />
          <Select
            label="Owner (BDM)"
            data={owners.options}
            value={v.ownerId}
            onChange={(x) => set('ownerId', x)}
            searchable
            clearable
            error={errors.field('ownerId')}
            data-testid="field-ownerId"
          />
          <ParentPicker
            value={v.parentId}
            onChange={(x) => set('parentId', x)}
            error={errors.field('parentId')}
          />
        </SimpleGrid>
        <TagsInput
          label="Tags"
          description="Lower-case words, Enter after each"
          value={v.tags}
          onChange={(x) =>
            set(
              'tags',
              x.map((t) => t.trim().toLowerCase()),
            )
          }
          error={errors.field('tags') ?? errors.under('tags')[0]}
          data-testid="field-tags"
        />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} data-testid="create-partner-submit">
            Create partner
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
