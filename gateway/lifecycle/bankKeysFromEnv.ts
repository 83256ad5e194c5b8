/**
 * The banks' revocation keys from CONSENTGATE_BANK_KEYS, a JSON object of bank (subgraph name) -> key,
 * e.g. '{"northwind":"<64 hex characters>"}'. Unset: no bank can revoke. Throws at start-up when it is not
 * such an object (the message never repeats a key).
 */
export function bankKeysFromEnv(value: string | undefined = process.env.CONSENTGATE_BANK_KEYS): Record<string, string> {
  if (value === undefined || value.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error('CONSENTGATE_BANK_KEYS must be a JSON object of bank name -> key, e.g. {"northwind":"<key>"}; received text that is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.values(parsed).every((key) => typeof key === 'string')) {
    throw new Error('CONSENTGATE_BANK_KEYS must be a JSON object of bank name -> key (strings), e.g. {"northwind":"<key>"}');
  }
  return parsed as Record<string, string>;
}
