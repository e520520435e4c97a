import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, freshDatabase, type TestDatabase } from '../../../test/support/databases.ts';
import { textArray } from './arrays.ts';

const awkward = ['plain-id_1.2:3', '', 'NULL', 'null', 'Null', 'with space', 'comma,brace}{', 'quote"d', 'back\\slash', '\\"', '天津', 'tab\tnew\nline', "it's"];

describe('textArray', () => {
  it('writes plain identifiers as they are and quotes everything else', () => {
    expect(textArray(['a', 'b-1', null, undefined])).toBe('{a,b-1,NULL,NULL}');
    expect(textArray(['NULL', '', 'a b'])).toBe('{"NULL","","a b"}');
    expect(textArray(['x"y', 'x\\y'])).toBe('{"x\\"y","x\\\\y"}');
    expect(textArray([])).toBe('{}');
  });
});

describe.each(databaseKinds())('textArray on %s', (kind) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await freshDatabase(kind);
  });
  afterAll(async () => {
    await test.drop();
  });

  it('round-trips every element exactly, NULLs included', async () => {
    const values = [...awkward, null, 'last'];
    const [row] = await test.database.query<{ values: (string | null)[] }>('SELECT $1::text[] AS values', [textArray(values)]);
    expect(row!.values).toEqual(values);
    const [unnested] = await test.database.query<{ n: number }>('SELECT count(*)::int AS n FROM unnest($1::text[])', [textArray(values)]);
    expect(unnested!.n).toBe(values.length);
  });
});
