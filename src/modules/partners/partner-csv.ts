// Partners as CSV: the export (same filters as the list, streamed a batch at a time) and the import (every
// row checked with the same rules as the API; all rows written in one transaction, or none). Column names
// are the API's field names; the owner is given by email, the parent by its referral code, custom fields as
// `custom.<key>`, lists (languages, websites, traffic sources, tags) separated by spaces.
import { type Kysely, sql, type Transaction } from 'kysely';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { PartnersTable } from '../../platform/db/schema.ts';
import { AppError, type FieldError, forbidden, invalid, invalidField } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { CsvSyntaxError, csvRecord, parseCsv, restoreFormula } from './csv.ts';
import {
  type CustomFieldDef,
  type CustomFieldValue,
  loadActiveCustomFieldDefs,
} from './custom-fields.service.ts';
import { issuesToFieldErrors } from './parse.ts';
import { type PartnerFilter, partnerInputSchema } from './partner.schemas.ts';
import {
  dbRuleEnv,
  insertPartners,
  ownerProblem,
  type PartnerNode,
  prepareNewPartner,
  type RuleEnv,
} from './partner.service.ts';
import { allPartners } from './partner-list.ts';
import { partnerRecord } from './partner-view.ts';

export const CSV_COLUMNS = [
  'id',
  'displayName',
  'legalName',
  'kind',
  'type',
  'stage',
  'parentReferralCode',
  'country',
  'languages',
  'websites',
  'trafficSources',
  'email',
  'phone',
  'ownerEmail',
  'tier',
  'referralCode',
  'tags',
  'createdAt',
] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];
/** Columns an export has that an import ignores: the system sets them. */
const READ_ONLY_COLUMNS = new Set<string>(['id', 'stage', 'createdAt']);
const LIST_COLUMNS = new Set<string>(['languages', 'websites', 'trafficSources', 'tags']);
export const IMPORT_MAX_ROWS = 10_000;
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;

/** A partner as one export row needs it. */
export type CsvPartner = ReturnType<typeof partnerRecord> & {
  id: string;
  createdAt: string;
  ownerEmail: string | null;
  parentReferralCode: string | null;
};

