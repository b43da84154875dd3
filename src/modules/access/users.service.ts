// Administering users: list, change, disable and enable, set a password; and a user changing their own
// password. Disabling a user or setting their password ends their sessions in the same transaction, so the
// change takes effect on their very next request. The workspace always keeps at least one active admin.
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import { diff } from '../../platform/audit/audit.ts';
import { type Actor, assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../../platform/auth/passwords.ts';
import type { Role } from '../../platform/auth/permissions.ts';
import { sha256Hex } from '../../platform/auth/tokens.ts';
import type { DB } from '../../platform/db/index.ts';
import { AppError, conflict, invalidField, notFound } from '../../platform/errors.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import {
  assertMayTouchRole,
  createUser,
  presentUser,
  startSession,
  type UserView,
  userSearchText,
} from './access.service.ts';
import { decodeCursor, encodeCursor, likeContains } from './paging.ts';
import { ACCOUNT_LIMIT, lockedFor, recordFailure } from './throttle.ts';

/** Thrown inside a transaction when a request changes nothing: the transaction rolls back, the caller answers the current state. */
class NothingChanged extends Error {
  constructor(readonly user: UserView) {
    super('nothing changed');
  }
}

async function unlessUnchanged(run: () => Promise<UserView>): Promise<UserView> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof NothingChanged) return e.user;
    throw e;
  }
}

export interface UserListQuery {
  role?: Role;
  status?: 'active' | 'disabled';
  q?: string;
  limit: number;
  cursor?: string;
}

export async function listUsers(
  store: Store,
  actor: Actor,
  query: UserListQuery,
): Promise<{ data: UserView[]; nextCursor: string | null }> {
  assertCan(actor, 'users.read');
  const after = decodeCursor(query.cursor);
  let q = store.db.selectFrom('users').selectAll();
  // A partner-side actor sees only the users of its own partner.
  if (actor.role === 'partner' || actor.partnerId) q = q.where('partner_id', '=', actor.partnerId ?? '');
  if (query.role) q = q.where('role', '=', query.role);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.q) q = q.where(sql<boolean>`search_text like ${likeContains(query.q.toLowerCase())} escape '!'`);
  if (after) q = q.where('id', '>', after);
  const rows = await q
    .orderBy('id', 'asc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    data: page.map(presentUser),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null,
  };
}

export async function getUser(store: Store, actor: Actor, id: string): Promise<UserView> {
  assertCan(actor, 'users.read');
  const row = await store.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || ((actor.role === 'partner' || actor.partnerId) && row.partner_id !== actor.partnerId))
    throw notFound(`User ${id}`);
  return presentUser(row);
}

export function generatePassword(): string {
  // 18 random bytes = 144 bits, base64url: 24 characters, never a common password.
  return `pd-${randomBytes(18).toString('base64url')}`;
}

/**
 * Creates a user with the given password, or with a generated one-time password returned once. Either way
 * the admin knows the password, so the new user must replace it at first sign-in.
 */
export async function createUserByAdmin(
  store: Store,
  ctx: RequestContext,
  input: { email: string; name: string; role: Role; password?: string; partnerId?: string | null },
): Promise<{ user: UserView; oneTimePassword: string | null }> {
  const generated = input.password === undefined ? generatePassword() : null;
  const user = await createUser(store, ctx, {
    email: input.email,
    name: input.name,
    role: input.role,
    password: input.password ?? (generated as string),
    partnerId: input.partnerId ?? null,
    mustChangePassword: true,
  });
  return { user, oneTimePassword: generated };
}

async function loadUserForChange(trx: Transaction<DB>, ctx: RequestContext, id: string, what: string) {
  const row = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`User ${id}`);
  assertMayTouchRole(ctx, row.role, what);
  return row;
}

/**
 * Refuses when `userId` is the last active admin. On PostgreSQL the active admins' rows are locked first, so
 * two admins demoting or disabling each other at the same moment cannot both succeed.
 */
async function assertNotLastAdmin(
  store: Store,
  trx: Transaction<DB>,
  userId: string,
  what: string,
): Promise<void> {
  let q = trx.selectFrom('users').select('id').where('role', '=', 'admin').where('status', '=', 'active');
  if (store.dialect === 'postgres') q = q.forUpdate();
  const admins = await q.execute();
  if (admins.length <= 1 && admins.some((a) => a.id === userId)) {
    throw conflict(
      `This is the last active administrator, so it cannot be ${what}. Make another user an administrator first.`,
    );
  }
}

