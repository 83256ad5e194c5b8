import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GraphQLError, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { QueryPlanner } from '@graphql-hive/router-query-planner';
import { RequestConsent } from '../consent/requestConsent';
import { ConsentStoreError } from '../consent/store/ConsentStoreError';
import type { ConsentStore, Grant } from '../consent/types';
import { ErrorCode } from '../errors';
import { createExecutableSchema } from '../execution/createExecutableSchema';
import { explainGrants, type AccountExplanation } from '../explain/explainGrants';
import { explainOperation, OperationInputError, type OperationExplanation } from '../explain/explainOperation';
import { explainPolicy, type FieldPolicy } from '../explain/explainPolicy';
import { addLifecycleFields } from '../lifecycle/addLifecycleFields';
import { DEFAULT_PATHS } from '../paths';
import { RulesFileError, securityRuleEntries } from '../rules/applyRules';
import defaultSecurityRules from '../rules/securityRules';
import { buildConsentModel, type RequirementSource } from '../supergraph/consentModel';
import { readSupergraph } from '../supergraph/readSupergraph';
import type { CliIo } from './io';
import { loadRules } from './loadRules';

export interface ExplainCommandIo extends CliIo {
  /** Needed with --user only (the user's grants are read from it). */
  store?: ConsentStore;
  /** Default () => new Date(). The instant grants are decided at. */
  now?: () => Date;
}

const USAGE = `Usage: consentgate explain [<Type.field | Type> ...] [--user U [--bank B --account ID]]
                          [--supergraph F] [--rules F | none] [--json]
       consentgate explain --user U --query '<operation>' [--operation NAME] [--supergraph F] [--json]

  Without --user: how each guarded field is decided (every one, or those named): the consent scopes it
  needs and which @consent asks for each, the bank whose grants decide, the history window of dated
  items, and the security team's rules on it. All of them must allow; anything unknown strips.
  With --user: what the user's grants decide now, account by account (every account the user linked,
  or --account at --bank): served under which grant, or stripped with the reason a response carries.
  With --query: what each subgraph would be asked for that operation and the user's grants, in plan
  order, pruned as the gateway prunes it; a bank left with nothing the user may see is not asked.
  --supergraph defaults to schema/supergraph.graphql; --rules to gateway/rules/securityRules.ts.`;

const OPTIONS = {
  user: { type: 'string' },
  bank: { type: 'string' },
  account: { type: 'string' },
  query: { type: 'string' },
  operation: { type: 'string' },
  supergraph: { type: 'string' },
  rules: { type: 'string' },
  json: { type: 'boolean' },
} as const;

class UsageError extends Error {}

/**
 * `consentgate explain`: the policy the gateway enforces, read from the same supergraph, consent model and
 * rules file it serves with; with --user, what one user's grants decide under it, or (--query) what each
 * subgraph is asked for one operation. Resolves to the exit code: 0 done, 2 bad input (an unknown type or
 * field, a bad option or operation, a mistake in the rules file), 1 otherwise.
 */
