// Users, sessions and API keys: creating them, signing in and out, and the first-start bootstrap.
import type { Transaction } from 'kysely';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../../platform/auth/passwords.ts';
import { isRole, type Role } from '../../platform/auth/permissions.ts';
import { newApiKey, newToken, sha256Hex } from '../../platform/auth/tokens.ts';
import type { DB } from '../../platform/db/index.ts';
import { AppError, conflict, forbidden, invalidField } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso, nowMs } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { ACCOUNT_LIMIT, clearFailures, IP_LIMIT, lockedFor, recordFailure } from './throttle.ts';

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: 'active' | 'disabled';
  partnerId: string | null;
  lastLoginAt: string | null;
  /** Set after an administrator set or generated the password: until the user picks their own, the session holds no permissions. */
  mustChangePassword: boolean;
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
  must_change_password?: number;
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
    mustChangePassword: u.must_change_password === 1,
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
  /** The password was chosen by someone else (generated or set by an admin): the user must replace it. */
  mustChangePassword?: boolean;
}

export function userSearchText(name: string, email: string): string {
  return `${name} ${email}`.toLowerCase();
}

/** Only an administrator may create, change or give the admin role (no escalation through users.manage). */
export function assertMayTouchRole(ctx: RequestContext, role: string, what: string): void {
  if (role === 'admin' && ctx.actor.role !== 'admin') {
    throw forbidden(`Only an administrator can ${what} an administrator.`);
  }
}

export async function createUser(store: Store, ctx: RequestContext, input: NewUser): Promise<UserView> {
  assertCan(ctx.actor, 'users.manage');
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
    throw invalidField('body.email', 'Email must be an email address such as name@example.com.');
  }
  if (!input.name.trim()) throw invalidField('body.name', 'Name must not be empty.');
  const problem = passwordProblem(input.password, email);
  if (problem) throw invalidField('body.password', `Password ${problem}.`);
  if (!isRole(input.role)) throw invalidField('body.role', `Unknown role "${input.role}".`);
  assertMayTouchRole(ctx, input.role, 'create');
  if (input.role === 'partner' && !input.partnerId) {
    throw invalidField('body.partnerId', 'A partner user must belong to a partner (partnerId).');
  }
  if (input.role !== 'partner' && input.partnerId) {
    throw invalidField('body.partnerId', 'Only partner users belong to a partner.');
  }
  const passwordHash = await hashPassword(input.password);
  return writeTransaction(store, ctx, async (w) => {
    const existing = await w.trx
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirst();
    if (existing)
      throw conflict(`A user with email ${email} already exists.`, {
        errors: [{ field: 'body.email', message: 'is already used' }],
      });
    if (input.partnerId) {
      const partner = await w.trx
        .selectFrom('partners')
        .select('id')
        .where('id', '=', input.partnerId)
        .executeTakeFirst();
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
      search_text: userSearchText(input.name.trim(), email),
      must_change_password: input.mustChangePassword ? 1 : 0,
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
  input: {
    email: string;
    password: string;
    ip: string;
    userAgent: string | null;
    previousToken?: string | null;
  },
  sessionAbsoluteHours: number,
): Promise<LoginResult> {
  const { db } = store;
  const email = input.email.trim().toLowerCase();
  const accountKey = `account:${sha256Hex(email)}`;
  const ipKey = `ip:${input.ip}`;
  const wait = Math.max(await lockedFor(db, accountKey), await lockedFor(db, ipKey));
  if (wait > 0) {
    throw new AppError(
      'too_many_requests',
      `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} minute(s).`,
      [],
      {
        retryAfterSeconds: wait,
      },
    );
  }
  const user = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  const ok = await verifyPassword(user?.password_hash ?? null, input.password);
  if (!user || !ok || user.status !== 'active') {
    await recordFailure(db, accountKey, ACCOUNT_LIMIT);
    await recordFailure(db, ipKey, IP_LIMIT);
    throw new AppError('unauthenticated', 'The email or password is wrong, or the account is disabled.');
  }
  await clearFailures(db, accountKey);
  const now = nowIso();
  const ctx: RequestContext = {
    actor: {
      type: 'user',
      id: user.id,
      role: user.role as Role,
      partnerId: user.partner_id,
      permissions: new Set(),
      label: user.email,
    },
    requestId: null,
    ip: input.ip,
  };
  const started = await writeTransaction(store, ctx, async (w) => {
    // Rotate: the session the browser had before this login (if any) ends here.
    if (input.previousToken)
      await w.trx.deleteFrom('sessions').where('id', '=', sha256Hex(input.previousToken)).execute();
    const session = await startSession(
      w.trx,
      user.id,
      { ip: input.ip, userAgent: input.userAgent },
      sessionAbsoluteHours,
    );
    await w.trx.updateTable('users').set({ last_login_at: now }).where('id', '=', user.id).execute();
    w.audit({ action: 'user.logged_in', entityType: 'user', entityId: user.id, meta: { ip: input.ip } });
    return session;
  });
  return { ...started, user: presentUser({ ...user, last_login_at: now }) };
}

/** Creates a session row for the user: a 256-bit token (only its hash is stored) and its CSRF token. */
export async function startSession(
  trx: Transaction<DB>,
  userId: string,
  client: { ip: string | null; userAgent: string | null },
  sessionAbsoluteHours: number,
): Promise<{ token: string; csrfToken: string; expiresAt: string }> {
  const token = newToken();
  const csrfToken = newToken();
  const now = nowIso();
  const expiresAt = new Date(nowMs() + sessionAbsoluteHours * 3600_000).toISOString();
  await trx
    .insertInto('sessions')
    .values({
      id: sha256Hex(token),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
      ip: client.ip,
      user_agent: client.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { token, csrfToken, expiresAt };
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
  assertCan(ctx.actor, 'apikeys.manage');
  if (!input.name.trim()) throw invalidField('body.name', 'Name must say what system will use the key.');
  if (!isRole(input.role)) throw invalidField('body.role', `Unknown role "${input.role}".`);
  assertMayTouchRole(ctx, input.role, 'create an API key for');
  if (input.role === 'partner' && !input.partnerId) {
    throw invalidField('body.partnerId', 'A partner API key must belong to a partner (partnerId).');
  }
  if (input.role !== 'partner' && input.partnerId) {
    throw invalidField('body.partnerId', 'Only partner API keys belong to a partner.');
  }
  const key = newApiKey();
  return writeTransaction(store, ctx, async (w) => {
    if (input.partnerId) {
      const partner = await w.trx
        .selectFrom('partners')
        .select('id')
        .where('id', '=', input.partnerId)
        .executeTakeFirst();
      if (!partner) throw invalidField('body.partnerId', `Partner ${input.partnerId} does not exist.`);
    }
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
    w.audit({
      action: 'apikey.created',
      entityType: 'api_key',
      entityId: row.id,
      after: { name: row.name, role: row.role, partnerId: row.partner_id },
    });
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
