// Small helpers shared by the partners services: turning zod issues into named field errors (so the service
// can re-check any caller's input, not only HTTP requests), and leaving a write transaction that turned out
// to change nothing without recording an empty audit entry.
import type { z } from 'zod';
import { type FieldError, invalid } from '../../platform/errors.ts';

export function issuesToFieldErrors(
  issues: readonly z.core.$ZodIssue[],
  fieldOf: (path: PropertyKey[]) => string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        errors.push({ field: fieldOf([...issue.path, key]), message: 'is not a known field' });
    } else {
      errors.push({ field: fieldOf(issue.path), message: issue.message });
    }
  }
  return errors;
}

export function dotted(prefix: string): (path: PropertyKey[]) => string {
  return (path) => (path.length === 0 ? prefix : `${prefix}.${path.map(String).join('.')}`);
}

/** Parses with the schema or throws a 422 naming every invalid field (`body.country`). */
export function parseOrInvalid<S extends z.ZodType>(schema: S, input: unknown, prefix: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw invalid(issuesToFieldErrors(result.error.issues, dotted(prefix)));
  return result.data;
}

/** Thrown inside a write transaction when the request changes nothing: nothing is written or audited. */
export class NoChange<T> extends Error {
  constructor(readonly value: T) {
    super('no change');
  }
}

export async function unlessNoChange<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof NoChange) return err.value as T;
    throw err;
  }
}

/** True when a database error is a unique-constraint violation (SQLite or PostgreSQL). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}
