// Resource quantities as the API server reads and prints them (k8s.io/apimachinery/pkg/api/resource).
import { describe, expect, it } from 'vitest';
import {
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  canonicalQuantity,
  compareQuantities,
  parseQuantity,
  parseQuantityExact,
} from '../../src/api/quantity.js';

describe('parseQuantity', () => {
  const cases: Array<[string | number, number]> = [
    ['500m', 0.5],
    ['0.5', 0.5],
    ['2', 2],
    [1, 1],
    ['1Ki', 1024],
    ['128Mi', 128 * 1024 * 1024],
    ['8Gi', 8 * 1024 ** 3],
    ['1k', 1000],
    ['129M', 129e6],
    ['1e3', 1000],
    ['100n', 1e-7],
    ['-1', -1],
  ];
  for (const [input, value] of cases) {
    it(`reads ${JSON.stringify(input)} as ${value}`, () => {
      expect(parseQuantity(input)).toBeCloseTo(value, 12);
    });
  }
});

describe('canonical form (what kubectl get -o yaml shows)', () => {
  const cases: Array<[string | number, string]> = [
    ['0.5', '500m'],
    ['1000m', '1'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['1023', '1023'],
    ['2000', '2k'],
    ['1500', '1500'],
    ['129e6', '129e6'],
    ['0.0001', '1m'],
    [0.25, '250m'],
    ['12345.6789', '12345679m'],
  ];
  for (const [input, canonical] of cases) {
    it(`${JSON.stringify(input)} -> ${canonical}`, () => {
      expect(canonicalQuantity(input)).toBe(canonical);
    });
  }
});

describe('malformed quantities', () => {
  const cases: Array<[string, string]> = [
    ['abc', QUANTITY_FORMAT_ERROR],
    ['1.2.3', QUANTITY_FORMAT_ERROR],
    ['', QUANTITY_FORMAT_ERROR],
    ['1x', QUANTITY_FORMAT_ERROR],
    ['1Mi5', QUANTITY_SUFFIX_ERROR],
    ['1e', QUANTITY_SUFFIX_ERROR],
  ];
  for (const [input, message] of cases) {
    it(`${JSON.stringify(input)} is refused with upstream's message`, () => {
      expect(() => parseQuantityExact(input)).toThrow(message);
    });
  }
  it('names the regular expression as upstream does', () => {
    expect(QUANTITY_FORMAT_ERROR).toBe("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });
});

describe('compareQuantities', () => {
  it('compares across units', () => {
    expect(compareQuantities(parseQuantityExact('1'), parseQuantityExact('1000m'))).toBe(0);
    expect(compareQuantities(parseQuantityExact('1Gi'), parseQuantityExact('1G'))).toBe(1);
    expect(compareQuantities(parseQuantityExact('250m'), parseQuantityExact('0.5'))).toBe(-1);
  });
});
