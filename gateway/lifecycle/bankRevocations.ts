import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConsentStoreError } from '../consent/store/ConsentStoreError';
import type { ConsentStore } from '../consent/types';

/** The headers a bank signs its revocation with. */
export const SIGNATURE_HEADER = 'x-consentgate-signature';
export const TIMESTAMP_HEADER = 'x-consentgate-timestamp';

export interface BankRevocationOptions {
  store: ConsentStore;
  /** Bank (subgraph name) -> its HMAC-SHA256 key. A bank without a key cannot revoke (401). */
  bankKeys: Record<string, string>;
  /** Default 300 s. How far the signed timestamp may be from the gateway's clock, either way. */
  maxSkewSeconds?: number;
  /** Default () => new Date(). */
  now?: () => Date;
  /** Default: one JSON line on stderr. Told about every refused request (no key or body is logged). */
  onRefused?: (event: { bank: string; reason: string; ip: string }) => void;
}

/** The signature a bank sends: `sha256=` + hex HMAC-SHA256(key, `${timestamp}.${rawBody}`). */
export function signBankRequest(key: string, timestamp: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', key).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/**
 * POST /banks/:bank/revocations {"grantId", "reason"}: a bank revokes one of ITS grants (revokedBy 'bank').
 * The raw body is authenticated with the bank's own key and a timestamp within ±maxSkewSeconds (bounds
 * replay; a replayed revocation is harmless anyway: 409). Wrong or missing signature: 401, logged.
 * 200 revoked, 404 unknown grant or another bank's (the same answer), 409 already revoked, 400 bad body.
 */
export async function registerBankRevocations(fastify: FastifyInstance, options: BankRevocationOptions): Promise<void> {
  const maxSkew = options.maxSkewSeconds ?? 300;
  const now = options.now ?? (() => new Date());
  const onRefused = options.onRefused ?? ((event) => process.stderr.write(`${JSON.stringify({ event: 'bank_revocation_refused', ...event })}\n`));
  const keys = new Map(Object.entries(options.bankKeys));
  for (const [bank, key] of keys) {
    if (typeof key !== 'string' || key.length < 32) throw new Error(`bank key for '${bank}' must be at least 32 characters (e.g. 32 random bytes as hex); received ${typeof key === 'string' ? `${key.length} characters` : typeof key}`);
  }

  // Encapsulated: the raw-body JSON parser applies to this route only, not to /graphql.
  await fastify.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post<{ Params: { bank: string } }>('/banks/:bank/revocations', async (request, reply) => {
      const { bank } = request.params;
      const refuse = (reason: string) => {
        onRefused({ bank, reason, ip: request.ip });
        return reply.code(401).send({ error: 'INVALID_SIGNATURE', message: 'missing or invalid signature' });
      };
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const problem = checkSignature(request, raw, keys.get(bank), now(), maxSkew);
      if (problem) return refuse(problem);

      let input: { grantId?: unknown; reason?: unknown };
      try {
        input = JSON.parse(raw.toString('utf8')) as typeof input;
      } catch {
        return reply.code(400).send({ error: 'BAD_REQUEST', message: 'body must be JSON: {"grantId": "...", "reason": "..."}' });
      }
      if (typeof input?.grantId !== 'string' || input.grantId === '' || (input.reason !== undefined && typeof input.reason !== 'string')) {
        return reply.code(400).send({ error: 'BAD_REQUEST', message: 'body must be JSON: {"grantId": "...", "reason": "..."}' });
      }
      try {
        const grant = await options.store.revoke(input.grantId, 'bank', (input.reason as string | undefined) ?? `revoked by ${bank}`, { bank });
        return reply.code(200).send({ grantId: grant.id, status: grant.status, revokedAt: grant.revokedAt, revokedBy: grant.revokedBy });
      } catch (error) {
        if (error instanceof ConsentStoreError && error.code === 'NOT_FOUND') return reply.code(404).send({ error: 'NOT_FOUND', message: `no grant '${input.grantId}' at ${bank}` });
        if (error instanceof ConsentStoreError && error.code === 'ALREADY_REVOKED') return reply.code(409).send({ error: 'ALREADY_REVOKED', message: `grant '${input.grantId}' is already revoked` });
        return reply.code(503).send({ error: 'STORE_UNAVAILABLE', message: 'the consent store is unavailable; retry' });
      }
    });
  });
}

/** Why the request is not authentic, or undefined when it is. */
function checkSignature(request: FastifyRequest, raw: Buffer, key: string | undefined, now: Date, maxSkew: number): string | undefined {
  if (key === undefined) return 'no key configured for this bank';
  const signature = request.headers[SIGNATURE_HEADER];
  const timestamp = request.headers[TIMESTAMP_HEADER];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') return 'missing signature or timestamp header';
  if (!/^\d{1,12}$/.test(timestamp)) return 'timestamp is not unix seconds';
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > maxSkew) return 'timestamp outside the allowed window';
  const expected = Buffer.from(signBankRequest(key, timestamp, raw));
  const received = Buffer.from(signature);
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) return 'signature does not match';
  return undefined;
}
