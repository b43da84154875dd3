// Due diligence (KYC for individuals, KYB for companies), run by Compliance: registration or identity and
// address documents, directors/shareholders/beneficial owners, screening results recorded from the firm's
// screening tool, marketing methods and target countries checked against the restricted list of the
// regulated entity, website reviews, documentation requests (which pause the SLA clock) and the decision.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  List,
  Modal,
  MultiSelect,
  Paper,
  Radio,
  SegmentedControl,
  Select,
  Stack,
  Table,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { api, type BodyOf } from '../../api/client';
import type { DocumentationRequest, DueDiligenceCase, DueDiligenceParty, Partner } from '../../api/types';
import { DateTime } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { BlockSkeleton, ErrorState } from '../../components/states';
import { formatBps, formatDate, humanize, intToDecimal, parseDecimalToInt, todayIso } from '../../lib/format';
import { type FormErrors, orNull, useFormErrors } from '../../lib/forms';
import { COUNTRY_OPTIONS, countryName, options, TRAFFIC_SOURCES } from '../../lib/reference';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { usePartnerDocumentOptions } from './partner-docs';

type Case = DueDiligenceCase;
const STATUS_COLORS: Record<string, string> = {
  none: 'gray',
  open: 'blue',
  more_requested: 'orange',
  approved: 'green',
  rejected: 'red',
};
const RESULT_COLORS: Record<string, string> = { clear: 'green', possible_match: 'orange', true_match: 'red' };
const OUTCOME_COLORS: Record<string, string> = { pass: 'green', issues: 'orange', fail: 'red' };

function ddKeys(partnerId: string): unknown[][] {
  return [['partner', partnerId, 'dd'], ['onboarding', partnerId], ['pipeline']];
}

