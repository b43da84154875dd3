// A table of team tasks with their SLA state and, for people who work tasks, the actions in place: assign to
// me, start, complete (with an optional note), reopen (with a reason). The API checks the team and the version.
import { Anchor, Badge, Button, Group, Modal, Stack, Table, Text, Textarea, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import type { Task } from '../../api/types';
import { DateTime, StageBadge } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { hoursLeft, SlaBadge, teamOfRole } from '../../components/work';
import { humanize } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';

/** Query keys every task change refreshes. */
export const TASK_KEYS = [['tasks'], ['my-work'], ['onboarding'], ['pipeline']];

export function TaskTable({
  tasks,
  showPartner = true,
  showReason = false,
}: {
  tasks: (Task & { reason?: 'assigned' | 'team' })[];
  showPartner?: boolean;
  showReason?: boolean;
}) {
  const [completing, setCompleting] = useState<Task | null>(null);
  const [reopening, setReopening] = useState<Task | null>(null);
  return (
    <>
      <Table data-testid="task-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>SLA</Table.Th>
            <Table.Th>Task</Table.Th>
            {showPartner && <Table.Th>Partner</Table.Th>}
            <Table.Th>Team</Table.Th>
            <Table.Th>Assignee</Table.Th>
            <Table.Th>Due</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tasks.map((t) => (
            <Table.Tr key={t.id} data-testid="task-row" data-task-key={t.key} data-status={t.status}>
              <Table.Td>
                <SlaBadge task={t} />
              </Table.Td>
              <Table.Td maw={360}>
                <Text size="sm" fw={500}>
                  {t.title}
                </Text>
                {t.description && (
                  <Text size="xs" c="dimmed" lineClamp={2} title={t.description}>
                    {t.description}
                  </Text>
                )}
                {t.status === 'done' && (
                  <Text size="xs" c="dimmed">
                    Done {t.completedBy ? `by ${t.completedBy}` : ''} ·{' '}
                    <DateTime iso={t.completedAt} relative />
                  </Text>
                )}
                {t.status === 'cancelled' && (
                  <Text size="xs" c="dimmed">
                    Cancelled{t.cancelledReason ? `: ${t.cancelledReason}` : ''}
                  </Text>
                )}
              </Table.Td>
              {showPartner && (
                <Table.Td>
                  <Anchor component={Link} to={`/partners/${t.partner.id}/onboarding`} size="sm">
                    {t.partner.displayName}
                  </Anchor>
                  <div>
                    <StageBadge stage={t.stage} />
                  </div>
                </Table.Td>
              )}
              <Table.Td>
                <Text size="sm">{humanize(t.team)}</Text>
                {showReason && t.reason === 'team' && (
                  <Badge size="xs" variant="outline" color="gray">
                    team queue
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                {t.assignee?.name ?? (
                  <Text span size="sm" c="dimmed">
                    Unassigned
                  </Text>
                )}
                {t.status === 'in_progress' && (
                  <Badge size="xs" ml={4} variant="light">
                    in progress
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                <Tooltip label={t.slaBusinessHours ? `SLA ${t.slaBusinessHours} business hours` : 'No SLA'}>
                  <span>
                    <DateTime iso={t.dueAt} />
                  </span>
                </Tooltip>
                {t.businessHoursLeft !== null && t.status !== 'done' && (
                  <Text size="xs" c={t.businessHoursLeft < 0 ? 'red.7' : 'dimmed'}>
                    {hoursLeft(t.businessHoursLeft)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <TaskActions task={t} onComplete={setCompleting} onReopen={setReopening} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <TaskNoteModal task={completing} mode="complete" onClose={() => setCompleting(null)} />
      <TaskNoteModal task={reopening} mode="reopen" onClose={() => setReopening(null)} />
    </>
  );
}

function TaskActions({
  task,
  onComplete,
  onReopen,
}: {
  task: Task;
  onComplete: (t: Task) => void;
  onReopen: (t: Task) => void;
}) {
  const { session, can } = useSession();
  const qc = useQueryClient();
  const [busy, setBusy] = useState<string | null>(null);
  const me = session.via === 'session' ? session.user : null;
  const role = session.user.role;
  const mayWork =
    can('tasks.work') && (role === 'admin' || role === 'team_lead' || teamOfRole(role) === task.team);
  if (!mayWork) return null;

  async function run(what: string, fn: () => Promise<unknown>) {
    setBusy(what);
    try {
      await fn();
      await Promise.all(TASK_KEYS.map((k) => qc.invalidateQueries({ queryKey: k })));
      notifications.show({ color: 'green', message: `${task.title}: ${what}` });
    } catch (err) {
      const e = err as Error;
      notifications.show({
        color: 'red',
        title: `Could not ${what.toLowerCase()}`,
        message: e.message,
        autoClose: 8000,
      });
      await qc.invalidateQueries({ queryKey: ['my-work'] });
    } finally {
      setBusy(null);
    }
  }
  const path = { id: task.id };
  const version = task.version;
  return (
    <Group gap={4} justify="flex-end" wrap="nowrap">
      {task.status === 'open' && me && task.assignee?.id !== me.id && (
        <Button
          size="compact-xs"
          variant="light"
          loading={busy === 'Assigned to me'}
          data-testid="task-take"
          onClick={() =>
            void run('Assigned to me', () =>
              api.post('/api/v1/tasks/{id}/assign', { path, body: { assigneeId: me.id, version } }),
            )
          }
        >
          Take
        </Button>
      )}
      {task.status === 'open' && (
        <Button
          size="compact-xs"
          variant="light"
          loading={busy === 'Started'}
          data-testid="task-start"
          onClick={() =>
            void run('Started', () => api.post('/api/v1/tasks/{id}/start', { path, body: { version } }))
          }
        >
          Start
        </Button>
      )}
      {(task.status === 'open' || task.status === 'in_progress') && (
        <Button size="compact-xs" color="green" data-testid="task-complete" onClick={() => onComplete(task)}>
          Complete
        </Button>
      )}
      {task.status === 'done' && (
        <Button
          size="compact-xs"
          variant="subtle"
          color="gray"
          data-testid="task-reopen"
          onClick={() => onReopen(task)}
        >
          Reopen
        </Button>
      )}
    </Group>
  );
}

function TaskNoteModal({
  task,
  mode,
  onClose,
}: {
  task: Task | null;
  mode: 'complete' | 'reopen';
  onClose: () => void;
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const close = () => {
    setNote('');
    errors.clear();
    onClose();
  };
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!task) return;
    setBusy(true);
    errors.clear();
    try {
      const path = { id: task.id };
      if (mode === 'complete')
        await api.post('/api/v1/tasks/{id}/complete', {
          path,
          body: { ...(note.trim() ? { note: note.trim() } : {}), version: task.version },
        });
      else
        await api.post('/api/v1/tasks/{id}/reopen', {
          path,
          body: { reason: note.trim(), version: task.version },
        });
      await Promise.all(TASK_KEYS.map((k) => qc.invalidateQueries({ queryKey: k })));
      notifications.show({
        color: 'green',
        message: `${task.title}: ${mode === 'complete' ? 'done' : 'reopened'}`,
      });
      close();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal
      opened={task !== null}
      onClose={close}
      title={task ? `${mode === 'complete' ? 'Complete' : 'Reopen'}: ${task.title}` : ''}
    >
      <form onSubmit={submit} noValidate data-testid="task-note-form">
        <Stack gap="sm">
          {task && (
            <Text size="sm" c="dimmed">
              {task.partner.displayName} · {humanize(task.stage)} · {humanize(task.team)}
            </Text>
          )}
          <FormError errors={errors} shown={['note', 'reason']} />
          <Textarea
            label={mode === 'complete' ? 'Note (optional): what was done' : 'Why is it reopened?'}
            required={mode === 'reopen'}
            autosize
            minRows={2}
            data-autofocus
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            error={errors.field('note') ?? errors.field('reason')}
            data-testid="task-note"
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              type="submit"
              color={mode === 'complete' ? 'green' : 'blue'}
              loading={busy}
              disabled={mode === 'reopen' && !note.trim()}
              data-testid="task-note-submit"
            >
              {mode === 'complete' ? 'Complete task' : 'Reopen task'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