export async function runExplainCommand(argv: string[], io: ExplainCommandIo): Promise<number> {
  try {
    if (argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
      io.out(USAGE);
      return 0;
    }
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
    if ((values.bank === undefined) !== (values.account === undefined)) throw new UsageError('--account and --bank go together: the account at that bank');
    if (values.account !== undefined && values.user === undefined) throw new UsageError('--account explains a user\'s grants: add --user');
    if (values.query !== undefined && values.user === undefined) throw new UsageError('--query explains what the banks are asked for a user: add --user');
    if (values.query !== undefined && (positionals.length > 0 || values.account !== undefined)) throw new UsageError('--query explains one operation: it takes no field names, --bank or --account');
    if (values.operation !== undefined && values.query === undefined) throw new UsageError('--operation names an operation of --query');

    const supergraphFile = values.supergraph ?? DEFAULT_PATHS.supergraph;
    const sdl = await readFile(supergraphFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`--supergraph '${supergraphFile}' cannot be read (${error.code ?? error.message})`);
    });
    const supergraph = readSupergraph(sdl);
    const model = buildConsentModel(supergraph);
    if (values.bank !== undefined && !model.accountTypeOfBank.has(values.bank)) {
      throw new UsageError(`--bank '${values.bank}' has no account type in the supergraph; banks: ${[...model.accountTypeOfBank.keys()].sort().join(', ')}`);
    }
    const rules = await loadRules(values.rules ?? process.env.CONSENTGATE_RULES);
    const rulesSource = rules.securityRulesSource ?? 'gateway/rules/securityRules.ts';
    const securityRules = rules.securityRules ?? defaultSecurityRules;
    // The schema the gateway serves, without a breaker's timers or a connection. The rules file is checked
    // against it once, below, by the same function start-up expands it with.
    const { schema } = createExecutableSchema({ supergraph, model, securityRules: {}, rulesOnSchema: false, subgraphResilience: { breaker: false } });
    const teamRuleEntries = securityRuleEntries(schema, securityRules, rulesSource);
    const selected = select(schema, positionals);
    const policyOf = () => explainPolicy(model, teamRuleEntries).filter((p) => selected(p.coordinate));

    if (values.user === undefined) {
      const policy = policyOf();
      if (values.json) io.out(JSON.stringify({ supergraph: supergraphFile, rules: rulesSource, fields: policy }, null, 2));
      else printPolicy(io, policy, positionals, supergraphFile, rulesSource);
      return 0;
    }
    if (!io.store) throw new Error('explaining a user\'s grants needs the consent store');
    const now = (io.now ?? (() => new Date()))();
    const grants = await io.store.grantsForUser(values.user);
    if (values.query !== undefined) {
      const consent = new RequestConsent(values.user, grants, now);
      const explained = explainOperation({
        supergraph, model, schema: addLifecycleFields(schema, io.store), planner: new QueryPlanner(supergraph.sdl),
        query: values.query, operationName: values.operation, held: (subgraph) => consent.heldScopes(subgraph),
      });
      if (values.json) io.out(JSON.stringify({ user: values.user, at: now, ...explained }, null, 2));
      else printOperation(io, values.user, now, explained);
      return 0;
    }
    const accounts = values.account === undefined ? undefined : [{ bank: values.bank!, account: values.account }];
    const explained = explainGrants({ model, user: values.user, grants, now, accounts })
      .map((a) => ({ ...a, decisions: a.decisions.map((d) => ({ ...d, coordinates: d.coordinates.filter(selected) })).filter((d) => d.coordinates.length > 0) }));
    const teamRules = policyOf().filter((p) => p.teamRules.length > 0);
    if (values.json) io.out(JSON.stringify({ user: values.user, at: now, grants: grants.map(grantSummary), accounts: explained, teamRules }, null, 2));
    else printUser(io, values.user, now, grants, explained, teamRules);
    return 0;
  } catch (error) {
    const badInput = error instanceof UsageError || error instanceof RulesFileError || error instanceof OperationInputError ||
      (error instanceof GraphQLError && error.extensions.code === ErrorCode.GRAPHQL_VALIDATION_FAILED) ||
      (error instanceof ConsentStoreError && error.code === 'INVALID_INPUT') ||
      String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    io.err(`consentgate explain: ${(error as Error).message}`);
    if (error instanceof UsageError) io.err(USAGE);
    return badInput ? 2 : 1;
  }
}

/**
 * The command line for another process (a running demo answers store commands in its own working directory):
 * --supergraph and --rules made absolute, and CONSENTGATE_RULES passed on as --rules.
 */
export function explainArgvForAnotherProcess(argv: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const absolute = (path: string) => (path === 'none' ? path : resolve(path));
  const out: string[] = [];
  let rules = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const inline = /^--(supergraph|rules)=(.*)$/s.exec(arg);
    if (inline) out.push(`--${inline[1]}=${absolute(inline[2]!)}`);
    else out.push(arg);
    if ((arg === '--supergraph' || arg === '--rules') && i + 1 < argv.length) out.push(absolute(argv[++i]!));
    rules ||= arg === '--rules' || inline?.[1] === 'rules';
  }
  if (!rules && env.CONSENTGATE_RULES) out.push('--rules', absolute(env.CONSENTGATE_RULES));
  return out;
}

/** True when the command reads the store (--user): then it runs where the store is open. */
export function explainNeedsStore(argv: string[]): boolean {
  return argv.some((arg) => arg === '--user' || arg.startsWith('--user='));
}

/** Which coordinates the named types and fields select (all when none is named); an unknown name is a usage error. */
function select(schema: GraphQLSchema, names: string[]): (coordinate: string) => boolean {
  if (names.length === 0) return () => true;
  const coordinates = new Set<string>();
  const typeNames = new Set<string>();
  for (const name of names) {
    const [typeName, fieldName, extra] = name.split('.');
    const type = schema.getType(typeName!);
    if (extra !== undefined || (!isObjectType(type) && !isInterfaceType(type)) || (fieldName !== undefined && !type.getFields()[fieldName])) {
      throw new UsageError(`'${name}' is not an object or interface type, nor a field of one, in the supergraph`);
    }
    // An interface stands for every type implementing it: the rules and decisions are on those.
    const targets = isInterfaceType(type) ? schema.getPossibleTypes(type).map((t) => t.name) : [type.name];
    for (const target of targets) {
      if (fieldName === undefined) typeNames.add(target);
      else coordinates.add(`${target}.${fieldName}`);
    }
  }
  return (coordinate) => coordinates.has(coordinate) || typeNames.has(coordinate.slice(0, coordinate.indexOf('.')));
}

