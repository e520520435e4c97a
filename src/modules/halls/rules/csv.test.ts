import { describe, expect, it } from 'vitest';
import { csvRecords, formatCsv, parseCsv } from './csv.ts';

describe('CSV import and export of the catalogue and halls', () => {
  it('reads quoted fields with commas, quotes and line breaks, CRLF or LF, and a byte-order mark', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\n"two\nlines",z\n')).toEqual([['a', 'b'], ['x, y', 'say "hi"'], ['two\nlines', 'z']]);
    expect(() => parseCsv('a,"open')).toThrow(/not closed/);
  });

  it('records by header name; blank lines are skipped', () => {
    expect(csvRecords('id, name\r\n\r\n1, 甲\r\n').records).toEqual([{ id: '1', name: '甲' }]);
  });

  it('writes what it reads', () => {
    const rows = [['id', 'note'], ['1', 'a, "b"'], ['2', 'line\nbreak']];
    expect(parseCsv(formatCsv(rows))).toEqual(rows);
  });
});
