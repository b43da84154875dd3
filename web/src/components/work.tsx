// Badges for the onboarding and work screens: SLA state of a task, state of a gate item, who owes an item,
// risk-flag severity. One colour per meaning everywhere (red overdue/unmet, orange due soon, grey paused).
import { Badge, Tooltip } from '@mantine/core';
import type { GateItem, Task } from '../api/types';
import { humanize } from '../lib/format';

const SLA_LABELS: Record<Task['slaState'], string> = {
  on_track: 'On track',
  due_soon: 'Due soon',
  overdue: 'Overdue',
  paused: 'Paused',
  done: 'Done',
};
const SLA_COLORS: Record<Task['slaState'], string> = {
  on_track: 'green',
  due_soon: 'orange',
  overdue: 'red',
  paused: 'gray',
  done: 'teal',
};

/** "3.5 h left" / "12 h overdue" from business hours left. */
export function hoursLeft(h: number | null): string {
  if (h === null) return '';
  const abs = Math.abs(h);
  const text =
    abs >= 16 ? `${Math.round((abs / 8) * 10) / 10} business days` : `${Math.round(abs * 10) / 10} h`;
  return h < 0 ? `${text} overdue` : `${text} left`;
}

export function SlaBadge({ task }: { task: Pick<Task, 'slaState' | 'businessHoursLeft' | 'pausedReason'> }) {
  const tip =
    task.slaState === 'paused'
      ? `Clock paused${task.pausedReason ? `: ${task.pausedReason}` : ''}`
      : hoursLeft(task.businessHoursLeft);
  const badge = (
    <Badge
      size="sm"
      variant="light"
      color={SLA_COLORS[task.slaState]}
      data-testid="sla-badge"
      data-sla={task.slaState}
    >
      {SLA_LABELS[task.slaState]}
    </Badge>
  );
  return tip ? <Tooltip label={tip}>{badge}</Tooltip> : badge;
}

const ITEM_STATE: Record<GateItem['state'], { label: string; color: string }> = {
  met: { label: 'Met', color: 'green' },
  unmet: { label: 'Unmet', color: 'red' },
  not_available: { label: 'Not available yet', color: 'gray' },
};

export function ItemStateBadge({ state }: { state: GateItem['state'] }) {
  const s = ITEM_STATE[state];
  return (
    <Badge
      size="sm"
      variant={state === 'met' ? 'filled' : 'light'}
      color={s.color}
      miw={70}
      data-testid="item-state"
      data-state={state}
    >
      {s.label}
    </Badge>
  );
}

/** Who owes a gate item: a role, or the system (and whose action makes it true). */
export function ownerText(owner: GateItem['owner']): string {
  if ('role' in owner) return humanize(owner.role);
  return owner.actionBy ? `System · needs ${humanize(owner.actionBy)}` : 'System';
}

const SEVERITY_COLORS: Record<string, string> = {
  low: 'gray',
  medium: 'yellow',
  high: 'orange',
  critical: 'red',
};

export function SeverityBadge({ severity }: { severity: string }) {
  return (
    <Badge size="sm" variant="light" color={SEVERITY_COLORS[severity] ?? 'gray'}>
      {humanize(severity)}
    </Badge>
  );
}

export const TEAMS = ['compliance', 'finance', 'support', 'ops'] as const satisfies readonly Task['team'][];

/** The team a role works for (mirrors src/modules/tasks/teams.ts); null for roles outside the four teams. */
export function teamOfRole(role: string): Task['team'] | null {
  return (TEAMS as readonly string[]).includes(role) ? (role as Task['team']) : null;
}

/** Days in stage coloured by how long it has been (amber from a week, red from two). */
export function stalledColor(days: number): string | undefined {
  if (days >= 14) return 'red.7';
  if (days >= 7) return 'orange.7';
  return undefined;
}
