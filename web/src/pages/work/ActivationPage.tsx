// Activation timelines: how long partners take from intake to active, median days per stage and per BDM,
// and each partner's time in every stage — for a window of intake dates, as it stood at any past instant.
import { BarChart } from '@mantine/charts';
import {
  Anchor,
  Badge,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { StageBadge } from '../../components/bits';
import { BlockSkeleton, EmptyState, ErrorState } from '../../components/states';
import { humanize } from '../../lib/format';
import { MAIN_STAGES, options, PARTNER_TYPES, TYPE_LABELS } from '../../lib/reference';
import { Link } from '../../lib/router';
import { useUrlState } from '../../lib/url-state';
import { useOwnerOptions } from '../partners/owners';

const KEYS = ['from', 'to', 'asOf', 'ownerId', 'type'] as const;
const GATE = MAIN_STAGES.slice(0, 5) as readonly string[];
const days = (d: number | null | undefined) => (d === null || d === undefined ? '—' : d.toFixed(1));

export function ActivationPage() {
  const [f, setF] = useUrlState(KEYS);
  const owners = useOwnerOptions();
  const query = {
    from: f.from || undefined,
    to: f.to || undefined,
    asOf: f.asOf || undefined,
    ownerId: f.ownerId || undefined,
    type: (f.type || undefined) as (typeof PARTNER_TYPES)[number] | undefined,
  };
  const q = useQuery({
    queryKey: ['timelines', query],
    queryFn: ({ signal }) => api.get('/api/v1/onboarding/timelines', { query, signal }),
  });
  const s = q.data?.summary;
  const chart = (s?.stages ?? [])
    .filter((x) => GATE.includes(x.stage))
    .map((x) => ({ stage: humanize(x.stage), 'Median days': x.medianDays ?? 0 }));

  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={3}>Activation timelines</Title>
        <Anchor component={Link} to="/pipeline" size="sm">
          Pipeline board
        </Anchor>
      </Group>
      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs" align="flex-end">
          <TextInput
            label="Intake from"
            type="date"
            value={f.from}
            onChange={(e) => setF({ from: e.currentTarget.value })}
            w={150}
            data-testid="timelines-from"
          />
          <TextInput
            label="Intake before"
            type="date"
            value={f.to}
            onChange={(e) => setF({ to: e.currentTarget.value })}
            w={150}
          />
          <Tooltip label="Compute as it stood at the start of this day (00:00 UTC); empty = now">
            <TextInput
              label="As of"
              type="date"
              value={f.asOf}
              onChange={(e) => setF({ asOf: e.currentTarget.value })}
              w={150}
              data-testid="timelines-asof"
            />
          </Tooltip>
          <Select
            label="BDM (owner)"
            placeholder="Anyone"
            data={owners.options}
            value={f.ownerId || null}
            onChange={(v) => setF({ ownerId: v })}
            clearable
            searchable
            w={180}
          />
          <Select
            label="Type"
            placeholder="Any"
            data={options(PARTNER_TYPES, TYPE_LABELS)}
            value={f.type || null}
            onChange={(v) => setF({ type: v })}
            clearable
            w={130}
          />
        </Group>
      </Paper>
      {q.isPending ? (
        <BlockSkeleton lines={10} />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.partners.length === 0 ? (
        <EmptyState title="No partner in this window">Widen the intake dates or remove a filter.</EmptyState>
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, md: 3 }} mb="sm" spacing="sm">
            <Paper withBorder p="sm">
              <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                Median intake → active
              </Text>
              <Text size="xl" fw={700} data-testid="median-intake-to-active">
                {days(s?.intakeToActive.medianDays)} days
              </Text>
              <Text size="xs" c="dimmed">
                over {s?.intakeToActive.activations ?? 0} activation(s) · {q.data.partners.length} partner(s)
                in the window
              </Text>
            </Paper>
            <Paper withBorder p="sm" style={{ gridColumn: 'span 2' }}>
              <Text size="xs" c="dimmed" tt="uppercase" fw={700} mb={4}>
                Median days per stage
              </Text>
              <BarChart
                h={160}
                data={chart}
                dataKey="stage"
                series={[{ name: 'Median days', color: 'blue.6' }]}
                tickLine="y"
                data-testid="stage-chart"
              />
            </Paper>
          </SimpleGrid>

          <Title order={5} mb={6}>
            Per BDM
          </Title>
          <Paper withBorder mb="md">
            <Table data-testid="timelines-by-owner">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>BDM</Table.Th>
                  <Table.Th>Activations</Table.Th>
                  <Table.Th>Median intake → active (days)</Table.Th>
                  {GATE.map((st) => (
                    <Table.Th key={st}>{humanize(st)}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(s?.byOwner ?? []).map((o) => (
                  <Table.Tr key={o.owner?.id ?? 'none'}>
                    <Table.Td>
                      {o.owner?.name ?? (
                        <Text span c="dimmed" size="sm">
                          No owner
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{o.activations}</Table.Td>
                    <Table.Td fw={600}>{days(o.medianIntakeToActiveDays)}</Table.Td>
                    {GATE.map((st) => (
                      <Table.Td key={st}>{days(o.stages.find((x) => x.stage === st)?.medianDays)}</Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Paper>

          <Title order={5} mb={6}>
            Per partner (days in each stage)
          </Title>
          <Paper withBorder style={{ overflowX: 'auto' }}>
            <Table data-testid="timelines-partners" stickyHeader>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Partner</Table.Th>
                  <Table.Th>Now</Table.Th>
                  <Table.Th>Owner</Table.Th>
                  {GATE.map((st) => (
                    <Table.Th key={st}>{humanize(st)}</Table.Th>
                  ))}
                  <Table.Th>Intake → active</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {q.data.partners.map((p) => (
                  <Table.Tr key={p.partnerId}>
                    <Table.Td>
                      <Anchor component={Link} to={`/partners/${p.partnerId}/onboarding`} size="sm">
                        {p.displayName}
                      </Anchor>
                      <Text size="xs" c="dimmed">
                        {TYPE_LABELS[p.type] ?? p.type}
                      </Text>
                    </Table.Td>
                    <Table.Td>{p.currentStage ? <StageBadge stage={p.currentStage} /> : '—'}</Table.Td>
                    <Table.Td>{p.owner?.name ?? '—'}</Table.Td>
                    {GATE.map((st) => {
                      const x = p.stages.find((y) => y.stage === st);
                      if (!x) return <Table.Td key={st}>—</Table.Td>;
                      return (
                        <Table.Td key={st}>
                          <Tooltip
                            label={`${x.visits} visit(s)${x.open ? ', still there' : ''}${x.exact ? '' : ', started before history was kept'}`}
                          >
                            <Text size="sm" fw={x.open ? 700 : undefined} c={x.open ? 'blue.7' : undefined}>
                              {x.exact ? '' : '≥'}
                              {days(x.days)}
                            </Text>
                          </Tooltip>
                        </Table.Td>
                      );
                    })}
                    <Table.Td>
                      {p.intakeToActiveDays !== null ? (
                        <Badge variant="light" color="green">
                          {days(p.intakeToActiveDays)}
                        </Badge>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
          <Text size="xs" c="dimmed" mt="xs">
            Blue bold: the stage the partner is in now (still counting). ≥: it was in the stage before history
            was kept.
          </Text>
        </>
      )}
    </>
  );
}