export function customFieldToCell(value: CustomFieldValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

export function csvHeader(defs: CustomFieldDef[]): string[] {
  return [...CSV_COLUMNS, ...defs.map((d) => `custom.${d.key}`)];
}

export function partnerCsvValues(p: CsvPartner, defs: CustomFieldDef[]): string[] {
  const cells: Record<CsvColumn, string> = {
    id: p.id,
    displayName: p.displayName,
    legalName: p.legalName ?? '',
    kind: p.kind,
    type: p.type,
    stage: p.stage,
    parentReferralCode: p.parentReferralCode ?? '',
    country: p.country ?? '',
    languages: p.languages.join(' '),
    websites: p.websites.join(' '),
    trafficSources: p.trafficSources.join(' '),
    email: p.email ?? '',
    phone: p.phone ?? '',
    ownerEmail: p.ownerEmail ?? '',
    tier: p.tier ?? '',
    referralCode: p.referralCode,
    tags: p.tags.join(' '),
    createdAt: p.createdAt,
  };
  return [...CSV_COLUMNS.map((c) => cells[c]), ...defs.map((d) => customFieldToCell(p.customFields[d.key]))];
}

/** The export as a stream of CSV text chunks. Permission is checked before the first byte. */
export async function exportPartnersCsv(
  store: Store,
  ctx: RequestContext,
  filter: PartnerFilter,
): Promise<AsyncGenerator<string>> {
  assertCan(ctx.actor, 'partners.export');
  if (ctx.actor.role === 'partner' || ctx.actor.partnerId)
    throw forbidden('Partner users cannot export partners.');
  const { db } = store;
  const defs = [...(await loadActiveCustomFieldDefs(db)).values()].sort((a, b) => a.key.localeCompare(b.key));
  return (async function* () {
    yield csvRecord(csvHeader(defs));
    for await (const rows of allPartners(db, ctx.actor, filter)) {
      const ownerIds = [...new Set(rows.map((r) => r.owner_id).filter((v): v is string => !!v))];
      const parentIds = [...new Set(rows.map((r) => r.parent_id).filter((v): v is string => !!v))];
      const owners = ownerIds.length
        ? await db.selectFrom('users').select(['id', 'email']).where('id', 'in', ownerIds).execute()
        : [];
      const parents = parentIds.length
        ? await db
            .selectFrom('partners')
            .select(['id', 'referral_code'])
            .where('id', 'in', parentIds)
            .execute()
        : [];
      const ownerEmail = new Map(owners.map((o) => [o.id, o.email]));
      const parentCode = new Map(parents.map((p) => [p.id, p.referral_code]));
      let chunk = '';
      for (const row of rows) {
        const p: CsvPartner = {
          ...partnerRecord(row),
          id: row.id,
          createdAt: row.created_at,
          ownerEmail: row.owner_id ? (ownerEmail.get(row.owner_id) ?? null) : null,
          parentReferralCode: row.parent_id ? (parentCode.get(row.parent_id) ?? null) : null,
        };
        chunk += csvRecord(partnerCsvValues(p, defs));
      }
      yield chunk;
    }
  })();
}

export interface ImportRowError {
  row: number;
  field: string;
  message: string;
}

export interface ImportReport {
  dryRun: boolean;
  total: number;
  valid: number;
  invalid: number;
  errors: ImportRowError[];
  created: string[];
}

/** One data row turned into API input, before anything is looked up in the database. */
export interface CsvRowInput {
  input: Record<string, unknown>;
  parentReferralCode: string | null;
  ownerEmail: string | null;
  errors: { field: string; message: string }[];
}

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE_WORDS = new Set(['true', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'no', '0']);

/** Checks the header row: known columns, none twice, displayName present. */
export function checkHeader(header: string[], defs: Map<string, CustomFieldDef>): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  header.forEach((name, i) => {
    const where = `row 1: ${name || `column ${i + 1}`}`;
    if (seen.has(name)) errors.push({ field: where, message: 'appears twice in the header' });
    seen.add(name);
    if (name.startsWith('custom.')) {
      if (!defs.has(name.slice('custom.'.length)))
        errors.push({ field: where, message: 'is not a custom field' });
    } else if (!(CSV_COLUMNS as readonly string[]).includes(name)) {
      errors.push({
        field: where,
        message: `is not a known column (known: ${CSV_COLUMNS.join(', ')}, custom.<key>)`,
      });
    }
  });
  if (!seen.has('displayName'))
    errors.push({ field: 'row 1: displayName', message: 'the header must have a displayName column' });
  return errors;
}

/** Turns one data row into API input (cells un-escaped, lists split, custom values typed). */
export function csvRowToInput(
  header: string[],
  cells: string[],
  defs: Map<string, CustomFieldDef>,
): CsvRowInput {
  const out: CsvRowInput = { input: {}, parentReferralCode: null, ownerEmail: null, errors: [] };
  if (cells.length > header.length) {
    out.errors.push({
      field: 'row',
      message: `has ${cells.length} cells but the header has ${header.length}`,
    });
    return out;
  }
  const custom: Record<string, unknown> = {};
  header.forEach((column, i) => {
    const cell = restoreFormula(cells[i] ?? '');
    if (cell.trim() === '' || READ_ONLY_COLUMNS.has(column)) return;
    if (column === 'parentReferralCode') out.parentReferralCode = cell.trim();
    else if (column === 'ownerEmail') out.ownerEmail = cell.trim();
    else if (column === 'websites') out.input.websites = cell.split(/\s+/).filter(Boolean);
    else if (LIST_COLUMNS.has(column)) out.input[column] = cell.split(/[\s,;]+/).filter(Boolean);
    else if (column.startsWith('custom.')) {
      const key = column.slice('custom.'.length);
      const def = defs.get(key);
      if (def?.type === 'number') {
        if (NUMBER_RE.test(cell.trim())) custom[key] = Number(cell.trim());
        else out.errors.push({ field: column, message: 'must be a number' });
      } else if (def?.type === 'boolean') {
        const word = cell.trim().toLowerCase();
        if (TRUE_WORDS.has(word)) custom[key] = true;
        else if (FALSE_WORDS.has(word)) custom[key] = false;
        else out.errors.push({ field: column, message: 'must be true or false' });
      } else {
        custom[key] = cell;
      }
    } else out.input[column] = cell;
  });
  if (Object.keys(custom).length > 0) out.input.customFields = custom;
  return out;
}

