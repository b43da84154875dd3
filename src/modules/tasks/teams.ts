// The teams that own tasks and which roles belong to them. A team lead or an admin may act for any team.
import type { Role } from '../../platform/auth/permissions.ts';

export const TEAMS = ['compliance', 'finance', 'support', 'ops'] as const;
export type Team = (typeof TEAMS)[number];

export const TASK_STATUSES = ['open', 'in_progress', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const OPEN_STATUSES: TaskStatus[] = ['open', 'in_progress'];

const ROLE_TEAM: Partial<Record<Role, Team>> = {
  compliance: 'compliance',
  finance: 'finance',
  support: 'support',
  ops: 'ops',
};

/** The team a role belongs to, or null (team leads, admins, BDMs and others are in no team). */
export function teamOfRole(role: string): Team | null {
  return ROLE_TEAM[role as Role] ?? null;
}

/** Whether someone of this role may take and work tasks of the team. */
export function mayWorkForTeam(role: string, team: string): boolean {
  return role === 'admin' || role === 'team_lead' || teamOfRole(role) === team;
}
