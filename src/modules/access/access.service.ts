// Users, sessions and API keys: creating them, signing in and out, and the first-start bootstrap.
import type { RequestContext } from '../../platform/auth/actor.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../../platform/auth/passwords.ts';
import { type Role, isRole } from '../../platform/auth/permissions.ts';
import { newApiKey, newToken, sha256Hex } from '../../platform/auth/tokens.ts';
import { AppError, conflict, invalidField } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso, nowMs } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { ACCOUNT_LIMIT, IP_LIMIT, clearFailures, lockedFor, recordFailure } from './throttle.ts';

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: 'active' | 'disabled';
  partnerId: string | null;
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
}

type UserRow = {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
  partner_id: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
};

export function presentUser(u: UserRow): UserView {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role as Role,
    status: u.status as 'active' | 'disabled',
    partnerId: u.partner_id,
    lastLoginAt: u.last_login_at,
    createdAt: u.created_at,
    updatedAt: u.updated_at,
  };
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
  partnerId?: string | null;
}

export async function createUser(store: Store, ctx: RequestContext, input: NewUser): Promise<UserView> {
  const email = input.email.trim().toLowerCase();
  const problem = passwordProblem(input.password, email);
  if (problem) throw invalidField('body.password', `Password ${problem}.`);
  if (!isRole(input.role)) throw invalidField('body.role', `Unknown role "${input.role}".`);
  if (input.role === 'partner' && !input.partnerId) {
    throw invalidField('body.partnerId', 'A partner user must belong to a partner (partnerId).');
  }
  if (input.role !== 'partner' && input.partnerId) {
    throw invalidField('body.partnerId', 'Only partner users belong to a partner.');
  }
  const passwordHash = await hashPassword(input.password);
  return writeTransaction(store, ctx, async (w) => {
    const existing = await w.trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (existing) throw conflict(`A user with email ${email} already exists.`, { errors: [{ field: 'body.email', message: 'is already used' }] });
    if (input.partnerId) {
      const partner = await w.trx.selectFrom('partners').select('id').where('id', '=', input.partnerId).executeTakeFirst();
      if (!partner) throw invalidField('body.partnerId', `Partner ${input.partnerId} does not exist.`);
    }
    const now = nowIso();
    const row = {
      id: newId('user'),
      email,
      name: input.name.trim(),
      role: input.role,
      status: 'active',
      partner_id: input.partnerId ?? null,
      password_hash: passwordHash,
      password_changed_at: now,
      last_login_at: null,
      created_at: now,
      updated_at: now,
    };
    await w.trx.insertInto('users').values(row).execute();
    // The email is personal data: it goes in `after` (erasable), never in the hashed fields.
    w.audit({
      action: 'user.created',
      entityType: 'user',
      entityId: row.id,
      after: { email, name: row.name, role: row.role, partnerId: row.partner_id },
    });
    return presentUser(row);
  });
}

export interface LoginResult {
  token: string;
  csrfToken: string;
  user: UserView;
  expiresAt: string;
}

/** Signs in with email and password. Unknown user and wrong password get the same answer and cost the same time. */
export async function login(
  store: Store,
  input: { email: string; password: string; ip: string; userAgent: string | null; previousToken?: string | null },
  sessionAbsoluteHours: number,
): Promise<LoginResult> {
  const { db } = store;
  const email = input.email.trim().toLowerCase();
  const accountKey = `account:${sha256Hex(email)}`;
  const ipKey = `ip:${input.ip}`;
  const wait = Math.max(await lockedFor(db, accountKey), await lockedFor(db, ipKey));
  if (wait > 0) {
    throw new AppError('too_many_requests', `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} minute(s).`, [], {
      retryAfterSeconds: wait,
    });
  }
  const user = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  const ok = await verifyPassword(user?.password_hash ?? null, input.password);
  if (!user || !ok || user.status !== 'active') {
    await recordFailure(db, accountKey, ACCOUNT_LIMIT);
    await recordFailure(db, ipKey, IP_LIMIT);
    throw new AppError('unauthenticated', 'The email or password is wrong, or the account is disabled.');
  }
  await clearFailures(db, accountKey);
  const token = newToken();
  const csrfToken = newToken();
  const now = nowIso();
  const expiresAt = new Date(nowMs() + sessionAbsoluteHours * 3600_000).toISOString();
  const ctx: RequestContext = {
    actor: { type: 'user', id: user.id, role: user.role as Role, partnerId: user.partner_id, permissions: new Set(), label: user.email },
    requestId: null,
    ip: input.ip,
  };
  await writeTransaction(store, ctx, async (w) => {
    // Rotate: the session the browser had before this login (if any) ends here.
    if (input.previousToken) await w.trx.deleteFrom('sessions').where('id', '=', sha256Hex(input.previousToken)).execute();
    await w.trx
      .insertInto('sessions')
      .values({
        id: sha256Hex(token),
        user_id: user.id,
        csrf_token: csrfToken,
        created_at: now,
        last_seen_at: now,
        expires_at: expiresAt,
        ip: input.ip,
        user_agent: input.userAgent?.slice(0, 300) ?? null,
      })
      .execute();
    await w.trx.updateTable('users').set({ last_login_at: now }).where('id', '=', user.id).execute();
    w.audit({ action: 'user.logged_in', entityType: 'user', entityId: user.id, meta: { ip: input.ip } });
  });
  return { token, csrfToken, expiresAt, user: presentUser({ ...user, last_login_at: now }) };
}

export async function logout(store: Store, ctx: RequestContext, sessionId: string): Promise<void> {
  await writeTransaction(store, ctx, async (w) => {
    await w.trx.deleteFrom('sessions').where('id', '=', sessionId).execute();
    w.audit({ action: 'user.logged_out', entityType: 'user', entityId: ctx.actor.id });
  });
}

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  partnerId: string | null;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export async function createApiKey(
  store: Store,
  ctx: RequestContext,
  input: { name: string; role: Role; partnerId?: string | null },
): Promise<{ key: string; apiKey: ApiKeyView }> {
  if (!isRole(input.role)) throw invalidField('body.role', `Unknown role "${input.role}".`);
  if (input.role === 'partner' && !input.partnerId) {
    throw invalidField('body.partnerId', 'A partner API key must belong to a partner (partnerId).');
  }
  const key = newApiKey();
  return writeTransaction(store, ctx, async (w) => {
    const now = nowIso();
    const row = {
      id: newId('apiKey'),
      name: input.name.trim(),
      role: input.role,
      partner_id: input.partnerId ?? null,
      key_prefix: key.slice(0, 12),
      key_hash: sha256Hex(key),
      created_by: ctx.actor.id,
      created_at: now,
      last_used_at: null,
      revoked_at: null,
    };
    await w.trx.insertInto('api_keys').values(row).execute();
    w.audit({ action: 'apikey.created', entityType: 'api_key', entityId: row.id, after: { name: row.name, role: row.role, partnerId: row.partner_id } });
    return {
      key,
      apiKey: {
        id: row.id,
        name: row.name,
        role: input.role,
        partnerId: row.partner_id,
        prefix: row.key_prefix,
        createdAt: now,
        lastUsedAt: null,
        revokedAt: null,
      },
    };
  });
}
