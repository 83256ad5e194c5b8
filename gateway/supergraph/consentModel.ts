import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isObjectType,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { CONSENT_SPEC_IDENTITY } from '../../schema/scopes';
import { directiveArgs, type Supergraph } from './readSupergraph';

/** The consent a field of a concrete object type needs, all sources added up. */
export interface FieldRequirement {
  coordinate: string;
  scopes: string[];
  /** Every @consent that adds to `scopes` (what `consentgate explain` shows; never read per request). */
  sources: RequirementSource[];
  /** The one subgraph resolving the field; undefined when several do (shared value types): then the
   *  bank is the one of the account the object hangs under. */
  owner?: string;
}

/** Every consent fact of a supergraph, computed once at start-up. */
export interface ConsentModel {
  /** Coordinate (`Type.field`, object types only) -> requirement; fields absent here need no consent. */
  requirements: Map<string, FieldRequirement>;
  /** Concrete account types (implementing the contract interface) -> their bank. */
  accountTypes: Map<string, string>;
  /** Bank -> its account entity type. */
  accountTypeOfBank: Map<string, string>;
  /** Type -> the field that dates its items and the scopes its window is decided on (its type-level @consent). */
  datedTypes: Map<string, DatedType>;
  /** Types whose objects hang under an account: deciding on them needs that account, or it fails closed. */
  anchoredTypes: Set<string>;
  /** Coordinates whose results hang under an account and lead to guarded fields: the gateway tags the
   *  objects they return with their account. */
  carriers: Set<string>;
  accountInterface: string;
}

/** One @consent behind a requirement: where it sits and what it asks for. */
export interface RequirementSource {
  /** The field itself, its parent type, an interface of the parent, the interface field it implements, or its return type. */
  on: 'field' | 'parent type' | 'interface' | 'interface field' | 'return type';
  /** The coordinate or type name the directive is on. */
  at: string;
  scopes: string[];
}

export interface DatedType {
  dateField: string;
  scopes: string[];
}

/** Default 'Account': the contract interface every bank's account type implements. */
export const DEFAULT_ACCOUNT_INTERFACE = 'Account';

/**
 * Reads @consent from the supergraph. A field needs consent when @consent sits on the field, on its
 * parent type, on its return type, or on the interface field it implements (CONSENT.md); they add up.
 */
export function buildConsentModel(supergraph: Supergraph, accountInterface = DEFAULT_ACCOUNT_INTERFACE): ConsentModel {
  const { schema } = supergraph;
  const directiveName = consentDirectiveName(supergraph);
  const consentOf = (directives: readonly ConstDirectiveNode[] | undefined) =>
    (directives ?? []).filter((d) => d.name.value === directiveName).map((d) => directiveArgs(d));
  const typeScopes = (type: GraphQLNamedType) => consentOf(type.astNode?.directives).flatMap((a) => (a.scopes as string[]) ?? []);
  const fieldScopes = (field: { astNode?: { directives?: readonly ConstDirectiveNode[] } | null } | undefined) =>
    consentOf(field?.astNode?.directives).flatMap((a) => (a.scopes as string[]) ?? []);

  // One array per distinct scope list: consent decisions are cached per request by the array's identity,
  // so every field needing the same scopes shares one decision per account.
  const scopeLists = new Map<string, string[]>();
  const scopeList = (scopes: Iterable<string>): string[] => {
    const sorted = [...new Set(scopes)].sort();
    const key = sorted.join(' ');
    let list = scopeLists.get(key);
    if (!list) scopeLists.set(key, (list = sorted));
    return list;
  };
  const requirements = new Map<string, FieldRequirement>();
  const datedTypes = new Map<string, DatedType>();
  const accountTypes = new Map<string, string>();
  const accountTypeOfBank = new Map<string, string>();

  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const interfaces = type.getInterfaces();
    for (const source of [type, ...interfaces]) {
      const dated = consentOf(source.astNode?.directives).find((a) => typeof a.dateField === 'string');
      if (dated && !datedTypes.has(type.name)) {
        datedTypes.set(type.name, { dateField: String(dated.dateField), scopes: scopeList((dated.scopes as string[]) ?? []) });
      }
    }
    const inherited: RequirementSource[] = [
      { on: 'parent type', at: type.name, scopes: typeScopes(type) },
      ...interfaces.map((iface): RequirementSource => ({ on: 'interface', at: iface.name, scopes: typeScopes(iface) })),
    ];
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const returned = getNamedType(field.type);
      const sources = [
        ...inherited,
        { on: 'field', at: coordinate, scopes: fieldScopes(field) },
        ...interfaces.map((iface): RequirementSource => ({ on: 'interface field', at: `${iface.name}.${field.name}`, scopes: fieldScopes(iface.getFields()[field.name]) })),
        { on: 'return type', at: returned.name, scopes: typeScopes(returned) },
      ].filter((source): source is RequirementSource => source.scopes.length > 0);
      if (sources.length === 0) continue;
      const owners = supergraph.fieldOwners.get(coordinate) ?? [];
      requirements.set(coordinate, {
        coordinate,
        scopes: scopeList(sources.flatMap((source) => source.scopes)),
        sources,
        owner: owners.length === 1 ? owners[0] : undefined,
      });
    }
    if (interfaces.some((i) => i.name === accountInterface)) {
      const bank = accountBank(supergraph, type.name, Object.values(type.getFields()));
      if (bank) {
        accountTypes.set(type.name, bank);
        accountTypeOfBank.set(bank, type.name);
      }
    }
  }
  const carriers = findCarriers(supergraph, requirements, accountTypes);
  const anchoredTypes = new Set<string>();
  for (const coordinate of carriers) {
    const [typeName, fieldName] = coordinate.split('.');
    const field = (schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName];
    for (const t of possibleObjectTypes(getNamedType(field.type), schema)) anchoredTypes.add(t);
  }
  return { requirements, accountTypes, accountTypeOfBank, datedTypes, anchoredTypes, carriers, accountInterface };
}

