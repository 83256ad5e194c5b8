import { createHmac } from 'node:crypto';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from './assertion.js';

/**
 * The contract of a bank's own requests to the gateway (POST /banks/{bank}/grants and /revocations): the
 * same two headers as the gateway's requests to a bank, here with the signing time in Unix seconds and
 * `sha256=<hex HMAC-SHA256(bankKey, timestamp + "." + rawBody)>`.
 */
export { SIGNATURE_HEADER, TIMESTAMP_HEADER };

/** The signature a bank sends with a request to the gateway, over the exact body it sends. */
export function signBankRequest(key: string, timestamp: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', key).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/** POST /banks/{bank}/grants: a consent the bank's customer gave at the bank, under the bank's consent id. */
export interface BankGrantBody {
  /** The bank's consent id: a retry or replay with the same id and terms changes nothing. */
  id: string;
  /** The platform's user id. */
  user: string;
  scopes: string[];
  accounts: string[];
  /** ISO 8601; default and maximum: one year after the gateway records the grant. */
  expiresAt?: string;
  /** Default null (no window). How far back dated data may be read, in months. */
  historyMonths?: number | null;
  /** Default false. Good for one retrieval. */
  oneTime?: boolean;
}

/** POST /banks/{bank}/revocations: one of the bank's grants ends. */
export interface BankRevocationBody {
  grantId: string;
  reason?: string;
}

/** What the gateway answers a bank's request: its HTTP status and JSON body. */
export interface BankAnswer {
  status: number;
  body: Record<string, unknown>;
}