/** The CSV column that holds an input field (for error messages). */
function columnOf(name: string): string {
  if (name === 'parentId') return 'parentReferralCode';
  if (name === 'ownerId') return 'ownerEmail';
  if (name.startsWith('customFields.')) return `custom.${name.slice('customFields.'.length)}`;
  return name;
}

function columnOfPath(path: PropertyKey[]): string {
  if (path.length === 0) return 'row';
  return columnOf(
    path.length > 1 && path[0] === 'customFields' ? `customFields.${String(path[1])}` : String(path[0]),
  );
}

const chunked = <T>(items: T[], size = 500): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

interface ValidatedImport {
  report: ImportReport;
  rows: PartnersTable[];
}

async function validateImport(
  db: Kysely<DB> | Transaction<DB>,
  ctx: RequestContext,
  text: string,
  dryRun: boolean,
): Promise<ValidatedImport> {
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw invalidField('body', `The CSV cannot be read: ${err.message}.`);
    throw err;
  }
  const [rawHeader, ...data] = records;
  if (!rawHeader) throw invalidField('body', 'The file is empty; its first row must name the columns.');
  if (data.length > IMPORT_MAX_ROWS)
    throw invalidField('body', `An import takes at most ${IMPORT_MAX_ROWS} rows.`);
  const defs = await loadActiveCustomFieldDefs(db);
  const header = rawHeader.map((h) => h.trim());
  const headerErrors = checkHeader(header, defs);
  if (headerErrors.length > 0) throw invalid(headerErrors, 'The header row of the CSV is not valid.');

  const rowInputs = data.map((cells) => csvRowToInput(header, cells, defs));

  // Prefetch what rows refer to: owners by email, parents and taken referral codes by code.
  const emails = [
    ...new Set(rowInputs.map((r) => r.ownerEmail?.toLowerCase()).filter((v): v is string => !!v)),
  ];
  const fileCodeSet = new Set(
    rowInputs
      .flatMap((r) => [
        r.parentReferralCode,
        typeof r.input.referralCode === 'string' ? r.input.referralCode.trim() : null,
      ])
      .filter((v): v is string => !!v)
      .map((v) => v.toLowerCase()),
  );
  const codes = [...fileCodeSet];
  const usersByEmail = new Map<string, string>();
  for (const part of chunked(emails)) {
    for (const u of await db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', 'in', part)
      .execute()) {
      usersByEmail.set(u.email.toLowerCase(), u.id);
    }
  }
  const savedByCode = new Map<string, PartnerNode>();
  for (const part of chunked(codes)) {
    const found = await db
      .selectFrom('partners')
      .select(['id', 'type', 'parent_id', 'archived_at', 'referral_code'])
      .where(sql<string>`lower(referral_code)`, 'in', part)
      .execute();
    for (const p of found) savedByCode.set(p.referral_code.toLowerCase(), p);
  }

  const base = dbRuleEnv(db, ctx.actor, defs);
  const fileNodes = new Map<string, PartnerNode>();
  const fileCodes = new Map<string, { node: PartnerNode; row: number }>(); // lower-cased referral code → row
  const ownerChecks = new Map<string, Promise<string | null>>();
  const env: RuleEnv = {
    ...base,
    field: columnOf,
    ownerRule: 'report',
    lookup: async (id) => fileNodes.get(id) ?? base.lookup(id),
    codeTaken: async (code) => {
      const lc = code.toLowerCase();
      if (savedByCode.has(lc) || fileCodes.has(lc)) return true;
      return fileCodeSet.has(lc) ? false : base.codeTaken(code, null);
    },
    ownerProblem: (ownerId) => {
      let check = ownerChecks.get(ownerId);
      if (!check) {
        check = ownerProblem(db, ownerId);
        ownerChecks.set(ownerId, check);
      }
      return check;
    },
  };

  const errors: ImportRowError[] = [];
  const rows: PartnersTable[] = [];
  let validCount = 0;
  for (const [index, r] of rowInputs.entries()) {
    const rowNumber = index + 2; // the header is row 1, as a spreadsheet shows it
    const rowErrors: FieldError[] = [...r.errors];
    const input = { ...r.input };
    if (r.ownerEmail) {
      const ownerId = usersByEmail.get(r.ownerEmail.toLowerCase());
      if (ownerId) input.ownerId = ownerId;
      else rowErrors.push({ field: 'ownerEmail', message: `no user has the email ${r.ownerEmail}` });
    }
    if (r.parentReferralCode) {
      const lc = r.parentReferralCode.toLowerCase();
      const parent = fileCodes.get(lc)?.node ?? savedByCode.get(lc);
      if (parent) input.parentId = parent.id;
      else {
        rowErrors.push({
          field: 'parentReferralCode',
          message: `no partner has the referral code ${r.parentReferralCode} (a parent in the same file must come before its sub-partners)`,
        });
      }
    }
    const code = typeof input.referralCode === 'string' ? input.referralCode.trim().toLowerCase() : null;
    if (code && fileCodes.has(code)) {
      rowErrors.push({ field: 'referralCode', message: `is also used by row ${fileCodes.get(code)?.row}` });
      delete input.referralCode;
    }
    const parsed = partnerInputSchema.safeParse(input);
    if (!parsed.success) {
      rowErrors.push(...issuesToFieldErrors(parsed.error.issues, columnOfPath));
    } else {
      const prepared = await prepareNewPartner(env, parsed.data);
      rowErrors.push(...prepared.errors);
      fileNodes.set(prepared.row.id, prepared.row);
      fileCodes.set(prepared.row.referral_code.toLowerCase(), { node: prepared.row, row: rowNumber });
      rows.push(prepared.row);
    }
    if (rowErrors.length === 0) validCount += 1;
    for (const e of rowErrors) errors.push({ row: rowNumber, field: e.field, message: e.message });
  }
  return {
    report: {
      dryRun,
      total: rowInputs.length,
      valid: validCount,
      invalid: rowInputs.length - validCount,
      errors,
      created: [],
    },
    rows,
  };
}