function printPolicy(io: CliIo, policy: FieldPolicy[], names: string[], supergraphFile: string, rulesSource: string): void {
  io.out(`${policy.length} guarded field(s) in ${supergraphFile}, team rules from ${rulesSource}.`);
  io.out('Every line under a field must allow it (AND); anything unknown while deciding strips it.');
  if (names.length > 0 && policy.length === 0) io.out('None of the named fields needs consent or has a team rule: they are served as the bank answers them.');
  for (const field of policy) {
    io.out('');
    const where = field.bank === undefined ? 'the bank of the account above it' : field.bank;
    io.out(field.consent ? `${field.coordinate}  (consent decided by the grants at ${where})` : field.coordinate);
    if (field.consent) io.out(`  consent  ${field.consent.scopes.join(', ')}  from ${describeSources(field.consent.sources)}`);
    if (field.window) io.out(`  window   each item only if its ${field.window.dateField} lies in the allowing grant's history window`);
    for (const team of field.teamRules) io.out(`  team     ${team.rule}  (${team.from} in the rules file)`);
  }
}

/** Where the @consent directives sit; each one's scopes too when they are not all alike. */
function describeSources(sources: RequirementSource[]): string {
  const alike = sources.every((s) => s.scopes.join() === sources[0]!.scopes.join());
  return `@consent on ${sources.map((s) => `${s.at} (${s.on})${alike ? '' : `: ${s.scopes.join(', ')}`}`).join(alike ? ', ' : '; ')}`;
}

function printUser(io: CliIo, user: string, now: Date, grants: Grant[], accounts: AccountExplanation[], teamRules: FieldPolicy[]): void {
  const counts = ['active', 'expired', 'revoked'].map((status) => [status, grants.filter((g) => g.status === status).length] as const).filter(([, n]) => n > 0);
  io.out(`${user} at ${now.toISOString()}: ${grants.length} grant(s)${counts.length ? ` (${counts.map(([s, n]) => `${n} ${s}`).join(', ')})` : ''}.`);
  if (accounts.length === 0) io.out('No linked account: the platform lists none, and no bank is asked for account data.');
  for (const account of accounts) {
    io.out('');
    io.out(`${account.bank} / ${account.account ?? '(fields under no account)'}${account.account !== undefined && !account.linked ? '  (not linked: the platform does not list it)' : ''}`);
    if (account.decisions.length === 0) io.out('  none of the named fields is decided here');
    for (const d of account.decisions) {
      const why = d.served
        ? `served under grant ${d.grantId}${d.historyFrom === undefined ? '' : d.historyFrom === null ? ', no history window' : `, dated items from ${d.historyFrom.toISOString()}`}`
        : `stripped: ${d.reason}${d.grantId ? ` (grant ${d.grantId})` : ''}`;
      io.out(`  ${d.scopes.join(', ')}: ${why}`);
      io.out(`      ${d.coordinates.join(', ')}`);
    }
  }
  if (teamRules.length > 0) {
    io.out('');
    io.out('The security team\'s rules apply on top, whatever the grants:');
    for (const field of teamRules) io.out(`  ${field.coordinate}: ${field.teamRules.map((t) => t.rule).join(' AND ')}`);
  }
}

function printOperation(io: CliIo, user: string, now: Date, explained: OperationExplanation): void {
  const asked = explained.asks.filter((a) => a.query !== undefined).length;
  io.out(`${user} at ${now.toISOString()}: ${asked} subgraph request(s) asked, in plan order.`);
  io.out(`Each bank is asked only for the fields ${user} holds a grant for there; per account, item and team rule the`);
  io.out(`gateway strips more from the answer (explain --user ${user}).`);
  if (explained.local.length > 0) io.out(`Answered by the gateway itself, no subgraph asked: ${explained.local.join(', ')}.`);
  explained.asks.forEach((ask, i) => {
    const where = [ask.under.length ? `for the objects at ${ask.under.join(', ')}` : '', ...ask.conditions].filter(Boolean).join(', ');
    io.out('');
    io.out(`${i + 1}. ${ask.subgraph}${where ? ` (${where})` : ''}${ask.query === undefined ? `: not asked, nothing ${user} may see there` : ''}`);
    if (ask.query !== undefined) for (const line of ask.query.split('\n')) io.out(line ? `     ${line}` : '');
  });
}

function grantSummary(grant: Grant) {
  const { id, bank, status, scopes, accounts, expiresAt, oneTime, historyMonths, revokedAt } = grant;
  return { id, bank, status, scopes, accounts, expiresAt, oneTime, historyMonths, revokedAt };
}