// The bank of an account type is the one subgraph resolving its non-key fields; the platform only holds a stub.
function accountBank(supergraph: Supergraph, typeName: string, fields: GraphQLField<unknown, unknown>[]): string | undefined {
  const owners = new Set<string>();
  for (const field of fields) {
    if (field.name === 'id') continue;
    for (const owner of supergraph.fieldOwners.get(`${typeName}.${field.name}`) ?? []) owners.add(owner);
  }
  return owners.size === 1 ? [...owners][0] : undefined;
}

/**
 * Fields that must tag their results with the account they belong to: from an account type down to every
 * type that has guarded or dated fields, so a rule deep inside (Transaction.merchant) knows its account.
 */
function findCarriers(supergraph: Supergraph, requirements: Map<string, FieldRequirement>, accountTypes: Map<string, string>): Set<string> {
  const { schema } = supergraph;
  const needsAnchor = new Set<string>();
  for (const coordinate of requirements.keys()) needsAnchor.add(coordinate.split('.')[0]);
  // A type leads to guarded content if it has guarded fields or a field leading to such a type (fixpoint).
  let changed = true;
  while (changed) {
    changed = false;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || needsAnchor.has(type.name) || accountTypes.has(type.name)) continue;
      for (const field of Object.values(type.getFields())) {
        if (leadsTo(field.type, needsAnchor, schema)) {
          needsAnchor.add(type.name);
          changed = true;
          break;
        }
      }
    }
  }
  const carriers = new Set<string>();
  const seen = new Set<string>();
  const queue = [...accountTypes.keys()];
  while (queue.length) {
    const typeName = queue.shift()!;
    if (seen.has(typeName)) continue;
    seen.add(typeName);
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type);
      if (!isCompositeType(target) || accountTypes.has(target.name)) continue;
      if (!leadsTo(field.type, needsAnchor, schema)) continue;
      carriers.add(`${typeName}.${field.name}`);
      for (const t of possibleObjectTypes(target, schema)) queue.push(t);
    }
  }
  return carriers;
}

function leadsTo(type: GraphQLOutputType, names: Set<string>, schema: Supergraph['schema']): boolean {
  const target = getNamedType(type);
  return isCompositeType(target) && possibleObjectTypes(target, schema).some((t) => names.has(t));
}

function possibleObjectTypes(type: GraphQLNamedType, schema: Supergraph['schema']): string[] {
  if (isObjectType(type)) return [type.name];
  if (isAbstractType(type)) return schema.getPossibleTypes(type).map((t) => t.name);
  return [];
}

/** The local name of @consent in the supergraph (its @link may rename it), 'consent' by default. */
function consentDirectiveName(supergraph: Supergraph): string {
  for (const definition of supergraph.document.definitions) {
    if (definition.kind !== 'SchemaDefinition' && definition.kind !== 'SchemaExtension') continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const args = directiveArgs(link);
      if (typeof args.url !== 'string' || !args.url.startsWith(CONSENT_SPEC_IDENTITY)) continue;
      for (const imported of (args.import as unknown[]) ?? []) {
        if (imported && typeof imported === 'object' && (imported as { name?: string }).name === '@consent') {
          return String((imported as { as?: string }).as ?? '@consent').replace(/^@/, '');
        }
      }
    }
  }
  return 'consent';
}

