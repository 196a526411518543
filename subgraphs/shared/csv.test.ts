import { CsvSyntaxError, parseCsv, parseCsvObjects } from './csv';

describe('parseCsv (RFC 4180)', () => {
  test('splits records on LF and CRLF and fields on commas', () => {
    expect(parseCsv('a,b,c\n1,2,3\r\n4,,6')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
      ['4', '', '6'],
    ]);
  });

  test('a trailing line break makes no empty record; an empty text has none', () => {
    expect(parseCsv('a,b\n1,2\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\uFEFF')).toEqual([]);
  });

  test('quoted fields keep commas, line breaks and doubled quotes', () => {
    const text = 'uri,label,description\nx,"cut, weld","He said ""hold it"".\nThen it\r\nheld."\ny,"",""""\n';
    expect(parseCsv(text)).toEqual([
      ['uri', 'label', 'description'],
      ['x', 'cut, weld', 'He said "hold it".\nThen it\r\nheld.'],
      ['y', '', '"'],
    ]);
  });

  test('a trailing empty field and a last record without a line break are kept', () => {
    expect(parseCsv('a,b,\n"q",')).toEqual([
      ['a', 'b', ''],
      ['q', ''],
    ]);
  });

  test('drops a byte order mark before the first field', () => {
    expect(parseCsv('\uFEFFconceptUri,label\nu,l')[0]).toEqual(['conceptUri', 'label']);
  });

  test('a quote inside an unquoted field is kept as it is', () => {
    expect(parseCsv('a,5" pipe\n')).toEqual([['a', '5" pipe']]);
  });

  test('an unclosed quote and text after a closing quote are errors naming the line', () => {
    expect(() => parseCsv('a,b\n1,"open\n\n')).toThrow(new CsvSyntaxError('a quoted field is never closed', 2));
    expect(() => parseCsv('a\n"x"y\n')).toThrow(/line 2: unexpected "y" after the closing quote/);
  });
});

describe('parseCsvObjects', () => {
  test('keys fields by the header, across multi-line records, skipping blank lines', () => {
    const { columns, rows } = parseCsvObjects('conceptUri,altLabels,code\nu1,"one\ntwo",7\n\nu2,,8\n');
    expect(columns).toEqual(['conceptUri', 'altLabels', 'code']);
    expect(rows).toEqual([
      { conceptUri: 'u1', altLabels: 'one\ntwo', code: '7' },
      { conceptUri: 'u2', altLabels: '', code: '8' },
    ]);
  });

  test('a record with the wrong number of fields names its first line', () => {
    expect(() => parseCsvObjects('a,b\n"1\n2",3\n4\n')).toThrow(/line 4: the record has 1 fields, the header 2/);
  });
});
