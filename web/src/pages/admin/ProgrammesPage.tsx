// Programmes: the attribution windows (how soon after a click an event may count, how old a click may be),
// what counts as the first deposit (FTD) and the deposit that qualifies a client. Everyone with events.read
// sees them; programmes.manage creates and edits (changes apply to events received from then on).
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import { DateTime } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { currencyDigits, formatMoney, intToDecimal, parseDecimalToInt } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { CURRENCIES } from '../../lib/reference';
import { useSession } from '../../lib/session';
import { type Programme, useProgrammes } from '../events/shared';

const FTD_DEFINITIONS = [
  'first_deposit',
  'deposits_24h',
] as const satisfies readonly Programme['ftdDefinition'][];
const FTD_LABELS: Record<Programme['ftdDefinition'], { label: string; help: string }> = {
  first_deposit: {
    label: 'First deposit',
    help: 'The client’s first deposit is the FTD, whatever its amount.',
  },
  deposits_24h: {
    label: 'Deposits in the first 24 h',
    help: 'Deposits in the same currency within 24 hours of the first one add up to the FTD amount.',
  },
};

function seconds(s: number): string {
  if (s === 0) return 'none';
  if (s < 120) return `${s} s`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

export function ProgrammesPage() {
  const { can } = useSession();
  const editable = can('programmes.manage');
  const [editing, setEditing] = useState<Programme | 'new' | null>(null);
  const q = useProgrammes();
  const rows = q.data?.data ?? [];
  return (
    <>
      <Group justify="space-between" mb="sm" align="flex-start">
        <div>
          <Title order={3}>Programmes</Title>
          <Text size="sm" c="dimmed" maw={760}>
            Each tracking link names a programme (links without one use the default). Its windows decide which
            clicks may attribute an event; its FTD definition and qualifying deposit decide when a client
            counts as a first depositor and as qualified. Changes apply to events received from then on.
          </Text>
        </div>
        {editable && (
          <Button onClick={() => setEditing('new')} data-testid="new-programme">
            New programme
          </Button>
        )}
      </Group>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={6} rows={3} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState title="No programmes" />
        ) : (
          <Table data-testid="programmes-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Min. click → event</Table.Th>
                <Table.Th>Max. click age</Table.Th>
                <Table.Th>FTD</Table.Th>
                <Table.Th>Qualifying deposit</Table.Th>
                <Table.Th>Changed</Table.Th>
                {editable && <Table.Th />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((p) => (
                <Table.Tr key={p.id} data-testid="programme-row" data-name={p.name}>
                  <Table.Td>
                    <Group gap={6}>
                      <Text size="sm" fw={500}>
                        {p.name}
                      </Text>
                      {p.isDefault && (
                        <Badge size="sm" variant="light">
                          Default
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>{seconds(p.minClickToEventSeconds)}</Table.Td>
                  <Table.Td>
                    {p.maxClickAgeDays} day{p.maxClickAgeDays === 1 ? '' : 's'}
                  </Table.Td>
                  <Table.Td>{FTD_LABELS[p.ftdDefinition].label}</Table.Td>
                  <Table.Td>
                    {p.qualifyingDeposit.amountMinor === 0
                      ? 'any deposit'
                      : formatMoney(p.qualifyingDeposit.amountMinor, p.qualifyingDeposit.currency)}
                  </Table.Td>
                  <Table.Td>
                    <DateTime iso={p.updatedAt} relative />
                  </Table.Td>
                  {editable && (
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        onClick={() => setEditing(p)}
                        data-testid="programme-edit"
                      >
                        Edit
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'New programme' : `Edit ${editing?.name ?? ''}`}
        size="lg"
        closeOnClickOutside={false}
      >
        {editing !== null && (
          <ProgrammeForm programme={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
        )}
      </Modal>
    </>
  );
}

function ProgrammeForm({ programme, onDone }: { programme: Programme | null; onDone: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState(programme?.name ?? '');
  const [minSeconds, setMinSeconds] = useState<number | string>(programme?.minClickToEventSeconds ?? 10);
  const [maxDays, setMaxDays] = useState<number | string>(programme?.maxClickAgeDays ?? 30);
  const [ftd, setFtd] = useState<Programme['ftdDefinition']>(programme?.ftdDefinition ?? 'first_deposit');
  const [currency, setCurrency] = useState(programme?.qualifyingDeposit.currency ?? 'USD');
  const [amount, setAmount] = useState(
    programme
      ? intToDecimal(
          programme.qualifyingDeposit.amountMinor,
          currencyDigits(programme.qualifyingDeposit.currency),
        )
      : '100.00',
  );
  const [isDefault, setIsDefault] = useState(programme?.isDefault ?? false);
  const [amountError, setAmountError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const digits = currencyDigits(currency);
    const amountMinor = parseDecimalToInt(amount, digits);
    if (amountMinor === null) {
      setAmountError(
        digits === 0 ? 'a whole amount, e.g. 100' : `an amount with at most ${digits} decimals, e.g. 100.00`,
      );
      return;
    }
    setAmountError(null);
    setBusy(true);
    errors.clear();
    const fields = {
      name: name.trim(),
      minClickToEventSeconds: typeof minSeconds === 'number' ? minSeconds : Number(minSeconds),
      maxClickAgeDays: typeof maxDays === 'number' ? maxDays : Number(maxDays),
      ftdDefinition: ftd,
      qualifyingDeposit: { amountMinor, currency },
    };
    try {
      if (programme) {
        await api.patch('/api/v1/programmes/{id}', {
          path: { id: programme.id },
          body: {
            ...fields,
            ...(isDefault && !programme.isDefault ? { isDefault: true as const } : {}),
            version: programme.version,
          },
        });
      } else {
        await api.post('/api/v1/programmes', { body: { ...fields, isDefault } });
      }
      await qc.invalidateQueries({ queryKey: ['programmes'] });
      notifications.show({ color: 'green', message: programme ? 'Programme saved' : 'Programme created' });
      onDone();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }

  const depositError =
    amountError ??
    errors.field('qualifyingDeposit.amountMinor') ??
    errors.field('qualifyingDeposit') ??
    undefined;
  return (
    <form onSubmit={submit} noValidate data-testid="programme-form">
      <Stack gap="sm">
        <FormError
          errors={errors}
          shown={['name', 'minClickToEventSeconds', 'maxClickAgeDays', 'ftdDefinition', 'qualifyingDeposit']}
        />
        <TextInput
          label="Name"
          required
          data-autofocus
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.field('name')}
          data-testid="programme-name"
        />
        <Group grow align="flex-start">
          <NumberInput
            label="Minimum seconds from click to event"
            description="Events sooner than this after the click are not attributed to it (bots, click injection). 0 = no minimum."
            min={0}
            max={86_400}
            allowDecimal={false}
            clampBehavior="none"
            value={minSeconds}
            onChange={setMinSeconds}
            error={errors.field('minClickToEventSeconds')}
            data-testid="programme-min-seconds"
          />
          <NumberInput
            label="Maximum click age (days)"
            description="A click older than this no longer attributes a new client."
            min={1}
            max={3650}
            allowDecimal={false}
            clampBehavior="none"
            value={maxDays}
            onChange={setMaxDays}
            error={errors.field('maxClickAgeDays')}
            data-testid="programme-max-days"
          />
        </Group>
        <Select
          label="FTD definition"
          description={FTD_LABELS[ftd].help}
          data={FTD_DEFINITIONS.map((d) => ({ value: d, label: FTD_LABELS[d].label }))}
          value={ftd}
          onChange={(v) => v && setFtd(v as Programme['ftdDefinition'])}
          allowDeselect={false}
          error={errors.field('ftdDefinition')}
        />
        <Group grow align="flex-start">
          <TextInput
            label="Qualifying deposit"
            description="The FTD amount from which a client counts as qualified (0 = any deposit)."
            value={amount}
            onChange={(e) => setAmount(e.currentTarget.value)}
            error={depositError}
            rightSection={
              <Text size="xs" c="dimmed">
                {currency}
              </Text>
            }
            rightSectionWidth={48}
            data-testid="programme-amount"
          />
          <Select
            label="Currency"
            description="An FTD in another currency does not qualify."
            data={CURRENCIES}
            searchable
            value={currency}
            onChange={(v) => v && setCurrency(v)}
            allowDeselect={false}
            error={errors.field('qualifyingDeposit.currency')}
          />
        </Group>
        <Checkbox
          label="The default programme (for links that do not name one)"
          checked={isDefault}
          disabled={programme?.isDefault === true}
          onChange={(e) => setIsDefault(e.currentTarget.checked)}
        />
        {programme && (
          <Alert color="blue" variant="light" p="xs">
            <Text size="sm">
              Changes apply to events received from now on; recorded events keep their result.
            </Text>
          </Alert>
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} data-testid="programme-submit">
            {programme ? 'Save' : 'Create programme'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
