// The pipeline board: one column per gate stage (intake → handover) with a card per partner (days in stage,
// blocking items, owner, open tasks), then the count of active partners and the side states. Filters live in
// the URL. A card opens the partner's onboarding tab.
import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  ScrollArea,
  Select,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, type ResponseOf } from '../../api/client';
import { StageBadge } from '../../components/bits';
import { EmptyState, ErrorState } from '../../components/states';
import { stalledColor, TEAMS } from '../../components/work';
import { humanize } from '../../lib/format';
import { options, PARTNER_TYPES, TYPE_LABELS } from '../../lib/reference';
import { Link } from '../../lib/router';
import { useUrlState } from '../../lib/url-state';
import { useOwnerOptions } from '../partners/owners';

type Pipeline = ResponseOf<'/api/v1/onboarding/pipeline', 'get'>;
type Column = Pipeline['columns'][number];
type Card = Column['partners'][number];

const GATE = ['intake', 'due_diligence', 'tracking_setup', 'activation_readiness', 'handover'];
const FILTER_KEYS = ['ownerId', 'type', 'team'] as const;

export function PipelinePage() {
  const [f, setF] = useUrlState(FILTER_KEYS);
  const owners = useOwnerOptions();
  const query = {
    ownerId: f.ownerId || undefined,
    type: (f.type || undefined) as (typeof PARTNER_TYPES)[number] | undefined,
    team: (f.team || undefined) as (typeof TEAMS)[number] | undefined,
  };
  const q = useQuery({
    queryKey: ['pipeline', query],
    queryFn: ({ signal }) => api.get('/api/v1/onboarding/pipeline', { query, signal }),
    refetchInterval: 60_000,
  });
  const filtered = Boolean(f.ownerId || f.type || f.team);
  const columns = q.data?.columns ?? [];
  const gate = columns.filter((c) => GATE.includes(c.stage));
  const rest = columns.filter((c) => !GATE.includes(c.stage));
  const inFlight = gate.reduce((n, c) => n + c.count, 0);

  return (
    <>
      <Group justify="space-between" mb="sm">
        <Group gap="sm">
          <Title order={3}>Pipeline</Title>
          {q.data && (
            <Text size="sm" c="dimmed">
              {inFlight} in onboarding
            </Text>
          )}
        </Group>
        <Group gap="xs">
          <Button component={Link} to="/stalled" variant="default" size="xs">
            Stalled partners
          </Button>
          <Button component={Link} to="/reports/activation" variant="default" size="xs">
            Activation timelines
          </Button>
        </Group>
      </Group>
      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs" align="flex-end">
          <Select
            placeholder="BDM (owner)"
            data={owners.options}
            value={f.ownerId || null}
            onChange={(v) => setF({ ownerId: v })}
            clearable
            searchable
            w={190}
            data-testid="pipeline-owner"
            aria-label="Filter by owner"
          />
          <Select
            placeholder="Type"
            data={options(PARTNER_TYPES, TYPE_LABELS)}
            value={f.type || null}
            onChange={(v) => setF({ type: v })}
            clearable
            w={130}
            data-testid="pipeline-type"
            aria-label="Filter by type"
          />
          <Tooltip label="Only partners with a blocking item this team owes" openDelay={300}>
            <Select
              placeholder="Team owes"
              data={TEAMS.map((t) => ({ value: t, label: humanize(t) }))}
              value={f.team || null}
              onChange={(v) => setF({ team: v })}
              clearable
              w={140}
              data-testid="pipeline-team"
              aria-label="Filter by team that owes a blocking item"
            />
          </Tooltip>
          {filtered && (
            <Button variant="subtle" onClick={() => setF({ ownerId: null, type: null, team: null })}>
              Clear filters
            </Button>
          )}
          <Text size="xs" c="dimmed" ml="auto">
            Days in stage:{' '}
            <Text span c="orange.7" fw={600} size="xs">
              7+
            </Text>{' '}
            ·{' '}
            <Text span c="red.7" fw={600} size="xs">
              14+
            </Text>
          </Text>
        </Group>
      </Paper>

      {q.isPending ? (
        <Group align="flex-start" gap="sm" wrap="nowrap" data-testid="loading">
          {GATE.map((s) => (
            <Paper key={s} withBorder miw={186} h={300} bg="gray.1" style={{ flex: '1 1 0' }} />
          ))}
        </Group>
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : inFlight === 0 && filtered ? (
        <EmptyState
          title="No partner in onboarding matches these filters"
          action={
            <Button variant="light" onClick={() => setF({ ownerId: null, type: null, team: null })}>
              Clear filters
            </Button>
          }
        />
      ) : (
        <ScrollArea type="auto" offsetScrollbars>
          <Group align="flex-start" gap="sm" wrap="nowrap" data-testid="pipeline-board">
            {gate.map((c) => (
              <StageColumn key={c.stage} column={c} />
            ))}
            <Stack gap="xs" w={130} style={{ flexShrink: 0 }}>
              {rest.map((c) => (
                <Paper
                  key={c.stage}
                  withBorder
                  p="xs"
                  component={Link}
                  to={`/partners?stage=${c.stage}${f.type ? `&type=${f.type}` : ''}${f.ownerId ? `&ownerId=${f.ownerId}` : ''}`}
                  className="pd-row-link"
                  data-testid={`pipeline-side-${c.stage}`}
                  style={{ textDecoration: 'none', color: 'inherit', display: 'block' }}
                >
                  <Group justify="space-between">
                    <StageBadge stage={c.stage} />
                    <Text fw={700}>{c.count}</Text>
                  </Group>
                </Paper>
              ))}
              <Text size="xs" c="dimmed">
                Active and side states open the partners list filtered by stage.
              </Text>
            </Stack>
          </Group>
        </ScrollArea>
      )}
    </>
  );
}

function StageColumn({ column }: { column: Column }) {
  const cards = [...column.partners].sort(
    (a, b) => b.daysInStage - a.daysInStage || b.blockingCount - a.blockingCount,
  );
  return (
    <Paper
      withBorder
      bg="gray.1"
      p={6}
      miw={186}
      style={{ flex: '1 1 0' }}
      data-testid={`pipeline-column-${column.stage}`}
    >
      <Group justify="space-between" px={4} mb={6}>
        <Text fw={700} size="sm">
          {column.label}
        </Text>
        <Badge size="sm" variant="white" color="dark">
          {column.count}
        </Badge>
      </Group>
      <ScrollArea.Autosize mah="calc(100vh - 250px)" type="auto" offsetScrollbars scrollbarSize={6}>
        <Stack gap={6}>
          {cards.length === 0 && (
            <Text size="xs" c="dimmed" ta="center" py="md">
              Nobody here
            </Text>
          )}
          {cards.map((p) => (
            <PipelineCard key={p.id} card={p} />
          ))}
          {column.count > cards.length && (
            <Anchor component={Link} to={`/partners?stage=${column.stage}`} size="xs" ta="center">
              {column.count - cards.length} more in the partners list
            </Anchor>
          )}
        </Stack>
      </ScrollArea.Autosize>
    </Paper>
  );
}

function PipelineCard({ card }: { card: Card }) {
  const daysColor = stalledColor(card.daysInStage);
  return (
    <Paper
      withBorder
      p={6}
      component={Link}
      to={`/partners/${card.id}/onboarding`}
      className="pd-row-link"
      data-testid="pipeline-card"
      data-partner-id={card.id}
      style={{ textDecoration: 'none', color: 'inherit', display: 'block' }}
    >
      <Text size="sm" fw={600} lineClamp={1} title={card.displayName}>
        {card.displayName}
      </Text>
      <Text size="xs" c="dimmed" lineClamp={1}>
        {TYPE_LABELS[card.type] ?? card.type} · {card.owner?.name ?? 'no owner'}
      </Text>
      <Group gap={6} mt={4} wrap="nowrap">
        <Tooltip
          label={
            card.enteredAtExact
              ? 'Days in this stage'
              : 'At least this many days (entered before history was kept)'
          }
        >
          <Text size="xs" fw={daysColor ? 700 : 500} c={daysColor} data-testid="card-days">
            {card.enteredAtExact ? '' : '≥'}
            {card.daysInStage} d
          </Text>
        </Tooltip>
        {card.blockingCount > 0 ? (
          <Tooltip label="Blocking gate items not met">
            <Badge size="xs" color="red" variant="light" data-testid="card-blocking">
              {card.blockingCount} blocking
            </Badge>
          </Tooltip>
        ) : (
          <Badge size="xs" color="green" variant="light">
            gate holds
          </Badge>
        )}
        {card.openTasks > 0 && (
          <Tooltip
            label={`${card.openTasks} open task(s)${card.overdueTasks ? `, ${card.overdueTasks} overdue` : ''}`}
          >
            <Badge
              size="xs"
              color={card.overdueTasks ? 'red' : 'gray'}
              variant={card.overdueTasks ? 'filled' : 'light'}
            >
              {card.openTasks} task{card.openTasks === 1 ? '' : 's'}
            </Badge>
          </Tooltip>
        )}
      </Group>
    </Paper>
  );
}
