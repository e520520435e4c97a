import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubPersonalData } from './logger.ts';

const ID_NUMBER = '11010519491231002X';
const ID_NUMBER_DIGITS = '110105194912310021';
const PHONE = '13800138000';
const SECRETS = [ID_NUMBER, ID_NUMBER_DIGITS, PHONE, 'abc-secret-token'];

function capture(level = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger(level, destination);
  return { logger, lines, text: () => lines.join('\n') };
}

function expectNoSecrets(text: string) {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  // Nor a lower-case x variant of the identity number.
  expect(text.toLowerCase()).not.toContain(ID_NUMBER.toLowerCase());
}

describe('logger', () => {
  it('writes one JSON line per entry with level, time, service and message', () => {
    const { logger, lines } = capture();
    logger.info({ orderId: 'o-1' }, 'claim accepted');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ level: 30, service: 'haihe', msg: 'claim accepted', orderId: 'o-1' });
    expect(entry.time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('redacts identity numbers, phone numbers and tokens by field name', () => {
    const { logger, text } = capture();
    logger.info({ idNumber: ID_NUMBER, phone: PHONE, token: 'abc-secret-token' }, 'resident registered');
    logger.info({ resident: { idNumber: ID_NUMBER, phone: PHONE, accessToken: 'abc-secret-token' } }, 'nested');
    expectNoSecrets(text());
    const [first, second] = text().split('\n').map((line) => JSON.parse(line));
    expect(first).toMatchObject({ idNumber: '[redacted]', phone: '[redacted]', token: '[redacted]' });
    expect(second.resident).toMatchObject({ idNumber: '[redacted]', phone: '[redacted]', accessToken: '[redacted]' });
  });

  it('masks identity and mobile numbers inside messages', () => {
    const { logger, text } = capture();
    logger.info({ idNumber: ID_NUMBER, phone: PHONE, token: 'abc-secret-token' }, `lookup of ${ID_NUMBER} from ${PHONE} failed`);
    logger.warn(`digits-only number ${ID_NUMBER_DIGITS}, phone +86 ${PHONE}`);
    logger.error('format %s and %s', ID_NUMBER, PHONE);
    expectNoSecrets(text());
    expect(JSON.parse(text().split('\n')[0]!).msg).toBe('lookup of 110105********002X from 138****8000 failed');
  });

  it('masks identity and mobile numbers inside other logged strings and errors', () => {
    const { logger, text } = capture();
    logger.info({ note: `caller ${PHONE}`, list: [`id ${ID_NUMBER}`] }, 'free text in fields');
    const error = Object.assign(new Error(`duplicate key value (id_number)=(${ID_NUMBER})`), {
      detail: `Key (phone)=(${PHONE}) already exists.`,
    });
    logger.error({ err: error }, 'unhandled error');
    logger.error(new Error(`resident ${ID_NUMBER} not found`));
    logger.error(new Error('wrapped', { cause: new Error(`phone ${PHONE} taken`) }), 'with a cause');
    expectNoSecrets(text());
    expect(JSON.parse(text().split('\n')[2]!).msg).toBe('resident 110105********002X not found');
    const entry = JSON.parse(text().split('\n')[1]!);
    expect(entry.err.message).toBe('duplicate key value (id_number)=(110105********002X)');
    expect(entry.err.type).toBe('Error');
    expect(entry.err.stack).toEqual(expect.any(String));
  });

  it('logs the path of a request only: no query string, no credentials, no personal data in the path', () => {
    const { logger, text } = capture();
    logger.info(
      {
        req: {
          method: 'GET',
          url: `/api/v1/residents/${ID_NUMBER}?code=abc-secret-token`,
          id: 'r-1',
          headers: { authorization: 'Bearer abc-secret-token', cookie: 'haihe_session=abc-secret-token' },
        },
        res: { statusCode: 200, headers: { 'set-cookie': 'haihe_session=abc-secret-token' } },
      },
      'request',
    );
    expectNoSecrets(text());
    const entry = JSON.parse(text());
    expect(entry.req).toEqual({ method: 'GET', path: '/api/v1/residents/110105********002X', id: 'r-1' });
    expect(entry.res).toEqual({ statusCode: 200 });
  });

  it('keeps child loggers redacting', () => {
    const { logger, text } = capture();
    logger.child({ component: 'jobs' }).info({ phone: PHONE }, `sms to ${PHONE}`);
    expectNoSecrets(text());
  });

  it('does not mask numbers that are neither identity nor mobile numbers', () => {
    expect(scrubPersonalData('order 12345 at 2026-02-14, amount 1499.85, code 1234567890')).toBe(
      'order 12345 at 2026-02-14, amount 1499.85, code 1234567890',
    );
    expect(scrubPersonalData('landline 022-23456789')).toBe('landline 022-23456789');
    expect(scrubPersonalData(`${ID_NUMBER}, ${PHONE}`)).toBe('110105********002X, 138****8000');
  });

  it('does not change the caller’s objects', () => {
    const { logger } = capture();
    const fields = { note: `caller ${PHONE}`, nested: { phone: PHONE } };
    logger.info(fields, 'x');
    expect(fields).toEqual({ note: `caller ${PHONE}`, nested: { phone: PHONE } });
  });
});
