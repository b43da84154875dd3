// Who is doing something. Every service call receives an Actor and checks it; routes never decide alone.
import { forbidden } from '../errors.ts';
import type { Permission, Role } from './permissions.ts';

export interface Actor {
  type: 'user' | 'api_key' | 'system';
  id: string;
  role: Role;
  /** Set for partner-role actors: the only partner they may see. */
  partnerId: string | null;
  permissions: ReadonlySet<Permission>;
  /** Display label for logs; not written into the hashed audit fields. */
  label: string;
}

export interface RequestContext {
  actor: Actor;
  requestId: string | null;
  ip?: string | null;
}

export function can(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has(permission);
}

export function assertCan(actor: Actor, permission: Permission): void {
  if (!actor.permissions.has(permission)) {
    throw forbidden(`Your role (${actor.role}) does not have the "${permission}" permission.`);
  }
}

/** The system actor: used by the CLI, migrations and background jobs. */
export function systemActor(permissions: Iterable<Permission>, label = 'system'): Actor {
  return { type: 'system', id: 'system', role: 'admin', partnerId: null, permissions: new Set(permissions), label };
}
