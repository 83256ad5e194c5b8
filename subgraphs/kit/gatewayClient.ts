import { signBankRequest, SIGNATURE_HEADER, TIMESTAMP_HEADER, type BankAnswer, type BankGrantBody } from '../../schema/bankRequests.js';

export interface GatewayClientOptions {
  /** The gateway's origin, e.g. https://gateway.example.com (the routes are under /banks/{bank}/). */
  url: string;
  /** This bank's subgraph name, as the gateway knows it. */
  bank: string;
  /** The key the gateway holds for this bank (CONSENTGATE_BANK_KEYS), at least 32 characters. */
  key: string;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Default () => Date.now(). The clock the signing time is read from. */
  now?: () => number;
}

export interface GatewayClient {
  /** Confirms a consent the customer gave at the bank: 201 created, 200 the same grant again, 409 the id taken. */
  grant(grant: BankGrantBody): Promise<BankAnswer>;
  /** Ends one of the bank's grants at once, on every gateway instance: 200, 404 unknown, 409 already revoked. */
  revoke(grantId: string, reason?: string): Promise<BankAnswer>;
}

/**
 * What a bank calls when its customer grants or withdraws consent at the bank: the gateway's signed bank
 * routes, each request signed with the bank's key over its exact body. Transport failures reject; any
 * answer from the gateway resolves, with its status.
 */
export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const send = async (route: 'grants' | 'revocations', body: object): Promise<BankAnswer> => {
    const raw = JSON.stringify(body);
    const timestamp = String(Math.floor((options.now ?? Date.now)() / 1000));
    const response = await (options.fetch ?? fetch)(new URL(`/banks/${encodeURIComponent(options.bank)}/${route}`, options.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signBankRequest(options.key, timestamp, raw) },
      body: raw,
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { message: text };
    }
    return { status: response.status, body: typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { message: text } };
  };
  return {
    grant: (grant) => send('grants', grant),
    revoke: (grantId, reason) => send('revocations', reason === undefined ? { grantId } : { grantId, reason }),
  };
}
