import type { RequestConsent } from './consent/requestConsent';

/** Where an object hangs: the account it belongs to and the bank that served it. */
export interface Anchor {
  account?: string;
  bank?: string;
}

/** The per-request context every resolver and rule sees. */
export interface GatewayContext {
  /** The verified user id; null when the request is anonymous. */
  user: string | null;
  consent: RequestConsent;
  /** Objects returned under an account -> that account, for rules on nested fields. */
  anchors: WeakMap<object, Anchor>;
}