export async function updateUser(
  store: Store,
  ctx: RequestContext,
  id: string,
  patch: { name?: string; role?: Role; partnerId?: string | null },
): Promise<UserView> {
  assertCan(ctx.actor, 'users.manage');
  if (patch.role) assertMayTouchRole(ctx, patch.role, 'make someone');
  return unlessUnchanged(() =>
    writeTransaction(store, ctx, async (w) => {
      const row = await loadUserForChange(w.trx, ctx, id, 'change');
      const role = patch.role ?? (row.role as Role);
      // Leaving the partner role drops the partner link unless a new one is given (and then it is refused below).
      const partnerId =
        patch.partnerId !== undefined ? patch.partnerId : role === 'partner' ? row.partner_id : null;
      if (role === 'partner' && !partnerId)
        throw invalidField('body.partnerId', 'A partner user must belong to a partner (partnerId).');
      if (role !== 'partner' && partnerId)
        throw invalidField('body.partnerId', 'Only partner users belong to a partner.');
      if (partnerId && partnerId !== row.partner_id) {
        const partner = await w.trx
          .selectFrom('partners')
          .select('id')
          .where('id', '=', partnerId)
          .executeTakeFirst();
        if (!partner) throw invalidField('body.partnerId', `Partner ${partnerId} does not exist.`);
      }
      const name = patch.name?.trim() ?? row.name;
      const changes = diff(
        { name: row.name, role: row.role, partnerId: row.partner_id },
        { name, role, partnerId: partnerId ?? null },
      );
      if (!changes) throw new NothingChanged(presentUser(row));
      if (row.role === 'admin' && role !== 'admin' && row.status === 'active') {
        await assertNotLastAdmin(store, w.trx, row.id, 'demoted');
      }
      const now = nowIso();
      const next = {
        ...row,
        name,
        role,
        partner_id: partnerId ?? null,
        search_text: userSearchText(name, row.email),
        updated_at: now,
      };
      await w.trx
        .updateTable('users')
        .set({ name, role, partner_id: next.partner_id, search_text: next.search_text, updated_at: now })
        .where('id', '=', id)
        .execute();
      w.audit({
        action: 'user.updated',
        entityType: 'user',
        entityId: id,
        before: changes.before,
        after: changes.after,
      });
      return presentUser(next);
    }),
  );
}

export async function disableUser(
  store: Store,
  ctx: RequestContext,
  id: string,
  reason: string | null,
): Promise<UserView> {
  assertCan(ctx.actor, 'users.manage');
  if (ctx.actor.type === 'user' && ctx.actor.id === id) {
    throw conflict('You cannot disable your own account; ask another administrator.');
  }
  return unlessUnchanged(() =>
    writeTransaction(store, ctx, async (w) => {
      const row = await loadUserForChange(w.trx, ctx, id, 'disable');
      if (row.status === 'disabled') throw new NothingChanged(presentUser(row));
      if (row.role === 'admin') await assertNotLastAdmin(store, w.trx, row.id, 'disabled');
      const now = nowIso();
      await w.trx
        .updateTable('users')
        .set({ status: 'disabled', updated_at: now })
        .where('id', '=', id)
        .execute();
      // Sessions end in the same transaction: the user's next request is unauthenticated.
      const ended = await w.trx.deleteFrom('sessions').where('user_id', '=', id).executeTakeFirst();
      w.audit({
        action: 'user.disabled',
        entityType: 'user',
        entityId: id,
        partnerId: row.partner_id,
        before: { status: row.status },
        after: { status: 'disabled' },
        reason,
        meta: { sessionsEnded: Number(ended.numDeletedRows) },
      });
      return presentUser({ ...row, status: 'disabled', updated_at: now });
    }),
  );
}

export async function enableUser(
  store: Store,
  ctx: RequestContext,
  id: string,
  reason: string | null,
): Promise<UserView> {
  assertCan(ctx.actor, 'users.manage');
  return unlessUnchanged(() =>
    writeTransaction(store, ctx, async (w) => {
      const row = await loadUserForChange(w.trx, ctx, id, 'enable');
      if (row.status === 'active') throw new NothingChanged(presentUser(row));
      const now = nowIso();
      await w.trx
        .updateTable('users')
        .set({ status: 'active', updated_at: now })
        .where('id', '=', id)
        .execute();
      w.audit({
        action: 'user.enabled',
        entityType: 'user',
        entityId: id,
        partnerId: row.partner_id,
        before: { status: row.status },
        after: { status: 'active' },
        reason,
      });
      return presentUser({ ...row, status: 'active', updated_at: now });
    }),
  );
}

