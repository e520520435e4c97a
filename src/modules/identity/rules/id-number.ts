/**
 * Resident identity numbers (GB 11643-1999; reference.md "Resident identity number").
 * 18 characters: address code (6), birth date YYYYMMDD (8), sequence (3, odd = male), check (1,
 * ISO 7064 MOD 11-2). Old 15-digit numbers are refused: every 15-digit card was replaced by an
 * 18-digit one (first-generation cards stopped being valid on 2013-01-01), so a person today
 * holds an 18-digit number, and accepting both would give one person two look-up keys.
 */
export type IdNumberCheck = 'format' | 'fifteen_digit' | 'address_code' | 'birth_date' | 'check_character';

export type IdNumberResult =
  | { valid: true; normalised: string; addressCode: string; birthDate: string; sex: 'male' | 'female' }
  | { valid: false; failed: IdNumberCheck; message: string };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';

/** Province-level codes of GB/T 2260 (the first two digits of every address code). */
const PROVINCE_CODES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82',
]);

/** Tianjin's current district codes (reference.md). */
export const TIANJIN_DISTRICT_CODES = [
  '120101', '120102', '120103', '120104', '120105', '120106', '120110', '120111', '120112',
  '120113', '120114', '120115', '120116', '120117', '120118', '120119',
] as const;

/**
 * Retired Tianjin codes still at the start of valid numbers issued earlier: 塘沽区, 汉沽区, 大港区
 * (now 滨海新区), 宁河县, 静海县, 蓟县; plus the city-level codes of the time.
 */
export const TIANJIN_RETIRED_CODES = ['120107', '120108', '120109', '120221', '120223', '120225', '120100', '120200'] as const;
const TIANJIN_CODES = new Set<string>([...TIANJIN_DISTRICT_CODES, ...TIANJIN_RETIRED_CODES]);

/** The check character for the first 17 digits. */
export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let index = 0; index < 17; index += 1) sum += Number(first17[index]) * WEIGHTS[index]!;
  return CHECK_CHARACTERS[sum % 11]!;
}

/** Validates an identity number and says which check failed; `today` bounds the birth date. */
export function validateIdNumber(input: string, today: string = new Date().toISOString().slice(0, 10)): IdNumberResult {
  const value = input.trim().toUpperCase();
  if (/^\d{15}$/.test(value)) {
    return { valid: false, failed: 'fifteen_digit', message: 'Old 15-digit numbers are not accepted; use the 18-digit number on the current card' };
  }
  if (!/^\d{17}[\dX]$/.test(value)) {
    return { valid: false, failed: 'format', message: 'An identity number has 17 digits followed by a digit or X' };
  }
  const addressCode = value.slice(0, 6);
  const province = addressCode.slice(0, 2);
  if (!PROVINCE_CODES.has(province) || addressCode.endsWith('0000')) {
    return { valid: false, failed: 'address_code', message: `Address code ${addressCode} is not a GB/T 2260 county-level code` };
  }
  if (province === '12' && !TIANJIN_CODES.has(addressCode)) {
    return { valid: false, failed: 'address_code', message: `Address code ${addressCode} is not a Tianjin district code, current or retired` };
  }
  const birth = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  const parsed = new Date(`${birth}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== birth || birth < '1800-01-01' || birth > today) {
    return { valid: false, failed: 'birth_date', message: `Birth date ${birth} is not a real past date` };
  }
  const expected = checkCharacter(value.slice(0, 17));
  if (value[17] !== expected) {
    return { valid: false, failed: 'check_character', message: 'The last character does not match the check character' };
  }
  return {
    valid: true,
    normalised: value,
    addressCode,
    birthDate: birth,
    sex: Number(value[16]) % 2 === 1 ? 'male' : 'female',
  };
}

/** Builds a valid number from its parts (demo data and tests). */
export function makeIdNumber(addressCode: string, birthDate: string, sequence: number): string {
  const first17 = `${addressCode}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return `${first17}${checkCharacter(first17)}`;
}
