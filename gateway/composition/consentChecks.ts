import {
  getNamedType,
  isNonNullType,
  isObjectType,
  Kind,
  type ConstDirectiveNode,
  type DocumentNode,
  type GraphQLObjectType,
} from 'graphql';
import { CONSENT_SPEC_IDENTITY, CONSENT_SPEC_URL, SCOPES, isScope } from '../../schema/scopes';
import type { ConsentModel } from '../supergraph/consentModel';
import { directiveArgs, type Supergraph } from '../supergraph/readSupergraph';

/** One @consent application in a subgraph SDL: where, and which scopes. */
export interface ConsentUsage {
  subgraph: string;
  /** `Type` for a type-level @consent, `Type.field` for a field. */
  coordinate: string;
  scopes: string[];
}

const SUPPORTED_MAJOR = 1;
const fix = `extend schema @link(url: "${CONSENT_SPEC_URL}", import: ["@consent"]) @composeDirective(name: "@consent")`;

/**
 * Checks one subgraph's use of @consent before composition: the spec is linked at a supported version and
 * composed (or @consent would silently vanish from the supergraph), and every scope is in the vocabulary.
 * Returns the usages (for the survival check) and the errors, each naming the subgraph.
 */
export function checkSubgraphConsent(subgraph: string, document: DocumentNode): { usages: ConsentUsage[]; errors: string[] } {
  const errors: string[] = [];
  let link: Record<string, unknown> | undefined;
  let composed = false;
  for (const d of document.definitions) {
    if (d.kind !== Kind.SCHEMA_DEFINITION && d.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of d.directives ?? []) {
      const args = directiveArgs(directive);
      if (directive.name.value === 'link' && typeof args.url === 'string' && args.url.startsWith(CONSENT_SPEC_IDENTITY)) link = args;
      if (directive.name.value === 'composeDirective' && args.name === '@consent') composed = true;
    }
  }
  const usages: ConsentUsage[] = [];
  const collect = (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined, fields?: string[]) => {
    for (const directive of directives ?? []) {
      if (directive.name.value !== 'consent') continue;
      const args = directiveArgs(directive);
      const scopes = Array.isArray(args.scopes) ? (args.scopes as unknown[]).map(String) : [];
      if (scopes.length === 0) errors.push(`subgraph '${subgraph}': @consent on ${coordinate} has no scopes`);
      for (const scope of scopes) {
        if (!isScope(scope)) errors.push(`subgraph '${subgraph}': unknown scope '${scope}' in @consent on ${coordinate}; known scopes: ${SCOPES.join(', ')}`);
      }
      if (args.dateField !== undefined && (!fields || !fields.includes(String(args.dateField)))) {
        errors.push(`subgraph '${subgraph}': @consent on ${coordinate} names dateField '${String(args.dateField)}', which is not a field of ${coordinate}`);
      }
      usages.push({ subgraph, coordinate, scopes });
    }
  };
  for (const d of document.definitions) {
    if (
      d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      d.kind !== Kind.INTERFACE_TYPE_DEFINITION && d.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) continue;
    const fieldNames = (d.fields ?? []).map((f) => f.name.value);
    collect(d.name.value, d.directives, fieldNames);
    for (const field of d.fields ?? []) collect(`${d.name.value}.${field.name.value}`, field.directives);
  }
  if (usages.length > 0) {
    if (!link) errors.push(`subgraph '${subgraph}' uses @consent but does not @link the consent spec; add ${fix}`);
    else if (!composed) errors.push(`subgraph '${subgraph}' uses @consent but does not @composeDirective it; add @composeDirective(name: "@consent") to its schema extension`);
    if (link) {
      const version = /\/v(\d+)\.(\d+)$/.exec(String(link.url));
      if (!version) errors.push(`subgraph '${subgraph}' links the consent spec as ${String(link.url)}; the URL must end in a version vMAJOR.MINOR, e.g. ${CONSENT_SPEC_URL}`);
      else if (Number(version[1]) !== SUPPORTED_MAJOR) errors.push(`subgraph '${subgraph}' links consent spec v${version[1]}.${version[2]}; this gateway supports v${SUPPORTED_MAJOR}.x`);
    }
  }
  return { usages, errors };
}

/**
 * Checks after composition: every subgraph @consent survived into the supergraph with its scopes, and no
 * guarded field is non-nullable (stripping it would null its parent, taking unguarded data with it).
 */
export function checkSupergraphConsent(supergraph: Supergraph, model: ConsentModel, usages: ConsentUsage[]): string[] {
  const errors: string[] = [];
  for (const usage of usages) {
    const [typeName, fieldName] = usage.coordinate.split('.');
    const type = supergraph.schema.getType(typeName) as GraphQLObjectType | undefined;
    const node = fieldName ? type?.getFields?.()[fieldName]?.astNode : type?.astNode;
    const survived = (node?.directives ?? []).some((d) => {
      if (d.name.value !== 'consent') return false;
      const scopes = (directiveArgs(d).scopes as string[] | undefined) ?? [];
      return usage.scopes.every((s) => scopes.includes(s));
    });
    if (!survived) {
      errors.push(`subgraph '${usage.subgraph}': @consent(scopes: ${JSON.stringify(usage.scopes)}) on ${usage.coordinate} did not survive into the supergraph; check that the subgraph has ${fix}`);
    }
  }
  for (const requirement of model.requirements.values()) {
    const [typeName, fieldName] = requirement.coordinate.split('.');
    const field = (supergraph.schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName];
    if (isNonNullType(field.type) && !strippedAbove(supergraph, model, typeName, requirement.scopes)) {
      const owners = supergraph.fieldOwners.get(requirement.coordinate) ?? [];
      errors.push(`subgraph '${owners.join("', '")}': ${requirement.coordinate} needs consent (${requirement.scopes.join(', ')}) but is non-nullable (${String(field.type)}); a stripped field becomes null, which would null its parent: make it nullable`);
    }
  }
  return errors;
}

/**
 * A non-nullable guarded field is safe when its parent is only ever reached through nullable fields that
 * need at least the same scopes: the same decision strips the parent first, so nulling it loses nothing
 * that consent allowed (e.g. TransactionConnection.nodes under Account.transactions).
 */
function strippedAbove(supergraph: Supergraph, model: ConsentModel, typeName: string, scopes: string[]): boolean {
  const parents: string[] = [];
  for (const type of Object.values(supergraph.schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (getNamedType(field.type).name !== typeName) continue;
      if (isNonNullType(field.type)) return false;
      parents.push(`${type.name}.${field.name}`);
    }
  }
  return parents.length > 0 && parents.every((coordinate) => {
    const above = model.requirements.get(coordinate)?.scopes ?? [];
    return scopes.every((s) => above.includes(s));
  });
}
