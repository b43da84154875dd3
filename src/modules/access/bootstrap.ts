// First start on an empty database: seed the role grants and create the first admin. The admin's password
// comes from PARTNERDESK_ADMIN_EMAIL / PARTNERDESK_ADMIN_PASSWORD or is generated and shown once.
import { randomBytes } from 'node:crypto';
import { systemActor } from '../../platform/auth/actor.ts';
import { seedDefaultGrants } from '../../platform/auth/grants.ts';
import { PERMISSION_NAMES } from '../../platform/auth/permissions.ts';
import type { Config } from '../../platform/config.ts';
import type { Store } from '../../platform/tx.ts';
import { createUser } from './access.service.ts';

export interface BootstrapResult {
  createdAdmin: { email: string; password: string | null } | null;
}

export async function bootstrap(
  store: Store,
  config: Pick<Config, 'adminEmail' | 'adminPassword'>,
): Promise<BootstrapResult> {
  await seedDefaultGrants(store.db);
  const anyUser = await store.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (anyUser) return { createdAdmin: null };
  const email = config.adminEmail ?? 'admin@partnerdesk.local';
  const generated = config.adminPassword === null;
  const password = config.adminPassword ?? `pd-${randomBytes(12).toString('base64url')}`;
  const ctx = { actor: systemActor(PERMISSION_NAMES), requestId: null };
  // A generated password was printed on a terminal: it must be replaced at first sign-in.
  await createUser(store, ctx, { email, name: 'Administrator', role: 'admin', password, mustChangePassword: generated });
  return { createdAdmin: { email, password: generated ? password : null } };
}
