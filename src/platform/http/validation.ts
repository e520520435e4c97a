import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from '../errors.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function newAjv(coerceTypes: boolean | 'array'): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    removeAdditional: false,
    useDefaults: true,
    coerceTypes,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

// Bodies are JSON: a string is never silently turned into a number. Query strings, path
// parameters and headers are text by nature, so their values are coerced to the declared type.
const bodyAjv = newAjv(false);
const textAjv = newAjv('array');

/** Fastify validator compiler with strict bodies and coerced query/params/headers. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema as object);
};

const partName: Record<string, string> = { body: '', querystring: 'query.', params: 'path.', headers: 'header.' };

/** Turns Ajv errors into field errors that name the field a person or client must fix. */
export function fieldErrors(errors: readonly ErrorObject[], context: string): FieldError[] {
  const prefix = partName[context] ?? '';
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const error of errors) {
    let field = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
    let message = error.message ?? 'is not valid';
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      field = field ? `${field}.${extra}` : extra;
      message = 'is not a known field';
    } else if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      field = field ? `${field}.${missing}` : missing;
      message = 'is required';
    }
    const name = `${prefix}${field}` || (context === 'body' ? 'body' : context);
    const key = `${name}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ field: name, message });
  }
  // anyOf/oneOf produce a summary error on top of the branch errors; keep the specific ones first.
  return result.sort((a, b) => Number(a.message.startsWith('must match')) - Number(b.message.startsWith('must match')));
}
