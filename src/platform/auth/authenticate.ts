// Turns a request's credentials (Bearer API key, or session cookie) into an Actor. Sessions expire after an
// idle period and at an absolute limit, and end when their user is disabled.
import type { Kysely } from 'kysely';
import type { DB } from '../db/index.ts';
import { nowIso, nowMs } from '../time.ts';
import type { Actor } from './actor.ts';
import { permissionsFor } from './grants.ts';
import { isRole, type Role } from './permissions.ts';
import { API_KEY_PREFIX, sha256Hex } from './tokens.ts';

export const SESSION_COOKIE = 'pd_session';
const TOUCH_EVERY_MS = 60_000;

export interface SessionActor extends Actor {
  sessionId: string;
  csrfToken: string;
}

export async function actorFromApiKey(db: Kysely<DB>, rawKey: string): Promise<Actor | null> {
  if (!rawKey.startsWith(API_KEY_PREFIX) || rawKey.length > 200) return null;
  const row = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_hash', '=', sha256Hex(rawKey))
    .executeTakeFirst();
  if (!row || row.revoked_at || !isRole(row.role)) return null;
  const lastUsed = row.last_used_at ? Date.parse(row.last_used_at) : 0;
  if (nowMs() - lastUsed > TOUCH_EVERY_MS) {
    await db.updateTable('api_keys').set({ last_used_at: nowIso() }).where('id', '=', row.id).execute();
  }
  return {
    type: 'api_key',
    id: row.id,
    role: row.role,
    partnerId: row.partner_id,
    permissions: await permissionsFor(db, row.role),
    label: `api key ${row.name}`,
  };
}

export async function actorFromSession(
  db: Kysely<DB>,
  token: string,
  idleMinutes: number,
): Promise<SessionActor | null> {
  if (token.length < 20 || token.length > 200) return null;
  const id = sha256Hex(token);
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id as session_id',
      'sessions.csrf_token',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'users.id as user_id',
      'users.email',
      'users.role',
      'users.status',
      'users.partner_id',
      'users.must_change_password',
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  const now = nowMs();
  const idleExpired = now - Date.parse(row.last_seen_at) > idleMinutes * 60_000;
  if (idleExpired || now >= Date.parse(row.expires_at) || row.status !== 'active' || !isRole(row.role)) {
    await db.deleteFrom('sessions').where('id', '=', id).execute();
    return null;
  }
  if (now - Date.parse(row.last_seen_at) > TOUCH_EVERY_MS) {
    await db.updateTable('sessions').set({ last_seen_at: nowIso() }).where('id', '=', id).execute();
  }
  const role = row.role as Role;
  return {
    type: 'user',
    id: row.user_id,
    role,
    partnerId: row.partner_id,
    // A password someone else chose (generated at creation, or set by an administrator) must be replaced first:
    // until then the session can reach only the routes open to any signed-in user (change password, sign out).
    permissions: row.must_change_password === 1 ? new Set() : await permissionsFor(db, role),
    label: row.email,
    sessionId: row.session_id,
    csrfToken: row.csrf_token,
  };
}
