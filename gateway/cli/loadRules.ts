import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

/**
 * The security team's rules: default gateway/rules/securityRules.ts (written for the demo supergraph), a
 * module path whose default export is the rules, or 'none' (consent rules only) for another supergraph.
 */
export async function loadRules(spec: string | undefined): Promise<{ securityRules?: unknown; securityRulesSource?: string }> {
  if (spec === undefined) return {};
  if (spec === 'none') return { securityRules: {}, securityRulesSource: 'no rules file' };
  // Through tsx whether the CLI runs built or from its sources: a rules file is TypeScript, read as it is now.
  const module = (await tsImport(pathToFileURL(resolve(spec)).href, import.meta.url)) as { default?: unknown };
  // Outside a "type": "module" package, tsx compiles the file to CommonJS: its default export is then
  // module.exports.default, under the marker every ESM-to-CommonJS compiler sets.
  const exported = module.default as { __esModule?: unknown; default?: unknown } | undefined;
  return { securityRules: exported?.__esModule === true ? exported.default : exported, securityRulesSource: spec };
}
