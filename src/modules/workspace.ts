// Preparing a workspace on start: the first admin and role grants (access), the default mandatory-field
// policy (policy) and the default approval authority matrix (terms). Each step does nothing when its data
// already exists, so this runs on every start of every instance.
import type { Config } from '../platform/config.ts';
import type { Store } from '../platform/tx.ts';
import { type BootstrapResult, bootstrap } from './access/index.ts';
import { ensureDefaultTemplates } from './onboarding/index.ts';
import { ensureDefaultPolicy } from './policy/index.ts';
import { ensureDefaultSlaPolicies } from './tasks/index.ts';
import { ensureDefaultAuthority } from './terms/index.ts';

export async function prepareWorkspace(
  store: Store,
  config: Pick<Config, 'adminEmail' | 'adminPassword'>,
): Promise<BootstrapResult> {
  const result = await bootstrap(store, config);
  await ensureDefaultPolicy(store);
  await ensureDefaultAuthority(store);
  await ensureDefaultSlaPolicies(store);
  await ensureDefaultTemplates(store);
  return result;
}
