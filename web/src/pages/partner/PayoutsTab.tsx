// Payout details: the current version (account numbers masked for roles that may not verify), Finance's
// verification (four eyes: not the person who made the version), a method-specific form for a new version
// with each error beside its input, and every earlier version.
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, asApiError, type BodyOf } from '../../api/client';
import type { Partner, PayoutDetails } from '../../api/types';
import { DateTime } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { BlockSkeleton, EmptyState, ErrorState } from '../../components/states';
import { humanize } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { COUNTRY_OPTIONS, CURRENCIES } from '../../lib/reference';
import { useSession } from '../../lib/session';

type Method = PayoutDetails['method'];
type Body = BodyOf<'/api/v1/partners/{id}/payout-details', 'put'>;

const METHODS = [
  'bank_transfer',
  'wise',
  'skrill',
  'neteller',
  'usdt_trc20',
  'usdt_erc20',
  'other',
] as const satisfies readonly Method[];
const METHOD_LABELS: Record<Method, string> = {
  bank_transfer: 'Bank transfer',
  wise: 'Wise',
  skrill: 'Skrill',
  neteller: 'Neteller',
  usdt_trc20: 'USDT (TRC-20)',
  usdt_erc20: 'USDT (ERC-20)',
  other: 'Other',
};
const DETAIL_LABELS: Record<string, string> = {
  iban: 'IBAN',
  accountNumber: 'Account number',
  routingCode: 'Routing code',
  swiftBic: 'SWIFT/BIC',
  bankName: 'Bank',
  bankCountry: 'Bank country',
  email: 'E-mail',
  address: 'Wallet address',
  instructions: 'Instructions',
};

