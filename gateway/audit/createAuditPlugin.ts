import { createHash, randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context';
import type { ConsentStore } from '../consent/types';
import type { ConsentReason } from '../errors';
import type { RevokedServing } from './DecisionLog';
import { stripServedFields } from './stripServedFields';
import type { AuditTrail } from './types';

export interface AuditPluginOptions {
  audit: AuditTrail;
  /** Consumes one-time grants (ConsentStore.markUsed, atomic across instances). */
  markUsed: ConsentStore['markUsed'];
  /** Default: one line on stderr. Told when a record or a one-time use could not be written. */
  onError?: (message: string, error: unknown) => void;
}

/**
 * Makes the response wait for its records (CONSENT.md, "Records": sensitive data is not served when its
 * access cannot be recorded). In willSendResponse, before the body leaves: consume the one-time grants
 * that served data (a grant another request consumed first takes its fields back, EXPIRED), then write
 * every decision in one INSERT. If that fails, every served guarded field is taken back
 * (AUDIT_UNAVAILABLE) and the non-sensitive rest of the response still goes out.
 */
export function createAuditPlugin(options: AuditPluginOptions): ApolloServerPlugin<GatewayContext> {
  const onError = options.onError ?? ((message, error) => process.stderr.write(`consentgate: ${message}: ${(error as Error)?.message ?? String(error)}\n`));
  return {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          const { contextValue, response } = requestContext;
          const log = contextValue.consent?.log;
          if (!log || log.isEmpty) return;
          const takenBack: RevokedServing[] = [];
          const takeBack = (which: Parameters<typeof log.takeBack>[0], reason: ConsentReason) => takenBack.push(...log.takeBack(which, reason));

          // One retrieval per one-time grant: of two concurrent requests, markUsed lets exactly one win.
          const oneTime = log.oneTimeGrants();
          if (oneTime.length > 0) await Promise.all(oneTime.map(async (grantId) => {
            const used = await options.markUsed(grantId).then((won) => (won ? null : 'EXPIRED'), (error: unknown) => {
              onError(`one-time grant '${grantId}' could not be marked used`, error);
              return 'CONSENT_UNAVAILABLE' as const;
            });
            if (used) takeBack((f) => f.grantId === grantId, used);
          }));

          const source = requestContext.source ?? '';
          const meta = {
            at: contextValue.consent.now,
            requestId: randomUUID(),
            userId: contextValue.user,
            operationName: requestContext.operationName ?? requestContext.request.operationName ?? null,
            operationHash: requestContext.queryHash ?? createHash('sha256').update(source).digest('hex'),
          };
          try {
            await options.audit.write(log.records(meta));
          } catch (error) {
            onError('audit records could not be written; served guarded fields were stripped', error);
            takeBack(() => true, 'AUDIT_UNAVAILABLE');
          }
          if (takenBack.length > 0 && response.body.kind === 'single') {
            stripServedFields(response.body.singleResult as Parameters<typeof stripServedFields>[0], takenBack);
          }
        },
      };
    },
  };
}
