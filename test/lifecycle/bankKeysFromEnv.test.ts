import { describe, expect, it } from 'vitest';
import { bankKeysFromEnv } from '../../gateway/lifecycle/bankKeysFromEnv';

describe('Bank keys: CONSENTGATE_BANK_KEYS', () => {
  it('reads a JSON object of bank -> key; unset means no bank can revoke', () => {
    expect(bankKeysFromEnv('{"northwind":"k1","contoso":"k2"}')).toEqual({ northwind: 'k1', contoso: 'k2' });
    expect(bankKeysFromEnv(undefined)).toEqual({});
    expect(bankKeysFromEnv('')).toEqual({});
  });

  it('refuses anything else without repeating the value', () => {
    expect(() => bankKeysFromEnv('northwind=secret-key')).toThrow('CONSENTGATE_BANK_KEYS must be a JSON object of bank name -> key, e.g. {"northwind":"<key>"}; received text that is not JSON');
    expect(() => bankKeysFromEnv('{"northwind":42}')).toThrow(/^CONSENTGATE_BANK_KEYS must be a JSON object of bank name -> key \(strings\)/);
    expect(() => bankKeysFromEnv('["secret"]')).toThrow(/JSON object/);
  });
});
