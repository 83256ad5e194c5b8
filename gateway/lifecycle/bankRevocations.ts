import type { BankAnswer } from '../../schema/bankRequests';
import { ConsentStoreError } from '../consent/store/ConsentStoreError';
import type { ConsentStore } from '../consent/types';

const USAGE = 'body must be JSON: {"grantId": "...", "reason": "..."}';

/**
 * POST /banks/:bank/revocations {"grantId", "reason"} (signature checked by bankRoutes.ts): the bank revokes
 * one of ITS grants (revokedBy 'bank'). 200 revoked, 404 unknown grant or another bank's (the same answer),
 * 409 already revoked (so a replayed revocation changes nothing), 400 bad body, 503 store unavailable.
 */
export async function revokeForBank(store: ConsentStore, bank: string, input: unknown): Promise<BankAnswer> {
  const body = input as { grantId?: unknown; reason?: unknown } | null;
  if (typeof body !== 'object' || body === null || typeof body.grantId !== 'string' || body.grantId === '' || (body.reason !== undefined && typeof body.reason !== 'string')) {
    return { status: 400, body: { error: 'BAD_REQUEST', message: USAGE } };
  }
  try {
    const grant = await store.revoke(body.grantId, 'bank', (body.reason as string | undefined) ?? `revoked by ${bank}`, { bank });
    return { status: 200, body: { grantId: grant.id, status: grant.status, revokedAt: grant.revokedAt, revokedBy: grant.revokedBy } };
  } catch (error) {
    if (error instanceof ConsentStoreError && error.code === 'NOT_FOUND') return { status: 404, body: { error: 'NOT_FOUND', message: `no grant '${body.grantId}' at ${bank}` } };
    if (error instanceof ConsentStoreError && error.code === 'ALREADY_REVOKED') return { status: 409, body: { error: 'ALREADY_REVOKED', message: `grant '${body.grantId}' is already revoked` } };
    return { status: 503, body: { error: 'STORE_UNAVAILABLE', message: 'the consent store is unavailable; retry' } };
  }
}
