// Profile: every field of the partner record, editable in place (PATCH with the version read, so two people
// cannot overwrite each other), with the fields the mandatory-field policy still needs marked.
import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Grid,
  Group,
  MultiSelect,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { api } from '../../api/client';
import type { MandatoryEvaluation, Partner, PartnerPatch } from '../../api/types';
import { DateTime } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { humanize } from '../../lib/format';
import { orNull, useFormErrors } from '../../lib/forms';
import {
  COUNTRY_OPTIONS,
  LANGUAGE_OPTIONS,
  options,
  PARTNER_KINDS,
  PARTNER_TIERS,
  PARTNER_TYPES,
  TRAFFIC_SOURCES,
  TYPE_LABELS,
} from '../../lib/reference';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useOwnerOptions } from '../partners/owners';
import { ParentPicker } from '../partners/ParentPicker';
import { focusField, MandatoryPanel } from './MandatoryPanel';

type CustomValue = string | number | boolean | null;

interface Draft {
  displayName: string;
  legalName: string;
  kind: Partner['kind'];
  type: Partner['type'];
  parentId: string | null;
  country: string | null;
  languages: string[];
  websites: string[];
  trafficSources: string[];
  email: string;
  phone: string;
  ownerId: string | null;
  tier: string | null;
  referralCode: string;
  tags: string[];
  customFields: Record<string, CustomValue>;
}

function draftOf(p: Partner): Draft {
  return {
    displayName: p.displayName,
    legalName: p.legalName ?? '',
    kind: p.kind,
    type: p.type,
    parentId: p.parentId,
    country: p.country,
    languages: [...p.languages],
    websites: [...p.websites],
    trafficSources: [...p.trafficSources],
    email: p.email ?? '',
    phone: p.phone ?? '',
    ownerId: p.ownerId,
    tier: p.tier,
    referralCode: p.referralCode,
    tags: [...p.tags],
    customFields: { ...(p.customFields as Record<string, CustomValue>) },
  };
}

/** Only what changed, in the API's shape. */
function patchOf(p: Partner, d: Draft): Omit<PartnerPatch, 'version'> {
  const out: Record<string, unknown> = {};
  const before = draftOf(p);
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const k of Object.keys(d) as (keyof Draft)[]) {
    if (k === 'customFields') continue;
    if (same(before[k], d[k])) continue;
    const v = d[k];
    if (k === 'legalName' || k === 'email' || k === 'phone') out[k] = orNull(v as string);
    else if (k === 'displayName' || k === 'referralCode') out[k] = (v as string).trim();
    else out[k] = v;
  }
  const custom: Record<string, CustomValue> = {};
  const keys = new Set([...Object.keys(before.customFields), ...Object.keys(d.customFields)]);
  for (const key of keys) {
    const a = before.customFields[key] ?? null;
    let b = d.customFields[key] ?? null;
    if (typeof b === 'string' && b.trim() === '') b = null;
    if (!same(a, b)) custom[key] = b;
  }
  if (Object.keys(custom).length > 0) out.customFields = custom;
  return out as Omit<PartnerPatch, 'version'>;
}

