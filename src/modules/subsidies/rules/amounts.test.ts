import { describe, expect, it } from 'vitest';
import { readProgrammeFiles } from '../programmes.ts';
import { finalSalesPrice, quote } from './amounts.ts';

const [file] = readProgrammeFiles();
const appliances = file!.programmes.find((p) => p.id === 'appliances-2026')!;
const digital = file!.programmes.find((p) => p.id === 'digital-2026')!;

describe('subsidy amounts (systems.md S2.3)', () => {
  it.each([
    // [DERIVED] examples of S2.3
    ['refrigerator', '8000.00', '1200.00', '6800.00'],
    ['refrigerator', '12000.00', '1500.00', '10500.00'],
    // around the appliance cap (break-even at 10,000)
    ['television', '9999.99', '1500.00', '8499.99'],
    ['television', '10000.00', '1500.00', '8500.00'],
    ['television', '9999.93', '1499.99', '8499.94'],
    ['washing_machine', '0.01', '0.00', '0.01'],
    ['washing_machine', '0.04', '0.01', '0.03'],
  ])('TI-09: appliance %s at %s → subsidy %s, pay %s', (category, price, subsidy, payable) => {
    expect(quote(appliances, category, price)).toEqual({ eligible: true, subsidy, payable });
  });

  it.each([
    ['mobile_phone', '3000.00', '450.00', '2550.00'],
    ['mobile_phone', '5999.00', '500.00', '5499.00'],
    // around the digital cap (break-even at 3,333.34)
    ['tablet', '3333.33', '500.00', '2833.33'],
    ['tablet', '3333.30', '500.00', '2833.30'],
    ['tablet', '3333.26', '499.99', '2833.27'],
    ['smartwatch', '3333.34', '500.00', '2833.34'],
    // at the price limit
    ['smart_glasses', '6000.00', '500.00', '5500.00'],
  ])('TI-11: digital %s at %s → subsidy %s, pay %s', (category, price, subsidy, payable) => {
    expect(quote(digital, category, price)).toEqual({ eligible: true, subsidy, payable });
  });

  it('TI-10: a digital item over 6,000.00 yuan is not eligible (6,000.01 and 6,500)', () => {
    expect(quote(digital, 'mobile_phone', '6000.01')).toMatchObject({ eligible: false, reason: 'PRICE_OVER_LIMIT', subsidy: '0.00' });
    expect(quote(digital, 'mobile_phone', '6500.00')).toMatchObject({ eligible: false, reason: 'PRICE_OVER_LIMIT' });
  });

  it('TI-09: appliances have no price limit', () => {
    expect(quote(appliances, 'air_conditioner', '60000.00')).toMatchObject({ eligible: true, subsidy: '1500.00' });
  });

  it('TI-14: rounding is half up to the fen, exactly (no floating point)', () => {
    // 15% of 0.10 = 0.015 → 0.02; of 1234.57 = 185.1855 → 185.19; floats would give 185.18549999…
    expect(quote(appliances, 'computer', '0.10').subsidy).toBe('0.02');
    expect(quote(appliances, 'computer', '1234.57').subsidy).toBe('185.19');
    expect(quote(digital, 'tablet', '1000.03').subsidy).toBe('150.00');
  });

  it('a category of the other programme is refused', () => {
    expect(quote(digital, 'refrigerator', '100.00')).toMatchObject({ eligible: false, reason: 'CATEGORY_NOT_IN_PROGRAMME' });
  });

  it('TI-12/TI-13: the base deducts seller and platform discounts, not payment discounts or recycling money', () => {
    const base = finalSalesPrice('5000.00', '300.00', '200.00');
    expect(base).toBe('4500.00');
    expect(quote(appliances, 'refrigerator', base).subsidy).toBe('675.00');
  });
});
