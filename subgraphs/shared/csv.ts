/**
 * A small RFC 4180 reader for the ESCO distribution's CSV files, so the import needs no CSV dependency.
 * Fields are separated by commas, records by CRLF or LF (ESCO ships LF; RFC 4180 says CRLF). A field in
 * double quotes may hold commas, line breaks and doubled quotes (`""` → `"`). A quote inside an unquoted
 * field is kept as it is; anything but a separator after a closing quote is an error naming the line.
 */

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

/** Every record of a CSV text as its fields. A trailing line break does not make an empty last record. */
export function parseCsv(text: string): string[][] {
  return readRecords(text).map((record) => record.fields);
}

interface CsvRecord {
  fields: string[];
  /** The line the record starts on, from 1: records may span lines. */
  line: number;
}

function readRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let record: string[] = [];
  let recordLine = 1;
  let field = '';
  let quoted = false;
  let line = 1;
  let quoteOpenedOn = 0;
  // Starts true so that a text of only a BOM or nothing yields no records.
  let atRecordStart = true;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push({ fields: record, line: recordLine });
    record = [];
    atRecordStart = true;
  };

  while (i < text.length) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError(`unexpected ${JSON.stringify(next)} after the closing quote of a field`, line);
        }
        continue;
      }
      if (char === '\n') line += 1;
      field += char;
      i += 1;
      continue;
    }
    atRecordStart = false;
    if (char === ',') {
      endField();
      i += 1;
    } else if (char === '\r' || char === '\n') {
      endRecord();
      i += char === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line += 1;
      recordLine = line;
    } else if (char === '"' && field === '') {
      quoted = true;
      quoteOpenedOn = line;
      i += 1;
    } else {
      field += char;
      i += 1;
    }
  }
  if (quoted) throw new CsvSyntaxError('a quoted field is never closed', quoteOpenedOn);
  if (!atRecordStart) endRecord();
  return records;
}

/**
 * The records after the header, as objects keyed by the header's column names; blank lines are skipped.
 * A record with another number of fields than the header is an error: the file is truncated or not what it
 * claims to be.
 */
export function parseCsvObjects(text: string): { columns: string[]; rows: Array<Record<string, string>> } {
  const [header, ...records] = readRecords(text);
  if (!header) return { columns: [], rows: [] };
  const columns = header.fields.map((name) => name.trim());
  // A blank line is no record of a table with columns (an editor's stray newline).
  const filled = records.filter(({ fields }) => !(fields.length === 1 && fields[0] === '' && columns.length > 1));
  const rows = filled.map(({ fields, line }) => {
    if (fields.length !== columns.length)
      throw new CsvSyntaxError(`the record has ${fields.length} fields, the header ${columns.length}`, line);
    return Object.fromEntries(columns.map((name, column) => [name, fields[column] as string]));
  });
  return { columns, rows };
}
