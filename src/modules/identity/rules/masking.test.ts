import { describe, expect, it } from 'vitest';
import { isMobileNumber, maskIdNumber, maskName, maskPhone } from './masking.ts';

describe('masking personal data on screens (reference.md, PIPL)', () => {
  it('masks identity numbers as 110105********002X', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
  });
  it('masks phone numbers as 138****8000', () => {
    expect(maskPhone('13800138000')).toBe('138****8000');
  });
  it('masks names keeping the first (and last) character', () => {
    expect(maskName('王伟')).toBe('王*');
    expect(maskName('王小明')).toBe('王*明');
    expect(maskName('欧阳小明')).toBe('欧**明');
  });
  it('recognises mainland mobile numbers', () => {
    expect(isMobileNumber('13800138000')).toBe(true);
    expect(isMobileNumber('12800138000')).toBe(false);
    expect(isMobileNumber('1380013800')).toBe(false);
  });
});
