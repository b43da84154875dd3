// RFC 4180 CSV, written and read, with spreadsheet formula injection defused (OWASP "CSV Injection"): a cell
// that starts with = + - @ tab, CR or NUL gets a leading single quote, so Excel, LibreOffice and Sheets show it
// as text instead of running it. To keep values exact through an export and re-import, a value that already
// starts with a quote followed by one of those characters (or another quote) gets the quote too, and the
// reader removes exactly one such quote.

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\0']);

function startsLikeEscaped(value: string): boolean {
  return value.length > 1 && value[0] === "'" && (FORMULA_START.has(value[1] as string) || value[1] === "'");
}

/** The value as it must be written so that no spreadsheet reads it as a formula. */
export function defuseFormula(value: string): string {
  if (value.length > 0 && (FORMULA_START.has(value[0] as string) || startsLikeEscaped(value)))
    return `'${value}`;
  return value;
}

/** The original value of a cell written by defuseFormula. */
export function restoreFormula(cell: string): string {
  return startsLikeEscaped(cell) ? cell.slice(1) : cell;
}

/** True when a spreadsheet would treat the (unquoted) cell as a formula. */
export function isLiveFormula(cell: string): boolean {
  return cell.length > 0 && FORMULA_START.has(cell[0] as string);
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** One CSV record (CRLF-terminated) from raw values; each value is defused and quoted as needed. */
export function csvRecord(values: readonly string[]): string {
  return `${values.map((v) => quote(defuseFormula(v))).join(',')}\r\n`;
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Parses CSV text into records of raw cells (quotes removed, formula escapes NOT yet removed). Accepts CRLF,
 * LF or CR line ends and a leading byte-order mark; skips blank lines; rejects an unterminated quoted cell and
 * text after a closing quote.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let record: string[] = [];
  let cell = '';
  let cellBegun = false; // any character (or an opening quote) of the current cell consumed
  let recordBegun = false; // the current record has at least one cell or separator
  const endRecord = () => {
    if (recordBegun || cellBegun) {
      record.push(cell);
      records.push(record);
    }
    record = [];
    cell = '';
    cellBegun = false;
    recordBegun = false;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') {
      if (cellBegun) throw new CsvSyntaxError(line, 'a quote inside an unquoted cell (quote the whole cell)');
      const startLine = line;
      i += 1;
      for (;;) {
        if (i >= text.length) throw new CsvSyntaxError(startLine, 'a quoted cell is never closed');
        const c = text[i] as string;
        if (c === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line += 1;
        cell += c;
        i += 1;
      }
      cellBegun = true;
      recordBegun = true;
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
        throw new CsvSyntaxError(
          line,
          'text after a closing quote (write a quote inside a quoted cell as "")',
        );
      }
      continue;
    }
    if (ch === ',') {
      record.push(cell);
      cell = '';
      cellBegun = false;
      recordBegun = true;
      i += 1;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line += 1;
      continue;
    }
    cell += ch;
    cellBegun = true;
    recordBegun = true;
    i += 1;
  }
  endRecord();
  return records;
}
