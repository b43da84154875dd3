// Password hashing with argon2id at OWASP's minimum (m=19 MiB, t=2, p=1). @node-rs/argon2 hashes on the libuv
// thread pool, so a burst of logins never blocks the event loop.
import { hash, verify } from '@node-rs/argon2';

const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1, algorithm: 2 /* Argon2id */ } as const;

// A hash of a random password, verified against on unknown accounts so both paths cost the same.
let dummyHash: Promise<string> | null = null;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hash(`unknown-user-${Math.random()}`, OPTIONS);
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

const COMMON = new Set(
  [
    'password', 'password1', 'password12', 'password123', 'password1234', '123456789012', 'qwertyuiop12',
    'administrator', 'letmein12345', 'welcome12345', 'iloveyou1234', '111111111111', '000000000000',
    'passwordpassword', 'qwertyqwerty', '1q2w3e4r5t6y', 'abc123abc123', 'changeme1234', 'partnerdesk1',
    'partnerdesk123', 'trustno1trustno1', '123123123123', 'qwerty123456', 'football1234', 'monkey123456',
  ].map((s) => s.toLowerCase()),
);

/** Returns why the password is not acceptable, or null when it is. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < 12) return 'must be at least 12 characters long';
  if (password.length > 256) return 'must be at most 256 characters long';
  if (COMMON.has(password.toLowerCase())) return 'is one of the most common passwords; choose another';
  if (/^(.)\1+$/.test(password)) return 'must not repeat a single character';
  if (email && password.toLowerCase().includes(email.split('@')[0]?.toLowerCase() ?? '\u0000')) {
    return 'must not contain your email name';
  }
  return null;
}
