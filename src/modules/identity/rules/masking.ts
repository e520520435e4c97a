/** Masks for personal data on screens (reference.md, PIPL): 110105********002X, 138****8000, 王*明. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length < 10) return '*'.repeat(idNumber.length);
  return `${idNumber.slice(0, 6)}${'*'.repeat(idNumber.length - 10)}${idNumber.slice(-4)}`;
}

export function maskPhone(phone: string): string {
  if (phone.length < 7) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}

/** Keeps the first character, and the last one for names of three or more characters. */
export function maskName(name: string): string {
  const characters = [...name];
  if (characters.length <= 1) return name;
  if (characters.length === 2) return `${characters[0]}*`;
  return `${characters[0]}${'*'.repeat(characters.length - 2)}${characters[characters.length - 1]}`;
}

/** Mainland mobile numbers: 11 digits starting 13–19. */
export function isMobileNumber(value: string): boolean {
  return /^1[3-9]\d{9}$/.test(value);
}
