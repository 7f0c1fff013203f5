// The snippet Cucumber prints for an undefined step, in the project's style: TypeScript, an async
// function typed with the World, parameters named and typed from the Cucumber expression.
// (A .mjs file: Cucumber loads it in its own process, where TypeScript may not be registered.)
const TS_TYPES = { int: 'number', float: 'number', double: 'number', bigdecimal: 'number', biginteger: 'bigint', long: 'number', short: 'number', byte: 'number' };

export default class TypeScriptSnippetSyntax {
  build({ generatedExpressions, functionName, stepParameterNames }) {
    const choices = generatedExpressions.map((expression, index) => {
      // Cucumber names the parameters after their types, numbered when repeated: string, int, string2.
      const NAMES = { string: 'text', int: 'count', float: 'amount', word: 'word' };
      const params = expression.parameterNames.map((name) => {
        const [, type, n] = /^(.*?)(\d*)$/.exec(name);
        return `${NAMES[type] ?? (type || 'arg')}${n}: ${TS_TYPES[type] ?? 'string'}`;
      });
      for (const name of stepParameterNames) params.push(name === 'dataTable' ? 'table: DataTable' : `${name}: string`);
      const source = expression.source.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
      const prefix = index === 0 ? '' : '// ';
      return `${prefix}${functionName}('${source}', async function (${['this: ConformanceWorld', ...params].join(', ')}) {\n`;
    });
    return (
      `// In steps/<domain>.steps.ts (import type { ConformanceWorld } from '../support/world.ts'); reuse a step of docs/steps.md if one says it.\n` +
      `${choices.join('')}` +
      `  // Act through this.core/this.apps; wait with this.until(expected, check, seconds), never a sleep.\n` +
      `  return 'pending';\n` +
      `});`
    );
  }
}