export function ProfileTab({
  partner,
  evaluation,
}: {
  partner: Partner;
  evaluation: MandatoryEvaluation | undefined;
}) {
  const qc = useQueryClient();
  const { can, session } = useSession();
  const owners = useOwnerOptions();
  const errors = useFormErrors();
  const [draft, setDraft] = useState<Draft>(() => draftOf(partner));
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState(false);
  const customDefs = useQuery({
    queryKey: ['custom-fields'],
    queryFn: () => api.get('/api/v1/custom-fields'),
    staleTime: 5 * 60_000,
  });

  const canEdit =
    !partner.archivedAt &&
    can('partners.update') &&
    (can('partners.update_any') || (session.via === 'session' && partner.ownerId === session.user.id));

  // A fresh read of the partner (after saving, or someone else's change) resets the form, unless it is dirty.
  const patch = useMemo(() => patchOf(partner, draft), [partner, draft]);
  const dirty = Object.keys(patch).length > 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset only when the stored version changes
  useEffect(() => {
    if (!dirty) setDraft(draftOf(partner));
  }, [partner.version]);

  const missing = new Map<string, string>();
  for (const f of evaluation?.stage.missing ?? [])
    missing.set(f.field, `Required for ${humanize(evaluation?.stage.stage)}`);
  for (const f of evaluation?.next?.missing ?? [])
    if (!missing.has(f.field))
      missing.set(f.field, `Required for ${humanize(evaluation?.next?.stage)} (next stage)`);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((s) => ({ ...s, [k]: v }));

  async function save() {
    if (!dirty || busy) return;
    setBusy(true);
    errors.clear();
    setConflict(false);
    try {
      const updated = await api.patch('/api/v1/partners/{id}', {
        path: { id: partner.id },
        body: { ...patch, version: partner.version },
      });
      qc.setQueryData(['partner', partner.id], updated);
      setDraft(draftOf(updated));
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['partner', partner.id] }),
        qc.invalidateQueries({ queryKey: ['partners'] }),
      ]);
      notifications.show({ color: 'green', message: 'Saved' });
    } catch (err) {
      errors.set(err);
      if ((err as { status?: number }).status === 409) setConflict(true);
    } finally {
      setBusy(false);
    }
  }

  useHotkeys([['mod+S', () => void save()]], [], true);

  const wrap = (field: string, node: ReactNode) => (
    <div data-field={field} className={missing.has(field) ? 'pd-missing' : undefined}>
      {node}
    </div>
  );
  const desc = (field: string, extra?: string) => {
    const m = missing.get(field);
    if (!m) return extra;
    return (
      <Text span size="xs" c="orange.8" fw={500}>
        ● {m}
      </Text>
    );
  };

  const goTo = (field: string) => {
    if (field.startsWith('contact.') || field.startsWith('document.')) {
      const tab = field.startsWith('contact.') ? 'contacts' : 'documents';
      window.history.pushState(null, '', `/partners/${partner.id}/${tab}`);
      window.dispatchEvent(new PopStateEvent('popstate'));
      return;
    }
    focusField(field);
  };

  const defs = (customDefs.data?.data ?? []).filter(
    (d) => !d.archivedAt && (d.partnerTypes.length === 0 || d.partnerTypes.includes(draft.type)),
  );

  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, lg: 8 }}>
        <Paper withBorder p="md">
          <fieldset disabled={!canEdit} style={{ border: 0, padding: 0, margin: 0 }}>
            <Stack gap="sm">
              {conflict && (
                <Alert color="orange" title="Someone else changed this partner" data-testid="conflict">
                  Your changes were not saved. Reload to see the current record, then apply your edit again.
                  <Group mt="xs">
                    <Button
                      size="xs"
                      variant="light"
                      onClick={() => {
                        setConflict(false);
                        errors.clear();
                        void qc
                          .invalidateQueries({ queryKey: ['partner', partner.id] })
                          .then(() => setDraft(draftOf(partner)));
                      }}
                    >
                      Reload (discard my changes)
                    </Button>
                  </Group>
                </Alert>
              )}
              {!conflict && <FormError errors={errors} shown={Object.keys(draft)} />}
              <Title order={5}>Identity</Title>
              <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
                {wrap(
                  'displayName',
                  <TextInput
                    label="Display name"
                    required
                    value={draft.displayName}
                    onChange={(e) => set('displayName', e.currentTarget.value)}
                    error={errors.field('displayName')}
                    data-testid="field-displayName"
                  />,
                )}
                {wrap(
                  'legalName',
                  <TextInput
                    label="Legal name"
                    description={desc('legalName')}
                    value={draft.legalName}
                    onChange={(e) => set('legalName', e.currentTarget.value)}
                    error={errors.field('legalName')}
                    data-testid="field-legalName"
                  />,
                )}
                {wrap(
                  'referralCode',
                  <TextInput
                    label="Referral code"
                    value={draft.referralCode}
                    onChange={(e) => set('referralCode', e.currentTarget.value)}
                    error={errors.field('referralCode')}
                    classNames={{ input: 'pd-mono' }}
                    data-testid="field-referralCode"
                  />,
                )}
                <Select
                  label="Type"
                  data={options(PARTNER_TYPES, TYPE_LABELS)}
                  value={draft.type}
                  onChange={(v) => v && set('type', v as Partner['type'])}
                  allowDeselect={false}
                  error={errors.field('type')}
                  disabled={!canEdit}
                  data-testid="field-type"
                />
                <Select
                  label="Kind"
                  data={options(PARTNER_KINDS)}
                  value={draft.kind}
                  onChange={(v) => v && set('kind', v as Partner['kind'])}
                  allowDeselect={false}
                  error={errors.field('kind')}
                  disabled={!canEdit}
                  data-testid="field-kind"
                />
                {wrap(
                  'tier',
                  <Select
                    label="Tier"
                    description={desc('tier')}
                    data={options(PARTNER_TIERS)}
                    value={draft.tier}
                    onChange={(v) => set('tier', v)}
                    clearable
                    error={errors.field('tier')}
                    disabled={!canEdit}
                    data-testid="field-tier"
                  />,
                )}
              </SimpleGrid>

              <Title order={5} mt="xs">
                Relationship
              </Title>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                {wrap(
                  'ownerId',
                  <Select
                    label="Owner (BDM)"
                    description={desc('ownerId')}
                    data={
                      partner.ownerId && !owners.options.some((o) => o.value === partner.ownerId)
                        ? [
                            { value: partner.ownerId, label: partner.ownerName ?? partner.ownerId },
                            ...owners.options,
                          ]
                        : owners.options
                    }
                    value={draft.ownerId}
                    onChange={(v) => set('ownerId', v)}
                    searchable
                    clearable
                    error={errors.field('ownerId')}
                    disabled={!canEdit}
                    data-testid="field-ownerId"
                  />,
                )}
                {wrap(
                  'parentId',
                  <ParentPicker
                    value={draft.parentId}
                    current={partner.parent}
                    excludeId={partner.id}
                    onChange={(v) => set('parentId', v)}
                    error={errors.field('parentId') ?? missing.get('parentId')}
                  />,
                )}
              </SimpleGrid>
              <Group gap="lg">
                {partner.parent && (
                  <Text size="sm">
                    Parent IB:{' '}
                    <Anchor
                      component={Link}
                      to={`/partners/${partner.parent.id}`}
                      size="sm"
                      data-testid="parent-link"
                    >
                      {partner.parent.displayName}
                    </Anchor>
                  </Text>
                )}
                <Text size="sm">
                  Sub-partners:{' '}
                  {partner.childrenCount > 0 ? (
                    <Anchor component={Link} to={`/partners?parentId=${partner.id}&archived=all`} size="sm">
                      {partner.childrenCount}
                    </Anchor>
                  ) : (
                    <Text span c="dimmed" size="sm">
                      none
                    </Text>
                  )}
                </Text>
              </Group>

              <Title order={5} mt="xs">
                Contact and reach
              </Title>
              <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
                {wrap(
                  'email',
                  <TextInput
                    label="Email"
                    description={desc('email')}
                    value={draft.email}
                    onChange={(e) => set('email', e.currentTarget.value)}
                    error={errors.field('email')}
                    data-testid="field-email"
                  />,
                )}
                {wrap(
                  'phone',
                  <TextInput
                    label="Phone"
                    description={desc('phone')}
                    value={draft.phone}
                    onChange={(e) => set('phone', e.currentTarget.value)}
                    error={errors.field('phone')}
                    data-testid="field-phone"
                  />,
                )}
                {wrap(
                  'country',
                  <Select
                    label="Country"
                    description={desc('country')}
                    data={COUNTRY_OPTIONS}
                    value={draft.country}
                    onChange={(v) => set('country', v)}
                    searchable
                    clearable
                    error={errors.field('country')}
                    disabled={!canEdit}
                    data-testid="field-country"
                  />,
                )}
                {wrap(
                  'languages',
                  <MultiSelect
                    label="Languages"
                    description={desc('languages')}
                    data={withValues(LANGUAGE_OPTIONS, draft.languages)}
                    value={draft.languages}
                    onChange={(v) => set('languages', v)}
                    searchable
                    error={errors.field('languages') ?? errors.under('languages')[0]}
                    disabled={!canEdit}
                    data-testid="field-languages"
                  />,
                )}
                {wrap(
                  'trafficSources',
                  <MultiSelect
                    label="Traffic sources"
                    description={desc('trafficSources')}
                    data={options(TRAFFIC_SOURCES, { seo: 'SEO', ppc: 'PPC' })}
                    value={draft.trafficSources}
                    onChange={(v) => set('trafficSources', v)}
                    error={errors.field('trafficSources') ?? errors.under('trafficSources')[0]}
                    disabled={!canEdit}
                    data-testid="field-trafficSources"
                  />,
                )}
                {wrap(
                  'websites',
                  <TagsInput
                    label="Websites"
                    description={desc('websites', 'https://… then Enter')}
                    value={draft.websites}
                    onChange={(v) =>
                      set(
                        'websites',
                        v.map((w) => w.trim()),
                      )
                    }
                    error={errors.field('websites') ?? errors.under('websites')[0]}
                    disabled={!canEdit}
                    data-testid="field-websites"
                  />,
                )}
              </SimpleGrid>
              <TagsInput
                label="Tags"
                description="Lower-case words, Enter after each"
                value={draft.tags}
                onChange={(v) =>
                  set(
                    'tags',
                    v.map((t) => t.trim().toLowerCase()),
                  )
                }
                error={errors.field('tags') ?? errors.under('tags')[0]}
                disabled={!canEdit}
                data-testid="field-tags"
              />

              <Title order={5} mt="xs">
                Custom fields
              </Title>
              {customDefs.isPending ? (
                <Text size="sm" c="dimmed">
                  Loading…
                </Text>
              ) : defs.length === 0 ? (
                <Text size="sm" c="dimmed">
                  No custom fields apply to {TYPE_LABELS[draft.type] ?? draft.type} partners.
                  {can('policy.manage') && (
                    <>
                      {' '}
                      <Anchor component={Link} to="/admin/custom-fields" size="sm">
                        Define custom fields
                      </Anchor>
                    </>
                  )}
                </Text>
              ) : (
                <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
                  {defs.map((d) => {
                    const field = `custom.${d.key}`;
                    const value = draft.customFields[d.key] ?? null;
                    const onValue = (v: CustomValue) =>
                      set('customFields', { ...draft.customFields, [d.key]: v });
                    const err = errors.field(`customFields.${d.key}`);
                    const common = {
                      label: d.label,
                      description: desc(field),
                      error: err,
                      'data-testid': `field-custom-${d.key}`,
                    };
                    let input: ReactNode;
                    if (d.type === 'number')
                      input = (
                        <NumberInput
                          {...common}
                          value={typeof value === 'number' ? value : ''}
                          onChange={(v) => onValue(v === '' ? null : Number(v))}
                          disabled={!canEdit}
                        />
                      );
                    else if (d.type === 'boolean')
                      input = (
                        <Checkbox
                          mt={24}
                          label={d.label}
                          description={desc(field)}
                          checked={value === true}
                          onChange={(e) => onValue(e.currentTarget.checked)}
                          error={err}
                          data-testid={`field-custom-${d.key}`}
                        />
                      );
                    else if (d.type === 'select')
                      input = (
                        <Select
                          {...common}
                          data={d.options}
                          value={typeof value === 'string' ? value : null}
                          onChange={(v) => onValue(v)}
                          clearable
                          disabled={!canEdit}
                        />
                      );
                    else
                      input = (
                        <TextInput
                          {...common}
                          type={d.type === 'date' ? 'date' : 'text'}
                          value={value === null ? '' : String(value)}
                          onChange={(e) => onValue(e.currentTarget.value)}
                        />
                      );
                    return (
                      <div
                        key={d.key}
                        data-field={field}
                        className={missing.has(field) ? 'pd-missing' : undefined}
                      >
                        {input}
                      </div>
                    );
                  })}
                </SimpleGrid>
              )}
            </Stack>
          </fieldset>
          {canEdit && (
            <Group justify="flex-end" mt="md" gap="xs">
              {dirty && (
                <Text size="xs" c="dimmed">
                  Unsaved changes · Ctrl/⌘+S saves
                </Text>
              )}
              <Button
                variant="default"
                disabled={!dirty || busy}
                onClick={() => {
                  errors.clear();
                  setDraft(draftOf(partner));
                }}
              >
                Discard
              </Button>
              <Button onClick={() => void save()} disabled={!dirty} loading={busy} data-testid="save-partner">
                Save changes
              </Button>
            </Group>
          )}
          {!canEdit && !partner.archivedAt && (
            <Text size="xs" c="dimmed" mt="sm">
              Read only: you can change only partners you own, unless your role may change any partner.
            </Text>
          )}
        </Paper>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 4 }}>
        <Stack gap="md">
          {evaluation && <MandatoryPanel evaluation={evaluation} onGoTo={goTo} />}
          <Paper withBorder p="sm">
            <Stack gap={4}>
              <Row label="Partner id">
                <Text className="pd-mono">{partner.id}</Text>
              </Row>
              <Row label="Created">
                <DateTime iso={partner.createdAt} />
              </Row>
              <Row label="Updated">
                <DateTime iso={partner.updatedAt} />
              </Row>
              <Row label="Version">
                <Text size="sm">{partner.version}</Text>
              </Row>
            </Stack>
          </Paper>
        </Stack>
      </Grid.Col>
    </Grid>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      {children}
    </Group>
  );
}

function withValues(data: { value: string; label: string }[], values: string[]) {
  const missing = values.filter((v) => !data.some((d) => d.value === v)).map((v) => ({ value: v, label: v }));
  return [...data, ...missing];
}