/**
 * An administrator sets another user's password. The user's sessions end, and (unless admins set their own)
 * the user must choose a new password at the next sign-in. Neither password nor hash goes into the audit.
 */
export async function setUserPassword(
  store: Store,
  ctx: RequestContext,
  id: string,
  password: string,
): Promise<UserView> {
  assertCan(ctx.actor, 'users.manage');
  const target = await store.db.selectFrom('users').select(['email']).where('id', '=', id).executeTakeFirst();
  if (!target) throw notFound(`User ${id}`);
  const problem = passwordProblem(password, target.email);
  if (problem) throw invalidField('body.password', `Password ${problem}.`);
  const passwordHash = await hashPassword(password);
  const self = ctx.actor.type === 'user' && ctx.actor.id === id;
  return writeTransaction(store, ctx, async (w) => {
    const row = await loadUserForChange(w.trx, ctx, id, 'set the password of');
    const now = nowIso();
    const mustChange = self ? 0 : 1;
    await w.trx
      .updateTable('users')
      .set({
        password_hash: passwordHash,
        password_changed_at: now,
        must_change_password: mustChange,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    const ended = await w.trx.deleteFrom('sessions').where('user_id', '=', id).executeTakeFirst();
    w.audit({
      action: 'user.password_changed',
      entityType: 'user',
      entityId: id,
      partnerId: row.partner_id,
      meta: {
        by: 'administrator',
        sessionsEnded: Number(ended.numDeletedRows),
        mustChangePassword: mustChange === 1,
      },
    });
    return presentUser({ ...row, must_change_password: mustChange, updated_at: now });
  });
}

/**
 * A signed-in user changes their own password, proving the current one. Every session of the user ends,
 * including this one, which continues under a new token (returned for the new cookie). Wrong current
 * passwords count against the same per-account throttle as sign-in.
 */
export async function changeOwnPassword(
  store: Store,
  ctx: RequestContext,
  input: { sessionId: string | null; currentPassword: string; newPassword: string; userAgent: string | null },
  sessionAbsoluteHours: number,
): Promise<{ token: string; csrfToken: string; expiresAt: string; user: UserView }> {
  if (ctx.actor.type !== 'user' || !input.sessionId) {
    throw new AppError(
      'bad_request',
      'Only a signed-in user changes their own password; API keys have no password.',
    );
  }
  const row = await store.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', ctx.actor.id)
    .executeTakeFirst();
  if (!row) throw notFound(`User ${ctx.actor.id}`);
  const accountKey = `account:${sha256Hex(row.email)}`;
  const wait = await lockedFor(store.db, accountKey);
  if (wait > 0) {
    throw new AppError(
      'too_many_requests',
      `Too many wrong passwords. Try again in ${Math.ceil(wait / 60)} minute(s).`,
      [],
      {
        retryAfterSeconds: wait,
      },
    );
  }
  if (!(await verifyPassword(row.password_hash, input.currentPassword))) {
    await recordFailure(store.db, accountKey, ACCOUNT_LIMIT);
    throw invalidField('body.currentPassword', 'This is not your current password.');
  }
  if (input.newPassword === input.currentPassword) {
    throw invalidField('body.newPassword', 'The new password must differ from the current one.');
  }
  const problem = passwordProblem(input.newPassword, row.email);
  if (problem) throw invalidField('body.newPassword', `Password ${problem}.`);
  const passwordHash = await hashPassword(input.newPassword);
  return writeTransaction(store, ctx, async (w) => {
    const now = nowIso();
    await w.trx
      .updateTable('users')
      .set({
        password_hash: passwordHash,
        password_changed_at: now,
        must_change_password: 0,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .execute();
    const ended = await w.trx.deleteFrom('sessions').where('user_id', '=', row.id).executeTakeFirst();
    const session = await startSession(
      w.trx,
      row.id,
      { ip: ctx.ip ?? null, userAgent: input.userAgent },
      sessionAbsoluteHours,
    );
    w.audit({
      action: 'user.password_changed',
      entityType: 'user',
      entityId: row.id,
      partnerId: row.partner_id,
      meta: { by: 'self', otherSessionsEnded: Math.max(0, Number(ended.numDeletedRows) - 1) },
    });
    return { ...session, user: presentUser({ ...row, must_change_password: 0, updated_at: now }) };
  });
}
