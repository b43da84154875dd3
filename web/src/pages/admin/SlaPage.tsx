// SLA policies (business hours per team and task key; '*' is the team's default) and the business calendar
// the hours are counted in. Each is replaced as a whole; changes apply to tasks created from now on.
import {
  ActionIcon,
  Button,
  Chip,
  Group,
  NumberInput,
  Paper,
  Select,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import type { BusinessCalendar, SlaPolicy } from '../../api/types';
import { FormError } from '../../components/FormError';
import { BlockSkeleton, ErrorState } from '../../components/states';
import { TEAMS } from '../../components/work';
import { humanize } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';

export function SlaPage() {
  const pol = useQuery({ queryKey: ['sla-policies'], queryFn: () => api.get('/api/v1/sla-policies') });
  const cal = useQuery({
    queryKey: ['business-calendar'],
    queryFn: () => api.get('/api/v1/business-calendar'),
  });
  return (
    <>
      <Title order={3} mb="sm">
        SLA policies and business calendar
      </Title>
      <Stack gap="md">
        {pol.isPending ? (
          <BlockSkeleton />
        ) : pol.isError ? (
          <ErrorState error={pol.error} onRetry={() => void pol.refetch()} />
        ) : (
          <PoliciesEditor key={JSON.stringify(pol.data.data)} initial={pol.data.data} />
        )}
        {cal.isPending ? (
          <BlockSkeleton />
        ) : cal.isError ? (
          <ErrorState error={cal.error} onRetry={() => void cal.refetch()} />
        ) : (
          <CalendarEditor key={JSON.stringify(cal.data)} initial={cal.data} />
        )}
      </Stack>
    </>
  );
}

function PoliciesEditor({ initial }: { initial: SlaPolicy[] }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [rows, setRows] = useState<SlaPolicy[]>(initial);
  const [busy, setBusy] = useState(false);
  const dirty = JSON.stringify(rows) !== JSON.stringify(initial);
  const update = (i: number, patch: Partial<SlaPolicy>) =>
    setRows((r) => r.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  async function save() {
    setBusy(true);
    errors.clear();
    try {
      await api.put('/api/v1/sla-policies', { body: { policies: rows } });
      await qc.invalidateQueries({ queryKey: ['sla-policies'] });
      notifications.show({
        color: 'green',
        message: 'SLA policies saved; they apply to tasks created from now on',
      });
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  const sorted = rows
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) =>
        a.r.team.localeCompare(b.r.team) ||
        (a.r.taskKey === '*' ? -1 : b.r.taskKey === '*' ? 1 : a.r.taskKey.localeCompare(b.r.taskKey)),
    );
  return (
    <Paper withBorder p="sm" data-testid="sla-policies">
      <Group justify="space-between" mb="xs">
        <div>
          <Title order={5}>SLA policies</Title>
          <Text size="xs" c="dimmed">
            Business hours to finish a task, per team and task key. “*” is the team’s default; every team
            keeps one.
          </Text>
        </div>
        <Group gap="xs">
          <Button
            variant="default"
            onClick={() => setRows((r) => [...r, { team: 'ops', taskKey: '', businessHours: 8 }])}
            data-testid="sla-add"
          >
            Add a policy
          </Button>
          <Button onClick={() => void save()} loading={busy} disabled={!dirty} data-testid="sla-save">
            Save policies
          </Button>
        </Group>
      </Group>
      <FormError errors={errors} />
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Team</Table.Th>
            <Table.Th>Task key</Table.Th>
            <Table.Th>Business hours</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sorted.map(({ r, i }) => (
            <Table.Tr key={i}>
              <Table.Td>
                <Select
                  data={TEAMS.map((t) => ({ value: t, label: humanize(t) }))}
                  value={r.team}
                  onChange={(v) => v && update(i, { team: v as SlaPolicy['team'] })}
                  allowDeselect={false}
                  w={150}
                  size="xs"
                  aria-label="Team"
                  error={errors.field(`policies.${i}.team`)}
                />
              </Table.Td>
              <Table.Td>
                <TextInput
                  value={r.taskKey}
                  onChange={(e) => update(i, { taskKey: e.currentTarget.value })}
                  placeholder="verify_payout_details or *"
                  w={240}
                  size="xs"
                  className="pd-mono"
                  aria-label="Task key"
                  error={errors.field(`policies.${i}.taskKey`)}
                />
              </Table.Td>
              <Table.Td>
                <NumberInput
                  value={r.businessHours}
                  onChange={(v) => update(i, { businessHours: typeof v === 'number' ? v : Number(v) || 0 })}
                  min={0.5}
                  max={2000}
                  step={1}
                  decimalScale={2}
                  w={120}
                  size="xs"
                  aria-label="Business hours"
                  error={errors.field(`policies.${i}.businessHours`)}
                />
              </Table.Td>
              <Table.Td>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label="Remove policy"
                  onClick={() => setRows((x) => x.filter((_, j) => j !== i))}
                >
                  ×
                </ActionIcon>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function CalendarEditor({ initial }: { initial: BusinessCalendar }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [c, setC] = useState<BusinessCalendar>(initial);
  const [busy, setBusy] = useState(false);
  const dirty = JSON.stringify(c) !== JSON.stringify(initial);
  const zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.(
    'timeZone',
  ) ?? [c.timeZone];
  async function save() {
    setBusy(true);
    errors.clear();
    try {
      await api.put('/api/v1/business-calendar', { body: c });
      await qc.invalidateQueries({ queryKey: ['business-calendar'] });
      notifications.show({ color: 'green', message: 'Business calendar saved' });
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Paper withBorder p="sm" data-testid="business-calendar">
      <Group justify="space-between" mb="xs">
        <div>
          <Title order={5}>Business calendar</Title>
          <Text size="xs" c="dimmed">
            SLA clocks count only working hours on working days, skipping holidays.
          </Text>
        </div>
        <Button onClick={() => void save()} loading={busy} disabled={!dirty} data-testid="calendar-save">
          Save calendar
        </Button>
      </Group>
      <FormError errors={errors} shown={['timeZone', 'workingDays', 'start', 'end', 'holidays']} />
      <Stack gap="sm">
        <Group align="flex-end" gap="xs">
          <Select
            label="Time zone"
            data={zones.includes(c.timeZone) ? zones : [c.timeZone, ...zones]}
            value={c.timeZone}
            onChange={(v) => v && setC({ ...c, timeZone: v })}
            searchable
            allowDeselect={false}
            w={240}
            error={errors.field('timeZone')}
          />
          <TextInput
            label="Day starts"
            placeholder="09:00"
            value={c.start}
            onChange={(e) => setC({ ...c, start: e.currentTarget.value })}
            w={100}
            error={errors.field('start')}
          />
          <TextInput
            label="Day ends"
            placeholder="18:00"
            value={c.end}
            onChange={(e) => setC({ ...c, end: e.currentTarget.value })}
            w={100}
            error={errors.field('end')}
          />
        </Group>
        <div>
          <Text size="sm" fw={500} mb={4}>
            Working days
          </Text>
          <Chip.Group
            multiple
            value={c.workingDays.map(String)}
            onChange={(v) => setC({ ...c, workingDays: v.map(Number).sort((a, b) => a - b) })}
          >
            <Group gap={4}>
              {WEEKDAYS.map((d, i) => (
                <Chip key={d} value={String(i + 1)} size="xs">
                  {d}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
          {errors.field('workingDays') && (
            <Text size="xs" c="red">
              {errors.field('workingDays')}
            </Text>
          )}
        </div>
        <TagsInput
          label="Holidays (YYYY-MM-DD, Enter after each)"
          value={c.holidays}
          onChange={(v) => setC({ ...c, holidays: v })}
          error={errors.under('holidays').join('; ') || undefined}
          maw={700}
        />
      </Stack>
    </Paper>
  );
}
