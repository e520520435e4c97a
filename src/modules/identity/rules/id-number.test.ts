import { describe, expect, it } from 'vitest';
import { checkCharacter, makeIdNumber, validateIdNumber } from './id-number.ts';

const today = '2026-11-22';

describe('GB 11643 identity numbers (reference.md)', () => {
  it('accepts the published examples, with upper- or lower-case X stored upper-case', () => {
    expect(validateIdNumber('11010519491231002X', today)).toMatchObject({ valid: true, normalised: '11010519491231002X', sex: 'female', birthDate: '1949-12-31' });
    expect(validateIdNumber('11010519491231002x', today)).toMatchObject({ valid: true, normalised: '11010519491231002X' });
    expect(validateIdNumber('440524188001010014', today)).toMatchObject({ valid: true, addressCode: '440524', sex: 'male' });
  });

  it('computes the ISO 7064 MOD 11-2 check character', () => {
    expect(checkCharacter('11010519491231002')).toBe('X');
    expect(checkCharacter('44052418800101001')).toBe('4');
  });

  it('accepts every current Tianjin district code', () => {
    for (const code of ['120101', '120102', '120103', '120104', '120105', '120106', '120110', '120111', '120112', '120113', '120114', '120115', '120116', '120117', '120118', '120119']) {
      expect(validateIdNumber(makeIdNumber(code, '1985-06-15', 123), today).valid).toBe(true);
    }
  });

  it('accepts the retired Tianjin codes (塘沽 汉沽 大港 宁河县 静海县 蓟县)', () => {
    for (const code of ['120107', '120108', '120109', '120221', '120223', '120225']) {
      const result = validateIdNumber(makeIdNumber(code, '1970-03-01', 45), today);
      expect(result, code).toMatchObject({ valid: true, addressCode: code });
    }
  });

  it.each([
    ['format: too short', '12010119850615123', 'format'],
    ['format: letters', '1201011985061512AB', 'format'],
    ['format: X in the middle', '12010119X506151234', 'format'],
    ['fifteen-digit old number', '120101850615123', 'fifteen_digit'],
    ['unknown province', makeIdNumber('990101', '1985-06-15', 1), 'address_code'],
    ['province-level code only', makeIdNumber('120000', '1985-06-15', 1), 'address_code'],
    ['unknown Tianjin district', makeIdNumber('120199', '1985-06-15', 1), 'address_code'],
    ['impossible date 02-30', makeIdNumber('120101', '1985-02-28', 1).replace('19850228', '19850230'), 'birth_date'],
    ['birth in the future', makeIdNumber('120101', '2027-01-01', 1), 'birth_date'],
    ['birth before 1800', makeIdNumber('120101', '1799-12-31', 1), 'birth_date'],
  ])('refuses %s', (_name, value, failed) => {
    expect(validateIdNumber(value, today)).toMatchObject({ valid: false, failed });
  });

  it('refuses a wrong check character and says so', () => {
    const good = makeIdNumber('120103', '1990-01-01', 456);
    const wrongCheck = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
    expect(validateIdNumber(wrongCheck, today)).toMatchObject({ valid: false, failed: 'check_character' });
  });

  it('tells sex from the sequence digit (odd = male)', () => {
    expect(validateIdNumber(makeIdNumber('120101', '1960-01-01', 11), today)).toMatchObject({ sex: 'male' });
    expect(validateIdNumber(makeIdNumber('120101', '1960-01-01', 12), today)).toMatchObject({ sex: 'female' });
  });
});
