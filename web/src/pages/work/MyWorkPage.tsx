// My work: the tasks assigned to me and the unassigned tasks of my team (overdue first), with the SLA state
// and the actions in place, and the approvals waiting on me.
import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { teamOfRole } from '../../components/work';
import { humanize } from '../../lib/format';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { TaskTable } from './TaskTable';

export function useMyWorkCounts(enabled: boolean) {
  return useQuery({
    queryKey: ['my-work', 'counts'],
    enabled,
    refetchInterval: 60_000,
    queryFn: async () => (await api.get('/api/v1/my-work', { query: { limit: 1 } })).counts,
  });
}

export function MyWorkPage() {
  const { session, can } = useSession();
  const q = useQuery({
    queryKey: ['my-work', 'list'],
    queryFn: () => api.get('/api/v1/my-work', { query: { limit: 200 } }),
    refetchInterval: 60_000,
  });
  const team = teamOfRole(session.user.role);
  const mine = (q.data?.tasks ?? []).filter((t) => t.reason === 'assigned');
  const queue = (q.data?.tasks ?? []).filter((t) => t.reason === 'team');
  const approvals = q.data?.approvals ?? [];
  const c = q.data?.counts;

  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={3}>My work</Title>
        <Group gap="xs">
          <Button component={Link} to="/stalled" variant="default" size="xs">
            Stalled partners
          </Button>
          <Button component={Link} to="/pipeline" variant="default" size="xs">
            Pipeline
          </Button>
        </Group>
      </Group>
      {q.isPending ? (
        <Paper withBorder>
          <TableSkeleton cols={6} rows={6} />
        </Paper>
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, sm: 4 }} mb="sm" spacing="xs">
            <Stat
              label="Overdue"
              value={c?.overdue ?? 0}
              color={c?.overdue ? 'red.7' : undefined}
              testId="count-overdue"
            />
            <Stat
              label="Due soon"
              value={c?.dueSoon ?? 0}
              color={c?.dueSoon ? 'orange.7' : undefined}
              testId="count-due-soon"
            />
            <Stat label="Open tasks" value={c?.open ?? 0} testId="count-open" />
            <Stat label="Approvals" value={c?.approvals ?? 0} testId="count-approvals" />
          </SimpleGrid>

          <Title order={5} mb={6}>
            Assigned to me
          </Title>
          <Paper withBorder mb="md">
            {mine.length === 0 ? (
              <EmptyState title="Nothing is assigned to you">
                {team ? 'Take a task from your team’s queue below.' : 'Tasks assigned to you appear here.'}
              </EmptyState>
            ) : (
              <TaskTable tasks={mine} />
            )}
          </Paper>

          <Title order={5} mb={6}>
            {team ? `${humanize(team)} team queue (unassigned)` : 'Team queue'}
          </Title>
          <Paper withBorder mb="md" data-testid="team-queue">
            {queue.length === 0 ? (
              <EmptyState title="No unassigned task waits on your team">
                {team
                  ? 'New tasks appear here when a partner enters a stage that needs your team.'
                  : 'Your role is not in one of the task teams (Compliance, Finance, Support, Ops).'}
              </EmptyState>
            ) : (
              <TaskTable tasks={queue} />
            )}
          </Paper>

          {can('approvals.read') && (
            <>
              <Group justify="space-between" mb={6}>
                <Title order={5}>Approvals waiting on me</Title>
                <Anchor component={Link} to="/approvals" size="sm" data-testid="my-work-approvals-link">
                  Open approvals
                </Anchor>
              </Group>
              <Paper withBorder>
                {approvals.length === 0 ? (
                  <EmptyState title="No approval waits on you" />
                ) : (
                  <Table>
                    <Table.Tbody>
                      {approvals.slice(0, 10).map((a) => (
                        <Table.Tr key={`${a.kind}-${a.id}`}>
                          <Table.Td w={90}>
                            <Text size="sm" c={a.ageSeconds > 3 * 86400 ? 'red.7' : undefined}>
                              {a.age}
                            </Text>
                          </Table.Td>
                          <Table.Td w={140}>
                            <Badge
                              size="sm"
                              variant="light"
                              color={a.kind === 'terms_approval' ? 'indigo' : 'cyan'}
                            >
                              {a.kind === 'terms_approval' ? `Terms v${a.version}` : humanize(a.documentType)}
                            </Badge>
                          </Table.Td>
                          <Table.Td>
                            <Anchor
                              component={Link}
                              to={`/partners/${a.partner.id}/${a.kind === 'terms_approval' ? 'terms' : 'documents'}`}
                              size="sm"
                            >
                              {a.partner.displayName}
                            </Anchor>
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm" lineClamp={1}>
                              {a.summary}
                            </Text>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                )}
                {approvals.length > 10 && (
                  <Text size="xs" c="dimmed" p="xs">
                    {approvals.length - 10} more in{' '}
                    <Anchor component={Link} to="/approvals" size="xs">
                      Approvals
                    </Anchor>
                  </Text>
                )}
              </Paper>
            </>
          )}
        </>
      )}
    </>
  );
}

function Stat({
  label,
  value,
  color,
  testId,
}: {
  label: string;
  value: number;
  color?: string;
  testId: string;
}) {
  return (
    <Paper withBorder p="xs">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={color} data-testid={testId}>
        {value}
      </Text>
    </Paper>
  );
}
