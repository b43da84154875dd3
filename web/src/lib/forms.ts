// Form helpers: keep the API's field errors for the inputs they name, and a general error for the rest.
import { useState } from 'react';
import { type ApiError, asApiError } from '../api/client';

export interface FormErrors {
  /** Message for a field (`displayName`, `plan.cpa.amountMinor`), or undefined. */
  field(name: string): string | undefined;
  /** Field errors whose names start with the prefix (for nested parts of a form). */
  under(prefix: string): string[];
  /** The error as a whole, when some of it is not tied to a shown field. */
  error: ApiError | null;
  set(err: unknown): void;
  clear(): void;
}

export function useFormErrors(): FormErrors {
  const [error, setError] = useState<ApiError | null>(null);
  const map = error?.fieldErrors() ?? {};
  return {
    error,
    field: (name) => map[name],
    under: (prefix) =>
      Object.entries(map)
        .filter(([k]) => k === prefix || k.startsWith(`${prefix}.`) || k.startsWith(`${prefix}[`))
        .map(([k, v]) => `${k}: ${v}`),
    set: (err) => setError(asApiError(err)),
    clear: () => setError(null),
  };
}

/** Empty text → null (the API distinguishes "not set" from "blank"). */
export function orNull(s: string | null | undefined): string | null {
  const t = (s ?? '').trim();
  return t === '' ? null : t;
}
