// Demo workspace: realistic partners, hierarchies, contacts, documents, terms and a user of every role.
import type { Store } from '../../platform/tx.ts';

export interface DemoResult {
  partners: number;
  users: { email: string; role: string }[];
  password: string;
}

export async function seedDemo(_store: Store, _opts: { partners: number; onProgress?: (m: string) => void }): Promise<DemoResult> {
  throw new Error('The demo workspace is being built (see issue 2); it is not available in this build yet.');
}
