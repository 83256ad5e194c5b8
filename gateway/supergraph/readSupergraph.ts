import {
  buildASTSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';

/** One subgraph of the supergraph, from its join__Graph enum value. */
export interface SubgraphInfo {
  /** The join__Graph enum value (e.g. NORTHWIND): how the stitching layer names subschemas. */
  enumValue: string;
  /** The subgraph's own name (e.g. northwind): how grants name banks. */
  name: string;
  url: string;
}

/** What the gateway needs from a supergraph besides executing it: subgraphs, owners and @consent. */
export interface Supergraph {
  sdl: string;
  document: DocumentNode;
  /** The supergraph with its join/link directives, for reading; not the executable schema. */
  schema: GraphQLSchema;
  subgraphs: SubgraphInfo[];
  /** `Type.field` of object and interface fields -> names of the subgraphs that resolve it. */
  fieldOwners: Map<string, string[]>;
  /** Type name -> names of the subgraphs that define it. */
  typeOwners: Map<string, string[]>;
}

/** Parses a supergraph SDL (Federation 2 join v0.x) into the facts the gateway enforces. */
export function readSupergraph(sdl: string): Supergraph {
  const document = parse(sdl);
  const schema = buildASTSchema(document, { assumeValid: true, assumeValidSDL: true });
  const subgraphs: SubgraphInfo[] = [];
  const graphEnum = schema.getType('join__Graph');
  for (const value of graphEnum && 'getValues' in graphEnum ? graphEnum.getValues() : []) {
    const join = value.astNode?.directives?.find((d) => d.name.value === 'join__graph');
    const args = join ? directiveArgs(join) : {};
    subgraphs.push({ enumValue: value.name, name: String(args.name ?? value.name.toLowerCase()), url: String(args.url ?? '') });
  }
  const nameOf = new Map(subgraphs.map((s) => [s.enumValue, s.name]));
  const typeOwners = new Map<string, string[]>();
  const fieldOwners = new Map<string, string[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || type.name.startsWith('join__') || type.name.startsWith('link__')) continue;
    const owners = joinGraphs(type.astNode?.directives, 'join__type', nameOf);
    typeOwners.set(type.name, owners);
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const joins = (field.astNode?.directives ?? []).filter((d) => d.name.value === 'join__field');
      // Federation join spec: a field with no @join__field is resolvable by every subgraph defining the type;
      // an external one is only declared there, not resolved.
      const resolving = joins.length === 0
        ? owners
        : joins.filter((d) => directiveArgs(d).external !== true && directiveArgs(d).graph !== undefined)
            .map((d) => nameOf.get(String(directiveArgs(d).graph)) ?? String(directiveArgs(d).graph));
      fieldOwners.set(`${type.name}.${field.name}`, [...new Set(resolving)]);
    }
  }
  return { sdl, document, schema, subgraphs, fieldOwners, typeOwners };
}

/** The arguments of a directive application as plain values. */
export function directiveArgs(directive: ConstDirectiveNode): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const arg of directive.arguments ?? []) args[arg.name.value] = valueFromASTUntyped(arg.value);
  return args;
}

function joinGraphs(directives: readonly ConstDirectiveNode[] | undefined, name: string, nameOf: Map<string, string>): string[] {
  const graphs = new Set<string>();
  for (const d of directives ?? []) {
    if (d.name.value !== name) continue;
    const graph = d.arguments?.find((a) => a.name.value === 'graph');
    if (graph?.value.kind === Kind.ENUM) graphs.add(nameOf.get(graph.value.value) ?? graph.value.value);
  }
  return [...graphs];
}