/**
 * Imports partners from CSV text. A dry run only reports. A real import writes every row in one transaction
 * (a `partner.created` entry per partner and one `partners.imported`), or nothing when any row is invalid.
 */
export async function importPartnersCsv(
  store: Store,
  ctx: RequestContext,
  text: string,
  dryRun: boolean,
): Promise<ImportReport> {
  assertCan(ctx.actor, 'partners.import');
  if (ctx.actor.role === 'partner' || ctx.actor.partnerId)
    throw forbidden('Partner users cannot import partners.');
  if (dryRun) return (await validateImport(store.db, ctx, text, true)).report;
  return writeTransaction(store, ctx, async (w) => {
    const { report, rows } = await validateImport(w.trx, ctx, text, false);
    if (report.invalid > 0) {
      throw new AppError(
        'validation_failed',
        `${report.invalid} of ${report.total} rows are not valid; nothing was imported.`,
        report.errors.map((e) => ({ field: `row ${e.row}: ${e.field}`, message: e.message })),
        { report },
      );
    }
    if (rows.length === 0) throw invalidField('body', 'The file has a header but no rows to import.');
    await insertPartners(w, rows);
    for (const row of rows) {
      w.audit({
        action: 'partner.created',
        entityType: 'partner',
        entityId: row.id,
        partnerId: row.id,
        after: partnerRecord(row),
      });
    }
    const importId = newId('import');
    w.audit({
      action: 'partners.imported',
      entityType: 'partner_import',
      entityId: importId,
      after: { total: report.total, created: rows.length },
    });
    return { ...report, created: rows.map((r) => r.id) };
  });
}
