// Files of partner documents on disk: where they live, how an upload is staged (streamed to a temp file while
// its SHA-256 is computed), how its declared type is checked against its first bytes, and how a stored
// file is verified before it is served. Files are never changed after they are placed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

export const ALLOWED_CONTENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/webp'] as const;
export type AllowedContentType = (typeof ALLOWED_CONTENT_TYPES)[number];

export function isAllowedContentType(v: string): v is AllowedContentType {
  return (ALLOWED_CONTENT_TYPES as readonly string[]).includes(v);
}

/** "Image/PNG; charset=x" → "image/png". */
export function normalizeContentType(raw: string | undefined | null): string {
  return (raw ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** How many leading bytes `matchesMagic` needs. */
export const MAGIC_BYTES_NEEDED = 12;

/** True when the first bytes of a file are those of its declared type. */
export function matchesMagic(contentType: AllowedContentType, head: Buffer): boolean {
  const starts = (sig: number[], at = 0) =>
    head.length >= at + sig.length && sig.every((b, i) => head[at + i] === b);
  switch (contentType) {
    case 'application/pdf':
      return starts([0x25, 0x50, 0x44, 0x46, 0x2d]); // %PDF-
    case 'image/png':
      return starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case 'image/jpeg':
      return starts([0xff, 0xd8, 0xff]);
    case 'image/webp':
      return starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8); // RIFF....WEBP
  }
}

const EXTENSIONS: Record<AllowedContentType, string> = {
  'application/pdf': '.pdf',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/webp': '.webp',
};

export const MAX_FILE_NAME_LENGTH = 200;

/**
 * The original file name as it is kept and offered back on download: only the last path segment, without
 * control characters or bidirectional overrides (which can disguise an extension), at most 200 characters
 * (keeping the extension). Never empty.
 */
export function sanitizeFileName(raw: string | undefined | null, contentType: AllowedContentType): string {
  let name = (raw ?? '').normalize('NFC');
  name = name.split(/[\\/]/).pop() ?? '';
  // C0/C1 controls, DEL, bidi embeddings/overrides/isolates, zero-width and BOM characters.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  name = name.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '');
  // Whitespace collapsed, and no leading dots (hidden files, "..") or spaces, in any mix.
  name = name
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+/, '')
    .trim();
  if (name === '') return `document${EXTENSIONS[contentType]}`;
  const chars = Array.from(name);
  if (chars.length <= MAX_FILE_NAME_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? Array.from(name.slice(dot)) : [];
  if (ext.length > 0 && ext.length <= 16) {
    return (
      chars
        .slice(0, MAX_FILE_NAME_LENGTH - ext.length)
        .join('')
        .trimEnd() + ext.join('')
    );
  }
  return chars.slice(0, MAX_FILE_NAME_LENGTH).join('').trimEnd();
}

/** `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266 / RFC 8187). */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export interface DocumentStorage {
  root: string;
  tmpDir: string;
}

export function documentStorage(dataDir: string): DocumentStorage {
  const root = path.join(dataDir, 'documents');
  return { root, tmpDir: path.join(root, 'tmp') };
}

export function storageKeyOf(partnerId: string, documentId: string): string {
  return `${partnerId}/${documentId}`;
}

/** The absolute path of a stored key; refuses keys that would leave the storage root. */
export function pathOfKey(storage: DocumentStorage, key: string): string {
  if (!/^[a-z]{3}_[0-9A-Z]{26}\/[a-z]{3}_[0-9A-Z]{26}$/.test(key))
    throw new Error(`Invalid storage key ${key}`);
  return path.join(storage.root, ...key.split('/'));
}

/** The upload stream failed (the client's body ended early or was malformed), as opposed to our disk failing. */
export class UploadStreamError extends Error {
  constructor(readonly streamError: unknown) {
    super(`The upload stream failed: ${(streamError as Error)?.message ?? String(streamError)}`);
  }
}

export interface StagedFile {
  tmpPath: string;
  sizeBytes: number;
  sha256: string;
  head: Buffer;
  /** The stream ended because the size limit was reached: the file is incomplete. */
  truncated: boolean;
}

/**
 * Streams an upload to `<tmpDir>/<name>.part`, hashing as it goes, and syncs it to disk. The caller owns the
 * temp file afterwards (place it or delete it); on any error here it is deleted before rethrowing.
 */
export async function stageUpload(
  storage: DocumentStorage,
  name: string,
  stream: Readable & { truncated?: boolean },
): Promise<StagedFile> {
  await mkdir(storage.tmpDir, { recursive: true });
  const tmpPath = path.join(storage.tmpDir, `${name}.part`);
  const hash = createHash('sha256');
  const headChunks: Buffer[] = [];
  let headLength = 0;
  let sizeBytes = 0;
  const fh = await open(tmpPath, 'wx', 0o600);
  let diskFailed = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      if (headLength < MAGIC_BYTES_NEEDED) {
        headChunks.push(chunk.subarray(0, MAGIC_BYTES_NEEDED - headLength));
        headLength += Math.min(chunk.length, MAGIC_BYTES_NEEDED - headLength);
      }
      diskFailed = true;
      await fh.write(chunk);
      diskFailed = false;
    }
    diskFailed = true;
    await fh.sync();
    await fh.close();
  } catch (err) {
    await fh.close().catch(() => {});
    await removeQuietly(tmpPath);
    throw diskFailed ? err : new UploadStreamError(err);
  }
  return {
    tmpPath,
    sizeBytes,
    sha256: hash.digest('hex'),
    head: Buffer.concat(headChunks),
    truncated: stream.truncated === true,
  };
}

/** Moves a staged file to its final name (same file system, so the rename is atomic) and syncs the folder. */
export async function placeFile(storage: DocumentStorage, tmpPath: string, key: string): Promise<string> {
  const finalPath = pathOfKey(storage, key);
  const dir = path.dirname(finalPath);
  await mkdir(dir, { recursive: true });
  await rename(tmpPath, finalPath);
  await syncDir(dir);
  return finalPath;
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable. Not every platform can fsync a directory; the rename is still atomic there.
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* best effort */
  }
}

export async function removeQuietly(file: string): Promise<void> {
  await unlink(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

export type StoredFileCheck =
  | { ok: true; path: string }
  | { ok: false; reason: 'missing' | 'size_mismatch' | 'checksum_mismatch' };

/** Checks that the stored file exists and still has the size and SHA-256 recorded at upload. */
export async function verifyStoredFile(
  storage: DocumentStorage,
  key: string,
  expected: { sizeBytes: number; sha256: string },
): Promise<StoredFileCheck> {
  const file = pathOfKey(storage, key);
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) return { ok: false, reason: 'missing' };
    size = st.size;
  } catch {
    return { ok: false, reason: 'missing' };
  }
  if (size !== Number(expected.sizeBytes)) return { ok: false, reason: 'size_mismatch' };
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  if (hash.digest('hex') !== expected.sha256) return { ok: false, reason: 'checksum_mismatch' };
  return { ok: true, path: file };
}

/** Deletes temp files older than `olderThanMs` (left by a crash between staging and placing). */
export async function sweepStaleTemp(
  storage: DocumentStorage,
  olderThanMs: number,
  now = Date.now(),
): Promise<number> {
  let names: string[];
  try {
    names = await readdir(storage.tmpDir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.endsWith('.part')) continue;
    const file = path.join(storage.tmpDir, name);
    try {
      const st = await stat(file);
      if (now - st.mtimeMs > olderThanMs) {
        await removeQuietly(file);
        removed += 1;
      }
    } catch {
      /* gone meanwhile */
    }
  }
  return removed;
}
