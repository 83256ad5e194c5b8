import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { signBankRequest, SIGNATURE_HEADER, TIMESTAMP_HEADER, type BankAnswer } from '../../schema/bankRequests';
import type { ConsentStore } from '../consent/types';
import { grantForBank } from './bankGrants';
import { revokeForBank } from './bankRevocations';

export interface BankRoutesOptions {
  store: ConsentStore;
  /** Bank (subgraph name) -> its HMAC-SHA256 key. A bank without a key can neither grant nor revoke (401). */
  bankKeys: Record<string, string>;
  /** Default 300 s. How far the signed timestamp may be from the gateway's clock, either way. */
  maxSkewSeconds?: number;
  /** Default () => new Date(). */
  now?: () => Date;
  /** Default: one JSON line on stderr. Told about every refused request (no key or body is logged). */
  onRefused?: (event: { bank: string; reason: string; ip: string }) => void;
}

/**
 * A bank's own routes, POST /banks/:bank/grants (bankGrants.ts) and /revocations (bankRevocations.ts),
 * each authenticated with the bank's key over the raw body and a timestamp within ±maxSkewSeconds
 * (contract: schema/bankRequests.ts; a wrong or missing signature gets 401, logged without key or body).
 * A body that is not JSON gets 400; the store being down, 503.
 */
export async function registerBankRoutes(fastify: FastifyInstance, options: BankRoutesOptions): Promise<void> {
  const maxSkew = options.maxSkewSeconds ?? 300;
  const now = options.now ?? (() => new Date());
  const onRefused = options.onRefused ?? ((event) => process.stderr.write(`${JSON.stringify({ event: 'bank_request_refused', ...event })}\n`));
  const keys = new Map(Object.entries(options.bankKeys));
  for (const [bank, key] of keys) {
    if (typeof key !== 'string' || key.length < 32) throw new Error(`bank key for '${bank}' must be at least 32 characters (e.g. 32 random bytes as hex); received ${typeof key === 'string' ? `${key.length} characters` : typeof key}`);
  }
  const routes: Record<string, (bank: string, input: unknown) => Promise<BankAnswer>> = {
    grants: (bank, input) => grantForBank(options.store, bank, input),
    revocations: (bank, input) => revokeForBank(options.store, bank, input),
  };

  // Encapsulated: the raw-body JSON parser applies to these routes only, not to /graphql.
  await fastify.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    for (const [path, handle] of Object.entries(routes)) {
      scope.post<{ Params: { bank: string } }>(`/banks/:bank/${path}`, async (request, reply) => {
        const { bank } = request.params;
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const problem = checkSignature(request, raw, keys.get(bank), now(), maxSkew);
        if (problem) {
          onRefused({ bank, reason: problem, ip: request.ip });
          return reply.code(401).send({ error: 'INVALID_SIGNATURE', message: 'missing or invalid signature' });
        }
        let input: unknown;
        try {
          input = JSON.parse(raw.toString('utf8'));
        } catch {
          return reply.code(400).send({ error: 'BAD_REQUEST', message: 'body must be a JSON object' });
        }
        const answer = await handle(bank, input);
        return reply.code(answer.status).send(answer.body);
      });
    }
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
