import { getNamedType, isAbstractType, isCompositeType, isListType, isNonNullType, isObjectType, type GraphQLAbstractType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { IRule } from 'graphql-shield';
import type { RuleMap } from '../../consent/consentRules';
import type { ConsentModel, DatedType, FieldRequirement } from '../../supergraph/consentModel';

/** What the shaping step must do at one field of one object type; fields without a guard are copied as they are. */
export interface FieldGuard {
  coordinate: string;
  /** The consent the field needs (from @consent), decided per object. */
  requirement?: FieldRequirement;
  /** The security team's rule for the field (graphql-shield), AND-ed with consent. */
  teamRule?: IRule;
  /** The field's objects hang under the parent's account: they inherit its anchor, with the field's owner as bank. */
  carrier?: { owner?: string };
  /** A list of dated items: items outside the allowing grant's history window are dropped. */
  dated?: DatedType;
}

/** Per-schema facts for shaping, computed once at start-up. */
export interface FieldGuards {
  byField: Map<GraphQLField<unknown, unknown>, FieldGuard>;
  /** Object types from which a field with a team rule can be reached (the rules pre-pass walks only those). */
  reachesTeamRule: Set<string>;
  /** Fields whose type (or a possible type of it) is one of those: the rules pre-pass descends only into these. */
  leadsToTeamRule: Set<GraphQLField<unknown, unknown>>;
  hasTeamRules: boolean;
  /** Abstract type -> the type its objects without a concrete __typename are shaped as (filled while shaping). */
  fallbacks: Map<GraphQLAbstractType, GraphQLObjectType | undefined>;
}

/** Indexes consent requirements, carriers, dated lists and the team's rules by field of the served schema. */
export function buildFieldGuards(schema: GraphQLSchema, model: ConsentModel, teamRules: RuleMap): FieldGuards {
  const byField = new Map<GraphQLField<unknown, unknown>, FieldGuard>();
  const ruled = new Set<string>();
  const objectTypes = Object.values(schema.getTypeMap()).filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'));
  for (const type of objectTypes) {
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const requirement = model.requirements.get(coordinate);
      const teamRule = teamRules[type.name]?.[field.name];
      const carrier = model.carriers.has(coordinate) ? { owner: requirement?.owner } : undefined;
      const inner = isNonNullType(field.type) ? field.type.ofType : field.type;
      const dated = carrier && isListType(inner) ? model.datedTypes.get(getNamedType(field.type).name) : undefined;
      if (!requirement && !teamRule && !carrier) continue;
      byField.set(field as GraphQLField<unknown, unknown>, { coordinate, requirement, teamRule, carrier, dated });
      if (teamRule) ruled.add(type.name);
    }
  }
  // Fixpoint: a type reaches a ruled field if it has one or a field whose possible types reach one.
  const reachesTeamRule = new Set(ruled);
  const leads = (field: GraphQLField<unknown, unknown>) => {
    const named = getNamedType(field.type);
    if (!isCompositeType(named)) return false;
    const possible = isAbstractType(named) ? schema.getPossibleTypes(named) : [named];
    return possible.some((t) => reachesTeamRule.has(t.name));
  };
  for (let changed = ruled.size > 0; changed;) {
    changed = false;
    for (const type of objectTypes) {
      if (reachesTeamRule.has(type.name) || !Object.values(type.getFields()).some(leads)) continue;
      reachesTeamRule.add(type.name);
      changed = true;
    }
  }
  const leadsToTeamRule = new Set(objectTypes.flatMap((type) => Object.values(type.getFields()).filter(leads)));
  return { byField, reachesTeamRule, leadsToTeamRule, hasTeamRules: ruled.size > 0, fallbacks: new Map() };
}
