/** ConsentGate's public surface: build a gateway, serve it, compose supergraphs, open a consent store. */
export { createGateway, type Gateway, type GatewayOptions } from './createGateway';
export { startServer, type RunningServer, type ServerOptions } from './server/startServer';
export { composeSupergraph, readSubgraphs, type CompositionInput, type CompositionResult } from './composition/composeSupergraph';
export { loadSupergraphConfig, type SupergraphConfig } from './composition/loadSupergraphConfig';
export { createConsentStore, type ConsentStoreOptions } from './consent/store/createConsentStore';
export type { ConsentStore, Grant, GrantInput, GrantStatus, Initiator } from './consent/types';
export { createIdentity, InvalidTokenError, type Identity, type IdentityOptions } from './identity/createIdentity';
export { ErrorCode, type ConsentErrorExtension, type ConsentReason } from './errors';
export { defineSecurityRules, isAuthenticated, denyWith, type SecurityRules } from './rules/ruleKit';
export { RulesFileError } from './rules/applyRules';
