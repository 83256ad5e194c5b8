/**
 * The ConsentGate subgraph kit: what a bank drops into its own subgraph server. It reads the consent
 * assertion the gateway sends, applies the contract's transaction paging and history window, formats
 * Money and DateTime, serves the schema, and tells the gateway of the consents its customers give and
 * withdraw at the bank (createGatewayClient). It never imports the gateway.
 */
export { createSubgraphContext, perRequest, readHeader, type HeaderSource, type SubgraphContext } from './context.js';
export { decodeCursor, encodeCursor, type CursorPosition } from './cursor.js';
export { DateTimeScalar } from './dateTimeScalar.js';
export { loadTypeDefs } from './loadTypeDefs.js';
export { rowsByIdLoader, safeLoader, windowedLoader } from './loaders.js';
export { toMoney, type Money } from './money.js';
export { isMainModule, serveFromEnv } from './runAsScript.js';
export { startSubgraph, type StartSubgraphOptions, type StartedSubgraph } from './startSubgraph.js';
export { enforceConsent, type EnforceConsentOptions } from './enforceConsent.js';
export { verifyGatewayRequest, type GatewaySignatureOptions } from './verifyGatewayRequest.js';
export { createGatewayClient, type GatewayClient, type GatewayClientOptions } from './gatewayClient.js';
export type { BankAnswer, BankGrantBody, BankRevocationBody } from '../../schema/bankRequests.js';
export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  clampFirst,
  compareNewestFirst,
  pageTransactions,
  resolveTransactionPage,
  windowedQueryKey,
  type DatedItem,
  type TransactionPage,
  type WindowedQuery,
} from './transactionPage.js';
