// Opaque list cursors for the access lists: the last row's id, base64url-encoded. Ids are time-sortable, so
// paging by id keeps a stable order while rows are added.
import { invalidField } from '../../platform/errors.ts';

export function encodeCursor(id: string): string {
  return Buffer.from(`id:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^id:([a-z]{3}_[0-9A-Z]{26})$/.exec(text);
  if (!m?.[1])
    throw invalidField('query.cursor', 'The cursor is not one this list gave out; start again without it.');
  return m[1];
}

/** Escapes LIKE wildcards so user input matches literally (used with `escape '!'`). */
export function likeContains(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}
