/**
 * THE SECURITY TEAM'S RULES FILE. Edit this file to add restrictions; it is the only place for them.
 *
 * - Keys are supergraph type names, then field names (checked by the type checker against
 *   schema/supergraphFields.ts, and again at start-up: an unknown type or field, or a value that is not a
 *   rule, stops the gateway with a message naming it).
 * - A rule on an interface (Account) applies to every type implementing it; `Type: rule` or
 *   `Type: { '*': rule }` applies to every field of the type.
 * - Every rule here is AND-ed with the consent rules generated from the banks' @consent: nothing in this
 *   file can expose a consent-guarded field without the customer's grant (`allow` only allows what consent
 *   allows). A rule that returns false or throws denies the field (FORBIDDEN); it never allows it, and
 *   graphql-shield's not() (which allows when its rule throws) is refused at start-up.
 * - Tests: test/rules/securityRules.test.ts runs this file against the demo supergraph.
 */
import { defineSecurityRules, denyWith, isAuthenticated } from './ruleKit';

export default defineSecurityRules({
  // Only a signed-in customer has a `me`.
  Query: { me: isAuthenticated },
  // Full account and routing numbers never leave the gateway, whatever the grant: the platform's products
  // work with masked numbers, and payments go through the bank's own rails.
  NorthwindAccount: {
    accountNumber: denyWith('full account numbers are not served to the platform'),
    routingNumber: denyWith('routing numbers are not served to the platform'),
  },
  ContosoCardAccount: {
    cardNumber: denyWith('card numbers (PAN) are not served to the platform'),
  },
});
