import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// Every module registers its error codes when the composition root imports it.
import '../src/app.ts';
import { errorCatalogue } from '../src/platform/errors.ts';
import { renderErrorsDoc } from '../scripts/errors-doc.ts';

const DOC = path.resolve(import.meta.dirname, '../docs/errors.md');
const STALE = 'docs/errors.md is out of date with the error catalogue: run `npm run docs:errors`';

function documentedCodes(text: string): Map<string, number> {
  const codes = new Map<string, number>();
  for (const match of text.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| (\d{3}) \|/gm)) codes.set(match[1]!, Number(match[2]));
  return codes;
}

describe('docs/errors.md', () => {
  const text = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';

  it('exists', () => {
    expect(text, `docs/errors.md is missing: run \`npm run docs:errors\``).not.toBe('');
  });

  it('lists exactly the codes of the catalogue, each with its HTTP status', () => {
    const expected = new Map(errorCatalogue().map((entry) => [entry.code, entry.status]));
    expect(expected.size).toBeGreaterThan(10);
    expect(Object.fromEntries(documentedCodes(text)), STALE).toEqual(Object.fromEntries(expected));
  });

  it('is exactly what the generator prints', () => {
    const generated = renderErrorsDoc();
    expect(documentedCodes(generated).size).toBe(errorCatalogue().length);
    // Compared as a boolean so the failure shows the instruction, not a long diff.
    expect(text === generated, STALE).toBe(true);
  });
});