/** Runs a write, refreshes the case and the gate, and reports failures into the form's errors. */
function useSubmit(partnerId: string, errors: FormErrors) {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>, message: string): Promise<boolean> => {
    setBusy(true);
    errors.clear();
    try {
      await fn();
      await Promise.all(ddKeys(partnerId).map((k) => qc.invalidateQueries({ queryKey: k })));
      notifications.show({ color: 'green', message });
      return true;
    } catch (err) {
      errors.set(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, run };
}

export function DueDiligenceTab({ partner }: { partner: Partner }) {
  const { can } = useSession();
  const q = useQuery({
    queryKey: ['partner', partner.id, 'dd'],
    queryFn: () => api.get('/api/v1/partners/{id}/due-diligence', { path: { id: partner.id } }),
  });
  if (q.isPending) return <BlockSkeleton lines={8} />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const state = q.data;
  const c = state.case;
  const manage = can('dd.manage') && !partner.archivedAt;
  const decided = c ? c.status === 'approved' || c.status === 'rejected' : true;
  const editable = manage && c !== null && !decided;

  return (
    <Stack gap="md" data-testid="dd-tab" data-status={state.status}>
      <Paper withBorder p="sm">
        <Group justify="space-between" align="flex-start">
          <div>
            <Group gap="xs">
              <Title order={5}>Due diligence</Title>
              <Badge color={STATUS_COLORS[state.status]} variant="light" data-testid="dd-status">
                {humanize(state.status)}
              </Badge>
              {c && (
                <Badge variant="outline">{c.kind === 'kyb' ? 'KYB (company)' : 'KYC (individual)'}</Badge>
              )}
            </Group>
            {c ? (
              <Text size="sm" c="dimmed">
                Opened <DateTime iso={c.openedAt} /> by {c.openedBy.name} · regulated entity{' '}
                <b>{c.regulatedEntity ?? 'not set'}</b>
                {c.regulatedEntitySource === 'partner_field' && ' (from the partner record)'}
              </Text>
            ) : (
              <Text size="sm" c="dimmed">
                No case yet. Compliance opens one: KYC for an individual, KYB for a company.
              </Text>
            )}
          </div>
          {manage && (state.status === 'none' || decided) && (
            <OpenCase partner={partner} again={state.status !== 'none'} />
          )}
        </Group>
        {c && <Clock c={c} />}
        {c?.decision && (
          <Alert
            mt="xs"
            color={c.decision === 'approve' ? 'green' : 'red'}
            variant="light"
            title={`Decision: ${humanize(c.decision)}`}
          >
            <Text size="sm">
              {c.decisionReason} — {c.decidedBy?.name}, <DateTime iso={c.decidedAt} />
            </Text>
          </Alert>
        )}
      </Paper>

      {c && (
        <>
          {c.kind === 'kyb' ? (
            <Registration partnerId={partner.id} c={c} editable={editable} />
          ) : (
            <KycDocuments partnerId={partner.id} c={c} editable={editable} />
          )}
          {c.kind === 'kyb' && <Parties partnerId={partner.id} c={c} editable={editable} />}
          <Screenings partnerId={partner.id} c={c} editable={editable} />
          <Marketing partnerId={partner.id} c={c} editable={editable} />
          <WebsiteReviews partnerId={partner.id} c={c} editable={editable} websites={partner.websites} />
          <Requests partnerId={partner.id} c={c} />
          {editable && <Decision partnerId={partner.id} c={c} />}
        </>
      )}

      {state.previousCases.length > 0 && (
        <Paper withBorder>
          <Title order={5} p="xs" pb={0}>
            Earlier cases
          </Title>
          <Table>
            <Table.Tbody>
              {state.previousCases.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>{p.kind.toUpperCase()}</Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" color={STATUS_COLORS[p.status]}>
                      {humanize(p.status)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <DateTime iso={p.openedAt} /> → <DateTime iso={p.decidedAt} />
                  </Table.Td>
                  <Table.Td>{p.decisionReason ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
    </Stack>
  );
}

function Section({
  title,
  action,
  children,
  testId,
}: {
  title: string;
  action?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Paper withBorder data-testid={testId}>
      <Group justify="space-between" p="xs" pb={4}>
        <Title order={5}>{title}</Title>
        {action}
      </Group>
      {children}
    </Paper>
  );
}

function Clock({ c }: { c: Case }) {
  const waitedH = Math.round(c.clock.waitingMsTotal / 3_600_000);
  return (
    <Group gap="xs" mt="xs" data-testid="dd-clock">
      {c.clock.waitingSince ? (
        <Badge color="gray" variant="filled">
          SLA clock paused: waiting on answers since {formatDate(c.clock.waitingSince.slice(0, 10))}
        </Badge>
      ) : (
        <Badge color="blue" variant="light">
          SLA clock running
        </Badge>
      )}
      <Text size="xs" c="dimmed">
        Time spent waiting on answers so far: {waitedH} h · last change{' '}
        <DateTime iso={c.updatedAt} relative />
      </Text>
    </Group>
  );
}

function OpenCase({ partner, again }: { partner: Partner; again: boolean }) {
  const errors = useFormErrors();
  const { busy, run } = useSubmit(partner.id, errors);
  const [opened, setOpened] = useState(false);
  const [entity, setEntity] = useState('');
  return (
    <>
      <Button onClick={() => setOpened(true)} data-testid="dd-open">
        {again ? 'Open a new case' : 'Open a case'}
      </Button>
      <Modal
        opened={opened}
        onClose={() => setOpened(false)}
        title={`Open a ${partner.kind === 'company' ? 'KYB' : 'KYC'} case`}
      >
        <form
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            const ok = await run(
              () =>
                api.post('/api/v1/partners/{id}/due-diligence', {
                  path: { id: partner.id },
                  body: { regulatedEntity: orNull(entity) },
                }),
              'Case opened',
            );
            if (ok) setOpened(false);
          }}
        >
          <Stack gap="sm">
            <FormError errors={errors} shown={['regulatedEntity']} />
            <TextInput
              label="Regulated entity"
              description="The firm's entity the partner works with; leave empty to use the partner's regulated_entity field"
              value={entity}
              onChange={(e) => setEntity(e.currentTarget.value)}
              error={errors.field('regulatedEntity')}
              data-testid="dd-entity"
            />
            <Group justify="flex-end">
              <Button type="submit" loading={busy} data-testid="dd-open-submit">
                Open case
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

// ---- registration / KYC documents -------------------------------------------------------------------------

function Registration({ partnerId, c, editable }: { partnerId: string; c: Case; editable: boolean }) {
  const errors = useFormErrors();
  const { busy, run } = useSubmit(partnerId, errors);
  const r = c.registration;
  const [number, setNumber] = useState(r?.number ?? '');
  const [country, setCountry] = useState<string | null>(r?.country ?? null);
  const [registry, setRegistry] = useState(r?.registry ?? '');
  const [date, setDate] = useState(r?.incorporatedOn ?? '');
  const fe = (k: string) => errors.field(`registration.${k}`);
  if (!editable) {
    return (
      <Section title="Company registration">
        <Text size="sm" p="xs" pt={0}>
          {r
            ? `${r.number} · ${countryName(r.country)} · ${r.registry} · incorporated ${formatDate(r.incorporatedOn)}`
            : 'Not recorded.'}
        </Text>
      </Section>
    );
  }
  return (
    <Section title="Company registration" testId="dd-registration">
      <form
        noValidate
        style={{ padding: '0 10px 10px' }}
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            () =>
              api.patch('/api/v1/partners/{id}/due-diligence', {
                path: { id: partnerId },
                body: {
                  registration: {
                    number: number.trim(),
                    country: country ?? '',
                    registry: registry.trim(),
                    incorporatedOn: date,
                  },
                },
              }),
            'Registration saved',
          );
        }}
      >
        <FormError errors={errors} shown={['registration']} />
        <Group align="flex-end" gap="xs">
          <TextInput
            label="Registration number"
            value={number}
            onChange={(e) => setNumber(e.currentTarget.value)}
            error={fe('number')}
            w={170}
            data-testid="dd-reg-number"
          />
          <Select
            label="Country"
            data={COUNTRY_OPTIONS}
            value={country}
            onChange={setCountry}
            searchable
            error={fe('country')}
            w={200}
            data-testid="dd-reg-country"
          />
          <TextInput
            label="Registry"
            placeholder="Registrar of Companies, Cyprus"
            value={registry}
            onChange={(e) => setRegistry(e.currentTarget.value)}
            error={fe('registry')}
            w={240}
            data-testid="dd-reg-registry"
          />
          <TextInput
            label="Incorporated on"
            type="date"
            value={date}
            onChange={(e) => setDate(e.currentTarget.value)}
            error={fe('incorporatedOn')}
            w={160}
            data-testid="dd-reg-date"
          />
          <Button type="submit" variant="light" loading={busy} data-testid="dd-reg-save">
            Save
          </Button>
        </Group>
      </form>
    </Section>
  );
}

function KycDocuments({ partnerId, c, editable }: { partnerId: string; c: Case; editable: boolean }) {
  const docs = usePartnerDocumentOptions(partnerId);
  const errors = useFormErrors();
  const { busy, run } = useSubmit(partnerId, errors);
  const [identity, setIdentity] = useState<string | null>(c.identityDocumentId);
  const [address, setAddress] = useState<string | null>(c.addressDocumentId);
  if (!editable) {
    return (
      <Section title="Identity and address">
        <Text size="sm" p="xs" pt={0}>
          Identity: {docs.nameOf(c.identityDocumentId) ?? 'not given'} · Address:{' '}
          {docs.nameOf(c.addressDocumentId) ?? 'not given'}
        </Text>
      </Section>
    );
  }
  return (
    <Section
      title="Identity and address"
      testId="dd-kyc-docs"
      action={
        <Anchor component={Link} to={`/partners/${partnerId}/documents`} size="xs">
          Upload on the Documents tab
        </Anchor>
      }
    >
      <Group align="flex-end" gap="xs" p="xs" pt={0}>
        <Select
          label="Identity document"
          data={docs.options}
          value={identity}
          onChange={setIdentity}
          clearable
          searchable
          w={340}
          error={errors.field('identityDocumentId')}
          data-testid="dd-identity-doc"
        />
        <Select
          label="Proof of address"
          data={docs.options}
          value={address}
          onChange={setAddress}
          clearable
          searchable
          w={340}
          error={errors.field('addressDocumentId')}
          data-testid="dd-address-doc"
        />
        <Button
          variant="light"
          loading={busy}
          data-testid="dd-kyc-save"
          onClick={() =>
            void run(
              () =>
                api.patch('/api/v1/partners/{id}/due-diligence', {
                  path: { id: partnerId },
                  body: { identityDocumentId: identity, addressDocumentId: address },
                }),
              'Documents saved',
            )
          }
        >
          Save
        </Button>
      </Group>
      <div style={{ padding: '0 10px 10px' }}>
        <FormError errors={errors} shown={['identityDocumentId', 'addressDocumentId']} />
      </div>
    </Section>
  );
}

// ---- parties ----------------------------------------------------------------------------------------------

const pct = (bps: number | null) => (bps === null ? '—' : formatBps(bps));

function Parties({ partnerId, c, editable }: { partnerId: string; c: Case; editable: boolean }) {
  const docs = usePartnerDocumentOptions(partnerId);
  const qc = useQueryClient();
  const [editing, setEditing] = useState<DueDiligenceParty | 'new' | null>(null);
  async function remove(p: DueDiligenceParty) {
    try {
      await api.delete('/api/v1/partners/{id}/due-diligence/parties/{partyId}', {
        path: { id: partnerId, partyId: p.id },
      });
      await Promise.all(ddKeys(partnerId).map((k) => qc.invalidateQueries({ queryKey: k })));
      notifications.show({ message: `${p.name} removed` });
    } catch (err) {
      notifications.show({
        color: 'red',
        title: 'Not removed',
        message: (err as Error).message,
        autoClose: 8000,
      });
    }
  }
  return (
    <Section
      title="Directors, shareholders and beneficial owners"
      testId="dd-parties"
      action={
        editable && (
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => setEditing('new')}
            data-testid="dd-add-party"
          >
            Add a party
          </Button>
        )
      }
    >
      {c.parties.length === 0 ? (
        <Text size="sm" c="dimmed" p="xs" pt={0}>
          None recorded. A KYB case needs at least one director and every beneficial owner at 25% or more.
        </Text>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Roles</Table.Th>
              <Table.Th>Country</Table.Th>
              <Table.Th>Shareholding</Table.Th>
              <Table.Th>Beneficial</Table.Th>
              <Table.Th>Identity</Table.Th>
              <Table.Th>Address</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {c.parties.map((p) => {
              const ubo = (p.beneficialBps ?? 0) >= 2500;
              return (
                <Table.Tr key={p.id} data-testid="dd-party-row">
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {p.name}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {humanize(p.kind)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{p.roles.map((r) => (r === 'ubo' ? 'UBO' : humanize(r))).join(', ')}</Table.Td>
                  <Table.Td>{p.country ?? '—'}</Table.Td>
                  <Table.Td>{pct(p.shareholdingBps)}</Table.Td>
                  <Table.Td>
                    {pct(p.beneficialBps)}
                    {ubo && (
                      <Badge size="xs" ml={4} color="grape" variant="light">
                        ≥ 25%
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <DocCell name={docs.nameOf(p.identityDocumentId)} needed={ubo && p.kind === 'person'} />
                  </Table.Td>
                  <Table.Td>
                    <DocCell name={docs.nameOf(p.addressDocumentId)} needed={ubo && p.kind === 'person'} />
                  </Table.Td>
                  <Table.Td>
                    {editable && (
                      <Group gap={4} wrap="nowrap">
                        <Button size="compact-xs" variant="subtle" onClick={() => setEditing(p)}>
                          Edit
                        </Button>
                        <Button size="compact-xs" variant="subtle" color="red" onClick={() => void remove(p)}>
                          Remove
                        </Button>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {editing && (
        <PartyModal
          partnerId={partnerId}
          party={editing === 'new' ? null : editing}
          docs={docs.options}
          onClose={() => setEditing(null)}
        />
      )}
    </Section>
  );
}

function DocCell({ name, needed }: { name: string | null; needed: boolean }) {
  if (name)
    return (
      <Text size="xs" lineClamp={1} title={name}>
        {name}
      </Text>
    );
  return (
    <Text size="xs" c={needed ? 'red.7' : 'dimmed'}>
      {needed ? 'missing' : '—'}
    </Text>
  );
}

function PartyModal({
  partnerId,
  party,
  docs,
  onClose,
}: {
  partnerId: string;
  party: DueDiligenceParty | null;
  docs: { value: string; label: string }[];
  onClose: () => void;
}) {
  const errors = useFormErrors();
  const { busy, run } = useSubmit(partnerId, errors);
  const [kind, setKind] = useState<DueDiligenceParty['kind']>(party?.kind ?? 'person');
  const [name, setName] = useState(party?.name ?? '');
  const [roles, setRoles] = useState<string[]>(party?.roles ?? ['director']);
  const [country, setCountry] = useState<string | null>(party?.country ?? null);
  const [share, setShare] = useState(
    party?.shareholdingBps != null ? intToDecimal(party.shareholdingBps, 2) : '',
  );
  const [ben, setBen] = useState(party?.beneficialBps != null ? intToDecimal(party.beneficialBps, 2) : '');
  const [idDoc, setIdDoc] = useState<string | null>(party?.identityDocumentId ?? null);
  const [addrDoc, setAddrDoc] = useState<string | null>(party?.addressDocumentId ?? null);
  const [local, setLocal] = useState<Record<string, string>>({});

  async function submit(e: FormEvent) {
    e.preventDefault();
    const bad: Record<string, string> = {};
    const shareBps = share.trim() ? parseDecimalToInt(share, 2) : null;
    const benBps = ben.trim() ? parseDecimalToInt(ben, 2) : null;
    if (share.trim() && (shareBps === null || shareBps > 10000))
      bad.shareholdingBps = 'a percentage from 0 to 100, up to 2 decimals';
    if (ben.trim() && (benBps === null || benBps > 10000))
      bad.beneficialBps = 'a percentage from 0 to 100, up to 2 decimals';
    setLocal(bad);
    if (Object.keys(bad).length) return;
    const body = {
      kind,
      name: name.trim(),
      roles: roles as DueDiligenceParty['roles'],
      country,
      shareholdingBps: shareBps,
      beneficialBps: benBps,
      identityDocumentId: idDoc,
      addressDocumentId: addrDoc,
    };
    const ok = await run(
      () =>
        party
          ? api.patch('/api/v1/partners/{id}/due-diligence/parties/{partyId}', {
              path: { id: partnerId, partyId: party.id },
              body,
            })
          : api.post('/api/v1/partners/{id}/due-diligence/parties', { path: { id: partnerId }, body }),
      party ? 'Party saved' : 'Party added',
    );
    if (ok) onClose();
  }
  return (
    <Modal
      opened
      onClose={onClose}
      title={party ? `Edit ${party.name}` : 'Add a director, shareholder or beneficial owner'}
      size="lg"
    >
      <form onSubmit={submit} noValidate data-testid="dd-party-form">
        <Stack gap="sm">
          <FormError
            errors={errors}
            shown={[
              'kind',
              'name',
              'roles',
              'country',
              'shareholdingBps',
              'beneficialBps',
              'identityDocumentId',
              'addressDocumentId',
            ]}
          />
          <Group grow align="flex-start">
            <Select
              label="Kind"
              data={[
                { value: 'person', label: 'Person' },
                { value: 'entity', label: 'Entity (company)' },
              ]}
              value={kind}
              onChange={(v) => v && setKind(v as DueDiligenceParty['kind'])}
              allowDeselect={false}
            />
            <TextInput
              label="Name"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.field('name')}
              data-autofocus
              data-testid="dd-party-name"
            />
          </Group>
          <Group grow align="flex-start">
            <MultiSelect
              label="Roles"
              data={[
                { value: 'director', label: 'Director' },
                { value: 'shareholder', label: 'Shareholder' },
                { value: 'ubo', label: 'Beneficial owner (UBO)' },
              ]}
              value={roles}
              onChange={setRoles}
              error={errors.field('roles')}
              data-testid="dd-party-roles"
            />
            <Select
              label={kind === 'person' ? 'Nationality' : 'Country of incorporation'}
              data={COUNTRY_OPTIONS}
              value={country}
              onChange={setCountry}
              searchable
              clearable
              error={errors.field('country')}
            />
          </Group>
          <Group grow align="flex-start">
            <TextInput
              label="Direct shareholding %"
              placeholder="e.g. 40"
              value={share}
              onChange={(e) => setShare(e.currentTarget.value)}
              error={local.shareholdingBps ?? errors.field('shareholdingBps')}
              rightSection="%"
            />
            <TextInput
              label="Beneficial ownership %"
              placeholder="e.g. 25"
              value={ben}
              onChange={(e) => setBen(e.currentTarget.value)}
              error={local.beneficialBps ?? errors.field('beneficialBps')}
              rightSection="%"
              data-testid="dd-party-ben"
            />
          </Group>
          <Select
            label="Identity document"
            data={docs}
            value={idDoc}
            onChange={setIdDoc}
            searchable
            clearable
            error={errors.field('identityDocumentId')}
          />
          <Select
            label="Proof of address"
            data={docs}
            value={addrDoc}
            onChange={setAddrDoc}
            searchable
            clearable
            error={errors.field('addressDocumentId')}
          />
          <Text size="xs" c="dimmed">
            A beneficial owner at 25% or more must be identified with identity and address documents.
          </Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              loading={busy}
              disabled={!name.trim() || roles.length === 0}
              data-testid="dd-party-save"
            >
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// ---- screenings -------------------------------------------------------------------------------------------

function Screenings({ partnerId, c, editable }: { partnerId: string; c: Case; editable: boolean }) {
  const [adding, setAdding] = useState(false);
  return (
    <Section
      title="Sanctions / PEP screening"
      testId="dd-screenings"
      action={
        editable && (
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => setAdding(true)}
            data-testid="dd-add-screening"
          >
            Record a screening
          </Button>
        )
      }
    >
      <Text size="xs" c="dimmed" px="xs" pb={4}>
        Partnerdesk records the result of the screening run in the firm’s screening tool; it does not screen
        by itself.
      </Text>
      {c.screenings.length === 0 ? (
        <Text size="sm" c="dimmed" p="xs" pt={0}>
          No screening recorded.
        </Text>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Subject</Table.Th>
              <Table.Th>Result</Table.Th>
              <Table.Th>Lists</Table.Th>
              <Table.Th>Provider</Table.Th>
              <Table.Th>Screened on</Table.Th>
              <Table.Th>Reference</Table.Th>
              <Table.Th>Recorded</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {c.screenings.map((s) => (
              <Table.Tr key={s.id} data-testid="dd-screening-row">
                <Table.Td>{s.subject}</Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={RESULT_COLORS[s.result]}>
                    {humanize(s.result)}
                  </Badge>
                </Table.Td>
                <Table.Td>{s.listTypes.map((l) => (l === 'pep' ? 'PEP' : humanize(l))).join(', ')}</Table.Td>
                <Table.Td>{s.provider}</Table.Td>
                <Table.Td>{formatDate(s.screenedOn)}</Table.Td>
                <Table.Td>
                  <Text size="sm" className="pd-mono">
                    {s.reference ?? '—'}
                  </Text>
                  {s.note && (
                    <Text size="xs" c="dimmed">
                      {s.note}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{s.recordedBy.name}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {adding && <ScreeningModal partnerId={partnerId} c={c} onClose={() => setAdding(false)} />}
    </Section>
  );
}

function ScreeningModal({ partnerId, c, onClose }: { partnerId: string; c: Case; onClose: () => void }) {
  const errors = useFormErrors();
  const { busy, run } = useSubmit(partnerId, errors);
  const [subject, setSubject] = useState<string>('partner');
  const [result, setResult] = useState('clear');
  const [lists, setLists] = useState<string[]>(['sanctions', 'pep']);
  const [provider, setProvider] = useState('');
  const [on, setOn] = useState(todayIso());
  const [reference, setReference] = useState('');
  const [note, setNote] = useState('');
  type Body = BodyOf<'/api/v1/partners/{id}/due-diligence/screenings', 'post'>;
  async function submit(e: FormEvent) {
    e.preventDefault();
    const body: Body = {
      partyId: subject === 'partner' ? null : subject,
      result: result as Body['result'],
      listTypes: lists as Body['listTypes'],
      provider: provider.trim(),
      screenedOn: on,
      reference: orNull(reference),
      note: orNull(note),
    };
    const ok = await run(
      () => api.post('/api/v1/partners/{id}/due-diligence/screenings', { path: { id: partnerId }, body }),
      'Screening recorded',
    );
    if (ok) onClose();
  }
  return (
    <Modal opened onClose={onClose} title="Record a screening result" size="lg">
      <form onSubmit={submit} noValidate data-testid="dd-screening-form">
        <Stack gap="sm">
          <FormError
            errors={errors}
            shown={['partyId', 'result', 'listTypes', 'provider', 'screenedOn', 'reference', 'note']}
          />
          <Select
            label="Who was screened"
            data={[
              {
                value: 'partner',
                label: c.kind === 'kyb' ? 'The company itself' : 'The individual (the partner)',
              },
              ...c.parties.map((p) => ({ value: p.id, label: `${p.name} (${p.roles.join(', ')})` })),
            ]}
            value={subject}
            onChange={(v) => v && setSubject(v)}
            allowDeselect={false}
            error={errors.field('partyId')}
            data-testid="dd-screening-subject"
          />
          <Radio.Group label="Result" value={result} onChange={setResult} error={errors.field('result')}>
            <Group mt={4}>
              <Radio value="clear" label="Clear" data-testid="dd-screening-clear" />
              <Radio value="possible_match" label="Possible match" />
              <Radio value="true_match" label="True match" />
            </Group>
          </Radio.Group>
          <MultiSelect
            label="Lists screened against"
            data={[
              { value: 'sanctions', label: 'Sanctions' },
              { value: 'pep', label: 'PEP' },
              { value: 'adverse_media', label: 'Adverse media' },
            ]}
            value={lists}
            onChange={setLists}
            error={errors.field('listTypes')}
          />
          <Group grow align="flex-start">
            <TextInput
              label="Provider / source"
              placeholder="World-Check One"
              required
              value={provider}
              onChange={(e) => setProvider(e.currentTarget.value)}
              error={errors.field('provider')}
              data-testid="dd-screening-provider"
            />
            <TextInput
              label="Screened on"
              type="date"
              required
              value={on}
              onChange={(e) => setOn(e.currentTarget.value)}
              error={errors.field('screenedOn')}
            />
          </Group>
          <TextInput
            label="Provider reference"
            value={reference}
            onChange={(e) => setReference(e.currentTarget.value)}
            error={errors.field('reference')}
          />
          <Textarea
            label="Note"
            autosize
            minRows={2}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            error={errors.field('note')}
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              loading={busy}
              disabled={!provider.trim() || lists.length === 0}
              data-testid="dd-screening-save"
            >
              Record
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// ---- marketing and countries ------------------------------------------------------------------------------

function Marketing({ partnerId, c, editable }: { partnerId: string; c: Case; editable: boolean }) {
  const errors = useFormErrors();
  const { busy, run } = useSubmit(partnerId, errors);
  const [methods, setMethods] = useState<string[]>(c.marketingMethods);
  const [countries, setCountries] = useState<string[]>(c.targetCountries);
  const [entity, setEntity] = useState(c.regulatedEntitySource === 'case' ? (c.regulatedEntity ?? '') : '');
  const conflicted = new Set(c.conflicts.map((x) => x.country));
  return (
    <Section title="Marketing methods and target countries" testId="dd-marketing">
      <Stack gap="xs" p="xs" pt={0}>
        {c.conflicts.length > 0 && (
          <Alert color="red" variant="light" title="Restricted countries targeted" data-testid="dd-conflicts">
            <List size="sm">
              {c.conflicts.map((x) => (
                <List.Item key={x.country}>
                  <b>
                    {x.country} · {countryName(x.country)}
                  </b>{' '}
                  is restricted for {x.entity}: {x.reason}
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
        {editable ? (
          <>
            <FormError errors={errors} shown={['marketingMethods', 'targetCountries', 'regulatedEntity']} />
            <Group grow align="flex-start">
              <MultiSelect
                label="Marketing methods"
                data={options(TRAFFIC_SOURCES)}
                value={methods}
                onChange={setMethods}
                error={errors.field('marketingMethods')}
                data-testid="dd-methods"
              />
              <MultiSelect
                label="Target countries"
                data={COUNTRY_OPTIONS}
                value={countries}
                onChange={setCountries}
                searchable
                error={errors.field('targetCountries')}
                data-testid="dd-countries"
              />
            </Group>
            <Group align="flex-end" gap="xs">
              <TextInput
                label="Regulated entity for this case"
                description={
                  c.regulatedEntitySource === 'partner_field'
                    ? `Now from the partner record: ${c.regulatedEntity}`
                    : 'Whose restricted-country list applies'
                }
                value={entity}
                onChange={(e) => setEntity(e.currentTarget.value)}
                error={errors.field('regulatedEntity')}
                w={320}
              />
              <Button
                variant="light"
                loading={busy}
                data-testid="dd-marketing-save"
                onClick={() =>
                  void run(
                    () =>
                      api.patch('/api/v1/partners/{id}/due-diligence', {
                        path: { id: partnerId },
                        body: {
                          marketingMethods: methods as (typeof TRAFFIC_SOURCES)[number][],
                          targetCountries: countries,
                          ...(entity.trim() || c.regulatedEntitySource === 'case'
                            ? { regulatedEntity: orNull(entity) }
                            : {}),
                        },
                      }),
                    'Saved; restricted countries checked',
                  )
                }
              >
                Save and check
              </Button>
            </Group>
          </>
        ) : (
          <Text size="sm">
            Methods:{' '}
            {c.marketingMethods.length ? c.marketingMethods.map(humanize).join(', ') : 'none recorded'} ·
            Countries:{' '}
            {c.targetCountries.length
              ? c.targetCountries.map((x) => (conflicted.has(x) ? `${x} (restricted)` : x)).join(', ')
              : 'none recorded'}
          </Text>
        )}
      </Stack>
    </Section>
  );
}

// ---- website reviews --------------------------------------------------------------------------------------

function WebsiteReviews({
  partnerId,
  c,
  editable,
  websites,
}: {
  partnerId: string;
  c: Case;
  editable: boolean;
  websites: string[];
}) {
  const errors = useFormErrors();
  const { busy, run } = useSubmit(partnerId, errors);
  const [url, setUrl] = useState(websites[0] ?? '');
  const [on, setOn] = useState(todayIso());
  const [outcome, setOutcome] = useState('pass');
  const [notes, setNotes] = useState('');
  return (
    <Section title="Website reviews" testId="dd-websites">
      {c.websiteReviews.length > 0 && (
        <Table>
          <Table.Tbody>
            {c.websiteReviews.map((w) => (
              <Table.Tr key={w.url + w.recordedAt}>
                <Table.Td>
                  <Anchor href={w.url} target="_blank" rel="noreferrer" size="sm">
                    {w.url}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={OUTCOME_COLORS[w.outcome]}>
                    {humanize(w.outcome)}
                  </Badge>
                </Table.Td>
                <Table.Td>{formatDate(w.reviewedOn)}</Table.Td>
                <Table.Td>{w.notes ?? '—'}</Table.Td>
                <Table.Td>
                  <Text size="xs">{w.reviewedBy}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {c.websiteReviews.length === 0 && !editable && (
        <Text size="sm" c="dimmed" p="xs" pt={0}>
          No website reviewed.
        </Text>
      )}
      {editable && (
        <form
          noValidate
          style={{ padding: 10 }}
          onSubmit={(e) => {
            e.preventDefault();
            void run(
              () =>
                api.post('/api/v1/partners/{id}/due-diligence/website-reviews', {
                  path: { id: partnerId },
                  body: {
                    url: url.trim(),
                    reviewedOn: on,
                    outcome: outcome as 'pass' | 'issues' | 'fail',
                    notes: orNull(notes),
                  },
                }),
              'Website review recorded',
            ).then((ok) => ok && setNotes(''));
          }}
        >
          <FormError errors={errors} shown={['url', 'reviewedOn', 'outcome', 'notes']} />
          <Group align="flex-end" gap="xs">
            <TextInput
              label="URL"
              value={url}
              onChange={(e) => setUrl(e.currentTarget.value)}
              error={errors.field('url')}
              w={260}
              data-testid="dd-web-url"
            />
            <TextInput
              label="Reviewed on"
              type="date"
              value={on}
              onChange={(e) => setOn(e.currentTarget.value)}
              error={errors.field('reviewedOn')}
              w={150}
            />
            <SegmentedControl
              value={outcome}
              onChange={setOutcome}
              data={[
                { value: 'pass', label: 'Pass' },
                { value: 'issues', label: 'Issues' },
                { value: 'fail', label: 'Fail' },
              ]}
            />
            <TextInput
              label="Notes"
              value={notes}
              onChange={(e) => setNotes(e.currentTarget.value)}
              error={errors.field('notes')}
              w={240}
            />
            <Button type="submit" variant="light" loading={busy} data-testid="dd-web-save">
              Record review
            </Button>
          </Group>
        </form>
      )}
    </Section>
  );
}

// ---- documentation requests -------------------------------------------------------------------------------

function Requests({ partnerId, c }: { partnerId: string; c: Case }) {
  const { can } = useSession();
  const [answering, setAnswering] = useState<DocumentationRequest | null>(null);
  return (
    <Section title="Documentation requests" testId="dd-requests">
      {c.requests.length === 0 ? (
        <Text size="sm" c="dimmed" p="xs" pt={0}>
          None. “Request more” in the decision below asks the BDM or the partner for documents and pauses the
          SLA clock.
        </Text>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Asked</Table.Th>
              <Table.Th>To</Table.Th>
              <Table.Th>What is needed</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Answer</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {c.requests.map((r) => (
              <Table.Tr key={r.id} data-testid="dd-request-row" data-status={r.status}>
                <Table.Td>
                  <DateTime iso={r.createdAt} relative />
                </Table.Td>
                <Table.Td>{r.addressedTo === 'bdm' ? 'BDM' : 'Partner'}</Table.Td>
                <Table.Td>
                  <List size="sm">
                    {r.items.map((i) => (
                      <List.Item key={i}>{i}</List.Item>
                    ))}
                  </List>
                </Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={r.status === 'open' ? 'orange' : 'teal'}>
                    {humanize(r.status)}
                  </Badge>
                </Table.Td>
                <Table.Td maw={300}>
                  {r.answerNote ? (
                    <Text size="sm">
                      {r.answerNote}
                      {r.answerDocumentIds.length > 0 && (
                        <Text span size="xs" c="dimmed">
                          {' '}
                          · {r.answerDocumentIds.length} document(s)
                        </Text>
                      )}
                    </Text>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>
                  {r.status === 'open' && can('dd.respond') && (
                    <Button size="compact-xs" onClick={() => setAnswering(r)} data-testid="dd-answer">
                      Answer
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {answering && (
        <AnswerModal partnerId={partnerId} request={answering} onClose={() => setAnswering(null)} />
      )}
    </Section>
  );
}

function AnswerModal({
  partnerId,
  request,
  onClose,
}: {
  partnerId: string;
  request: DocumentationRequest;
  onClose: () => void;
}) {
  const docs = usePartnerDocumentOptions(partnerId);
  const errors = useFormErrors();
  const { busy, run } = useSubmit(partnerId, errors);
  const [note, setNote] = useState('');
  const [ids, setIds] = useState<string[]>([]);
  return (
    <Modal opened onClose={onClose} title="Answer the documentation request" size="lg">
      <form
        noValidate
        data-testid="dd-answer-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const ok = await run(
            () =>
              api.post('/api/v1/partners/{id}/due-diligence/requests/{requestId}/answer', {
                path: { id: partnerId, requestId: request.id },
                body: { note: note.trim(), ...(ids.length ? { documentIds: ids } : {}) },
              }),
            'Answer sent; the clock runs again when no request is left open',
          );
          if (ok) onClose();
        }}
      >
        <Stack gap="sm">
          <List size="sm">
            {request.items.map((i) => (
              <List.Item key={i}>{i}</List.Item>
            ))}
          </List>
          <FormError errors={errors} shown={['note', 'documentIds']} />
          <Textarea
            label="What is provided"
            required
            autosize
            minRows={3}
            data-autofocus
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            error={errors.field('note')}
            data-testid="dd-answer-note"
          />
          <MultiSelect
            label="Documents (upload them on the Documents tab first)"
            data={docs.options}
            value={ids}
            onChange={setIds}
            searchable
            error={errors.field('documentIds')}
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!note.trim()} data-testid="dd-answer-submit">
              Send answer
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// ---- decision ---------------------------------------------------------------------------------------------

function Decision({ partnerId, c }: { partnerId: string; c: Case }) {
  const errors = useFormErrors();
  const { busy, run } = useSubmit(partnerId, errors);
  const [decision, setDecision] = useState<'approve' | 'reject' | 'request_more'>('approve');
  const [reason, setReason] = useState('');
  const [items, setItems] = useState<string[]>([]);
  const [to, setTo] = useState<'bdm' | 'partner'>('bdm');
  const problems =
    (errors.error?.extra.problems as { code: string; message: string }[] | undefined) ?? c.approvalProblems;
  const blocked = decision === 'approve' && c.approvalProblems.length > 0;
  return (
    <Section title="Decision" testId="dd-decision">
      <form
        noValidate
        style={{ padding: '0 10px 10px' }}
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            () =>
              api.post('/api/v1/partners/{id}/due-diligence/decision', {
                path: { id: partnerId },
                body: {
                  decision,
                  reason: reason.trim(),
                  ...(decision === 'request_more' ? { requestedItems: items, addressedTo: to } : {}),
                },
              }),
            decision === 'request_more'
              ? 'More documents requested; SLA clock paused'
              : `Case ${decision === 'approve' ? 'approved' : 'rejected'}`,
          ).then((ok) => {
            if (ok) {
              setReason('');
              setItems([]);
            }
          });
        }}
      >
        <Stack gap="sm">
          <SegmentedControl
            value={decision}
            onChange={(v) => setDecision(v as typeof decision)}
            data={[
              { value: 'approve', label: 'Approve' },
              { value: 'request_more', label: 'Request more' },
              { value: 'reject', label: 'Reject' },
            ]}
            w={360}
            data-testid="dd-decision-kind"
          />
          {decision === 'approve' &&
            (problems.length > 0 ? (
              <Alert
                color="orange"
                variant="light"
                title="What stops approval now"
                data-testid="dd-approval-problems"
              >
                <List size="sm">
                  {problems.map((p) => (
                    <List.Item key={p.code + p.message}>{p.message}</List.Item>
                  ))}
                </List>
              </Alert>
            ) : (
              <Text size="sm" c="green.8">
                Nothing stops approval: identity, screening and country checks are complete.
              </Text>
            ))}
          {decision === 'request_more' && (
            <Group grow align="flex-start">
              <TagsInput
                label="What is needed (Enter after each)"
                value={items}
                onChange={setItems}
                error={errors.field('requestedItems')}
                data-testid="dd-request-items"
              />
              <Select
                label="Ask"
                data={[
                  { value: 'bdm', label: 'The owner BDM' },
                  { value: 'partner', label: 'The partner' },
                ]}
                value={to}
                onChange={(v) => v && setTo(v as 'bdm' | 'partner')}
                allowDeselect={false}
              />
            </Group>
          )}
          {errors.error && !errors.error.extra.problems && (
            <FormError errors={errors} shown={['reason', 'requestedItems']} />
          )}
          <Textarea
            label="Reason"
            required
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={errors.field('reason')}
            data-testid="dd-decision-reason"
          />
          <Group justify="flex-end">
            <Tooltip label="Resolve the problems above first" disabled={!blocked}>
              <Button
                type="submit"
                loading={busy}
                color={decision === 'approve' ? 'green' : decision === 'reject' ? 'red' : 'orange'}
                disabled={!reason.trim() || blocked || (decision === 'request_more' && items.length === 0)}
                data-testid="dd-decision-submit"
              >
                {decision === 'approve'
                  ? 'Approve case'
                  : decision === 'reject'
                    ? 'Reject case'
                    : 'Request more'}
              </Button>
            </Tooltip>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}
