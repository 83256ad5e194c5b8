import { signSubgraphRequest } from '../../schema/assertion';

export interface ReadinessOptions {
  /** Default: the gateway's store. Probed with one grants read for a user that cannot exist. */
  store?: { grantsForUser(user: string): Promise<unknown> };
  /** Default: the supergraph's routing URLs. Subgraph name -> URL (use the gateway's subgraphUrls). */
  subgraphUrls?: Record<string, string>;
  /** Default none. Subgraph name -> secret, so probes of signature-checking subgraphs are signed. */
  subgraphSecrets?: Record<string, string>;
  /** Default 1000 ms. Per probe. */
  timeoutMs?: number;
  /**
   * Default false: ready while the store and at least one subgraph answer. A bank outage hits every
   * gateway instance alike; failing readiness for it would take them all out of rotation and turn one
   * bank's null fields into a whole-platform outage. True: ready only while every subgraph answers.
   */
  requireAllSubgraphs?: boolean;
  /** Default the global fetch. */
  fetch?: typeof fetch;
}

export interface ReadinessReport {
  ready: boolean;
  store: 'ok' | 'unreachable';
  subgraphs: Record<string, 'ok' | 'unreachable'>;
}

/**
 * Probes the store and every subgraph (`{ __typename }`, signed when a secret is known). A subgraph is
 * reachable when it answers HTTP below 500 within the timeout; no URL or error text goes in the report.
 */
export async function checkReadiness(subgraphs: { name: string; url: string }[], options: ReadinessOptions): Promise<ReadinessReport> {
  const timeoutMs = options.timeoutMs ?? 1000;
  const transport = options.fetch ?? fetch;
  const probe = async ({ name, url }: { name: string; url: string }): Promise<[string, 'ok' | 'unreachable']> => {
    const body = '{"query":"{ __typename }"}';
    const secret = options.subgraphSecrets?.[name];
    const signed = secret ? signSubgraphRequest({ subgraph: name, secret, assertion: '', body }) : {};
    try {
      const response = await transport(options.subgraphUrls?.[name] ?? url, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body, signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer();
      return [name, response.status < 500 ? 'ok' : 'unreachable'];
    } catch {
      return [name, 'unreachable'];
    }
  };
  const storeProbe = async (): Promise<'ok' | 'unreachable'> => {
    if (!options.store) return 'ok';
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([options.store.grantsForUser('consentgate:readiness-probe'), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)))]);
      return 'ok';
    } catch {
      return 'unreachable';
    } finally {
      clearTimeout(timer);
    }
  };
  const [store, probes] = await Promise.all([storeProbe(), Promise.all(subgraphs.map(probe))]);
  const states = probes.map(([, state]) => state);
  const subgraphsOk = options.requireAllSubgraphs ? states.every((s) => s === 'ok') : states.length === 0 || states.some((s) => s === 'ok');
  return { ready: store === 'ok' && subgraphsOk, store, subgraphs: Object.fromEntries(probes) };
}