export function PayoutsTab({ partner }: { partner: Partner }) {
  const { can } = useSession();
  const [editing, setEditing] = useState(false);
  const [verifying, setVerifying] = useState(false);
  const q = useQuery({
    queryKey: ['partner', partner.id, 'payout-details'],
    queryFn: () => api.get('/api/v1/partners/{id}/payout-details', { path: { id: partner.id } }),
  });
  if (q.isPending) return <BlockSkeleton lines={5} />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const { current, history } = q.data;
  const mayWrite = can('payouts.details_write') && !partner.archivedAt;
  return (
    <Stack gap="md" data-testid="payouts-tab">
      <Paper withBorder p="sm">
        <Group justify="space-between" mb="xs">
          <Title order={5}>Payout details</Title>
          <Group gap="xs">
            {current && !current.verified && can('payouts.verify') && (
              <Button color="green" onClick={() => setVerifying(true)} data-testid="payout-verify">
                Verify v{current.version}
              </Button>
            )}
            {mayWrite && (
              <Button
                variant={current ? 'default' : 'filled'}
                onClick={() => setEditing(true)}
                data-testid="payout-edit"
              >
                {current ? 'Change details' : 'Add payout details'}
              </Button>
            )}
          </Group>
        </Group>
        {current ? (
          <DetailsView d={current} />
        ) : (
          <EmptyState title="No payout details yet">
            The owner BDM, the partner or Finance adds them; Finance then verifies them before any payout.
          </EmptyState>
        )}
      </Paper>
      {history.length > 1 && (
        <Paper withBorder>
          <Title order={5} p="xs" pb={0}>
            Versions
          </Title>
          <Table data-testid="payout-history">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Version</Table.Th>
                <Table.Th>Method</Table.Th>
                <Table.Th>Account holder</Table.Th>
                <Table.Th>Changed</Table.Th>
                <Table.Th>Verified</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.map((h) => (
                <Table.Tr key={h.id}>
                  <Table.Td>
                    v{h.version}
                    {h.id === current?.id && (
                      <Badge size="xs" ml={4}>
                        current
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {METHOD_LABELS[h.method]} · {h.currency}
                  </Table.Td>
                  <Table.Td>{h.accountHolder}</Table.Td>
                  <Table.Td>
                    <DateTime iso={h.changedAt} />{' '}
                    <Text span size="xs" c="dimmed">
                      by {h.changedBy.name}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {h.verified ? (
                      <Text size="sm">
                        {h.verifiedBy?.name} · <DateTime iso={h.verifiedAt} relative />
                      </Text>
                    ) : (
                      <Text size="sm" c="dimmed">
                        no
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {editing && <DetailsForm partnerId={partner.id} current={current} onClose={() => setEditing(false)} />}
      {current && (
        <VerifyModal
          partnerId={partner.id}
          d={current}
          opened={verifying}
          onClose={() => setVerifying(false)}
        />
      )}
    </Stack>
  );
}

function DetailsView({ d }: { d: PayoutDetails }) {
  return (
    <Stack gap="xs">
      <Group gap="xs">
        {d.verified ? (
          <Badge color="green" variant="filled" data-testid="payout-verified">
            Verified by {d.verifiedBy?.name}
          </Badge>
        ) : (
          <Badge color="orange" variant="light" data-testid="payout-unverified">
            Not verified
          </Badge>
        )}
        <Text size="xs" c="dimmed">
          v{d.version} · changed <DateTime iso={d.changedAt} relative /> by {d.changedBy.name}
          {d.verifiedAt && (
            <>
              {' '}
              · verified <DateTime iso={d.verifiedAt} relative />
            </>
          )}
        </Text>
        {d.masked && (
          <Badge size="xs" variant="outline" color="gray">
            account numbers masked for your role
          </Badge>
        )}
      </Group>
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="xs">
        <Field label="Method" value={METHOD_LABELS[d.method]} />
        <Field label="Currency" value={d.currency} />
        <Field label="Account holder" value={d.accountHolder} />
        {Object.entries(d.details).map(([k, v]) => (
          <Field key={k} label={DETAIL_LABELS[k] ?? humanize(k)} value={v} mono />
        ))}
      </SimpleGrid>
      {d.verifyNote && (
        <Text size="sm">
          Verification note: <i>{d.verifyNote}</i>
        </Text>
      )}
    </Stack>
  );
}

function Field({ label, value, mono }: { label: string; value: string; mono?: boolean }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" className={mono ? 'pd-mono' : undefined} style={{ wordBreak: 'break-all' }}>
        {value}
      </Text>
    </div>
  );
}

function VerifyModal({
  partnerId,
  d,
  opened,
  onClose,
}: {
  partnerId: string;
  d: PayoutDetails;
  opened: boolean;
  onClose: () => void;
}) {
  const qc = useQueryClient();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const close = () => {
    setNote('');
    setError(null);
    onClose();
  };
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/v1/partners/{id}/payout-details/verify', {
        path: { id: partnerId },
        body: { note: note.trim() || null, version: d.version },
      });
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['partner', partnerId, 'payout-details'] }),
        qc.invalidateQueries({ queryKey: ['onboarding', partnerId] }),
      ]);
      notifications.show({ color: 'green', message: `Payout details v${d.version} verified` });
      close();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened={opened} onClose={close} title={`Verify payout details v${d.version}`}>
      <form onSubmit={submit} noValidate data-testid="verify-form">
        <Stack gap="sm">
          <Text size="sm">
            {METHOD_LABELS[d.method]} · {d.currency} · {d.accountHolder}. Verify only after you have checked
            the details against the partner’s proof (bank letter, wallet screenshot, call-back).
          </Text>
          {error && (
            <Alert
              color="red"
              variant="light"
              title={error.status === 403 ? 'Four eyes: someone else must verify' : 'Not verified'}
              data-testid="verify-error"
            >
              <Text size="sm">{error.detail}</Text>
            </Alert>
          )}
          <Textarea
            label="How were they checked? (optional)"
            autosize
            minRows={2}
            data-autofocus
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            data-testid="verify-note"
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color="green" loading={busy} data-testid="verify-submit">
              Verify
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function DetailsForm({
  partnerId,
  current,
  onClose,
}: {
  partnerId: string;
  current: PayoutDetails | null;
  onClose: () => void;
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [method, setMethod] = useState<Method>(current?.method ?? 'bank_transfer');
  const [currency, setCurrency] = useState(current?.currency ?? 'USD');
  const [holder, setHolder] = useState(current?.accountHolder ?? '');
  // Masked values are never sent back: the form starts empty for numbers it could not show.
  const initial = current && !current.masked && current.method === method ? current.details : {};
  const [det, setDet] = useState<Record<string, string>>({ ...initial });
  const [bankKind, setBankKind] = useState<'iban' | 'account'>(initial.accountNumber ? 'account' : 'iban');
  const [busy, setBusy] = useState(false);
  const set = (k: string) => (e: { currentTarget: { value: string } }) => {
    const v = e.currentTarget.value;
    setDet((d) => ({ ...d, [k]: v }));
  };
  const fe = (k: string) => errors.field(`details.${k}`);

  function body(): Body {
    const t = (k: string) => (det[k] ?? '').trim();
    const opt = (k: string) => (t(k) ? { [k]: t(k) } : {});
    const base = { currency, accountHolder: holder.trim() };
    switch (method) {
      case 'bank_transfer':
        return {
          ...base,
          method,
          details: {
            ...(bankKind === 'iban'
              ? { iban: t('iban') }
              : { accountNumber: t('accountNumber'), ...opt('routingCode') }),
            swiftBic: t('swiftBic'),
            bankName: t('bankName'),
            bankCountry: t('bankCountry'),
          },
        };
      case 'wise':
      case 'skrill':
      case 'neteller':
        return { ...base, method, details: { email: t('email') } };
      case 'usdt_trc20':
      case 'usdt_erc20':
        return { ...base, method, details: { address: t('address') } };
      default:
        return { ...base, method: 'other', details: { instructions: t('instructions') } };
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      await api.put('/api/v1/partners/{id}/payout-details', { path: { id: partnerId }, body: body() });
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['partner', partnerId, 'payout-details'] }),
        qc.invalidateQueries({ queryKey: ['onboarding', partnerId] }),
      ]);
      notifications.show({ color: 'green', message: 'Payout details saved; Finance verifies them next' });
      onClose();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }

  const shown = ['method', 'currency', 'accountHolder', 'details'];
  return (
    <Modal
      opened
      onClose={onClose}
      title={current ? 'Change payout details' : 'Add payout details'}
      size="lg"
    >
      <form onSubmit={submit} noValidate data-testid="payout-form">
        <Stack gap="sm">
          {current && (
            <Text size="sm" c="dimmed">
              Saving makes a new version; verification starts again.
            </Text>
          )}
          <FormError errors={errors} shown={shown} />
          <Group grow>
            <Select
              label="Method"
              data={METHODS.map((m) => ({ value: m, label: METHOD_LABELS[m] }))}
              value={method}
              onChange={(v) => {
                if (!v) return;
                setMethod(v as Method);
                setDet({});
              }}
              allowDeselect={false}
              error={errors.field('method')}
              data-testid="payout-method"
            />
            <Select
              label="Currency"
              data={CURRENCIES}
              value={currency}
              onChange={(v) => v && setCurrency(v)}
              searchable
              allowDeselect={false}
              error={errors.field('currency')}
              data-testid="payout-currency"
            />
          </Group>
          <TextInput
            label="Account holder"
            description="The name on the account, as the bank or wallet has it"
            required
            value={holder}
            onChange={(e) => setHolder(e.currentTarget.value)}
            error={errors.field('accountHolder')}
            data-testid="payout-holder"
          />
          {method === 'bank_transfer' && (
            <>
              <Select
                label="Account identified by"
                data={[
                  { value: 'iban', label: 'IBAN' },
                  { value: 'account', label: 'Account number (countries without IBAN)' },
                ]}
                value={bankKind}
                onChange={(v) => v && setBankKind(v as 'iban' | 'account')}
                allowDeselect={false}
              />
              {bankKind === 'iban' ? (
                <TextInput
                  label="IBAN"
                  required
                  value={det.iban ?? ''}
                  onChange={set('iban')}
                  error={fe('iban')}
                  data-testid="payout-iban"
                />
              ) : (
                <Group grow>
                  <TextInput
                    label="Account number"
                    required
                    value={det.accountNumber ?? ''}
                    onChange={set('accountNumber')}
                    error={fe('accountNumber')}
                  />
                  <TextInput
                    label="Routing code"
                    description="Sort code, ABA or IFSC where used"
                    value={det.routingCode ?? ''}
                    onChange={set('routingCode')}
                    error={fe('routingCode')}
                  />
                </Group>
              )}
              <Group grow align="flex-start">
                <TextInput
                  label="SWIFT/BIC"
                  required
                  value={det.swiftBic ?? ''}
                  onChange={set('swiftBic')}
                  error={fe('swiftBic')}
                  data-testid="payout-bic"
                />
                <TextInput
                  label="Bank name"
                  required
                  value={det.bankName ?? ''}
                  onChange={set('bankName')}
                  error={fe('bankName')}
                  data-testid="payout-bank"
                />
                <Select
                  label="Bank country"
                  required
                  data={COUNTRY_OPTIONS}
                  value={det.bankCountry ?? null}
                  onChange={(v) => setDet((d) => ({ ...d, bankCountry: v ?? '' }))}
                  searchable
                  error={fe('bankCountry')}
                  data-testid="payout-bank-country"
                />
              </Group>
            </>
          )}
          {(method === 'wise' || method === 'skrill' || method === 'neteller') && (
            <TextInput
              label={`${METHOD_LABELS[method]} e-mail`}
              required
              value={det.email ?? ''}
              onChange={set('email')}
              error={fe('email')}
              data-testid="payout-email"
            />
          )}
          {(method === 'usdt_trc20' || method === 'usdt_erc20') && (
            <TextInput
              label="Wallet address"
              description={
                method === 'usdt_trc20' ? 'A TRON address (starts with T)' : 'An Ethereum address (0x…)'
              }
              required
              value={det.address ?? ''}
              onChange={set('address')}
              error={fe('address')}
              className="pd-mono"
              data-testid="payout-address"
            />
          )}
          {method === 'other' && (
            <Textarea
              label="Instructions"
              required
              autosize
              minRows={3}
              value={det.instructions ?? ''}
              onChange={set('instructions')}
              error={fe('instructions')}
            />
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} data-testid="payout-save">
              Save details
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
