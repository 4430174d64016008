/**
 * PDS023 data-source-wiring: a `DataSource` subclass that breaks how Spark builds it (reference
 * §1.1, P17, P19, P20; decision 14): `name()` not a classmethod, a reader factory whose parameter
 * is not called `schema`, an `__init__` that cannot take `options=`, a `simpleStreamReader` that
 * `streamReader` shadows, a `streamReader` that raises the builtin `NotImplementedError`.
 * Reported on the `def` line of the offending method.
 */
import { allMethods, type FileModel, type FunctionInfo, type ParamInfo } from '../model';
import { childByField, type Node, walkScope } from '../syntax';
import { defineRule } from './rule';

const READER_FACTORIES = ['streamReader', 'simpleStreamReader'];

export default defineRule(
  {
    code: 'PDS023',
    name: 'data-source-wiring',
    summary: 'A `DataSource` subclass breaks how Spark constructs it or picks its stream reader',
    defaultSeverity: 'error',
    fixAvailability: 'none',
    since: '0.2.0',
  },
  ({ model, report }) => {
    for (const ds of model.classesWithRole('DataSource')) {
      const own = ds.methods;

      const name = own.get('name');
      if (name && !name.isClassMethod && !name.node.hasError) {
        report({
          node: name.nameNode,
          message: `\`${ds.name}.name()\` is not a \`@classmethod\`: Spark calls \`${ds.name}.name()\` and checks \`inspect.ismethod\`, so using the source fails (TypeError or DATA_SOURCE_TYPE_MISMATCH); add \`@classmethod\` and take \`cls\``,
        });
      }
      // `name = "x"`; not `name = classmethod(...)`, which is a classmethod.
      const nameAttribute = ds.classAttributes.get('name');
      if (!name && (nameAttribute?.type === 'string' || nameAttribute?.type === 'concatenated_string')) {
        const target = nameAttribute.parent ? childByField(nameAttribute.parent, 'left') : undefined;
        report({
          node: target ?? nameAttribute,
          message: `\`${ds.name}.name\` is a class attribute, not a \`@classmethod\`: Spark calls \`${ds.name}.name()\` and checks \`inspect.ismethod\`, so using the source fails (TypeError or DATA_SOURCE_TYPE_MISMATCH); define \`@classmethod def name(cls)\``,
        });
      }

      for (const factory of READER_FACTORIES) {
        const fn = own.get(factory);
        if (!fn || fn.node.hasError || fn.isStatic || fn.isClassMethod) continue;
        const rest = fn.params.slice(1);
        // An arity Spark cannot call at all is PDS007's.
        const positional = rest.filter((p) => p.kind === 'positional' || p.kind === 'positional_only');
        if (!positional.length && !rest.some((p) => p.kind === 'varargs' || p.kind === 'kwargs' || p.kind === 'keyword_only')) continue;
        if (acceptsKeyword(rest, 'schema')) continue;
        const written = positional[0]?.name ?? rest[0]?.name;
        report({
          node: fn.nameNode,
          message: `\`${ds.name}.${factory}()\` has no parameter called \`schema\`${written ? ` (it is \`${written}\`)` : ''}: Spark calls \`${factory}(schema=...)\` by keyword, so it fails with TypeError; name the parameter \`schema\``,
        });
      }

      const init = own.get('__init__');
      if (init && !init.node.hasError && !init.isStatic && !init.isClassMethod) {
        const params = init.params.slice(1);
        // Parameters Spark does not pass and that have no default.
        const required = params.filter((p) => p.name !== 'options' && !p.defaultValue && p.kind !== 'varargs' && p.kind !== 'kwargs');
        if (!acceptsKeyword(params, 'options')) {
          report({
            node: init.nameNode,
            message: `\`${ds.name}.__init__\` cannot take \`options=\`: Spark constructs the DataSource as \`${ds.name}(options=options)\`, so it fails with TypeError; use \`def __init__(self, options)\` and call \`super().__init__(options)\``,
          });
        } else if (required.length) {
          report({
            node: init.nameNode,
            message: `\`${ds.name}.__init__\` requires ${required.map((p) => `\`${p.name}\``).join(', ')}, which Spark does not pass: it constructs the DataSource as \`${ds.name}(options=options)\`, so it fails with TypeError; give ${required.length > 1 ? 'them defaults' : 'it a default'} or read ${required.length > 1 ? 'them' : 'it'} from \`options\``,
          });
        }
      }

      const methods = allMethods(ds);
      const stream = methods.get('streamReader');
      const simple = methods.get('simpleStreamReader');
      if (!stream || !simple || stream.node.hasError) continue;
      const builtinRaise = raisesBuiltinNotImplemented(model, stream);
      if (builtinRaise && own.get('streamReader') === stream) {
        report({
          node: stream.nameNode,
          message: `\`${ds.name}.streamReader()\` raises the builtin \`NotImplementedError\`: Spark falls back to \`simpleStreamReader()\` only on \`PySparkNotImplementedError\`, so the query fails; raise that (from \`pyspark.errors\`) or remove \`streamReader\``,
          related: [{ start: builtinRaise.start, end: builtinRaise.end, message: 'raised here' }],
        });
      } else if (!builtinRaise && !fallsBack(model, stream) && own.get('simpleStreamReader') === simple) {
        report({
          node: simple.nameNode,
          message: `\`${ds.name}.simpleStreamReader()\` is never called: Spark uses \`streamReader()\` when it is defined and falls back only when it raises \`PySparkNotImplementedError\`, which \`${stream.owner?.name ?? ds.name}.streamReader()\` never does; remove one of the two`,
          related: [{ start: stream.nameNode.start, end: stream.nameNode.end, message: '`streamReader` is defined here' }],
        });
      }
    }
  },
);

/** The parameter list accepts `name=` by keyword. */
function acceptsKeyword(params: ParamInfo[], name: string): boolean {
  return params.some((p) => p.kind === 'kwargs' || (p.name === name && (p.kind === 'positional' || p.kind === 'keyword_only')));
}

function exceptionName(model: FileModel, raise: Node): string | undefined {
  let exc = raise.children.find((c) => c.named && c.type !== 'comment');
  if (exc?.type === 'call') exc = childByField(exc, 'function');
  return exc ? model.evaluator.qualified(exc) : undefined;
}

function raises(fn: FunctionInfo): Node[] {
  const out: Node[] = [];
  walkScope(fn.body, (n) => {
    if (n.type === 'raise_statement') out.push(n);
  });
  return out;
}

/** The `raise NotImplementedError(...)` of the method, if it has one (the builtin, not an import of that name). */
function raisesBuiltinNotImplemented(model: FileModel, fn: FunctionInfo): Node | undefined {
  return raises(fn).find((r) => exceptionName(model, r) === 'NotImplementedError' && !model.imports.get('NotImplementedError') && !model.classesByName.has('NotImplementedError'));
}

/** `super().streamReader(...)`, `DataSource.streamReader(self, ...)` or `raise PySparkNotImplementedError`. */
function fallsBack(model: FileModel, fn: FunctionInfo): boolean {
  if (raises(fn).some((r) => exceptionName(model, r)?.endsWith('PySparkNotImplementedError'))) return true;
  // A re-raise (`raise`, `raise err` of a caught exception) may pass Spark's own exception on.
  const reraises = raises(fn).some((r) => {
    const operand = r.children.find((c) => c.named && c.type !== 'comment');
    return !operand || (operand.type === 'identifier' && !!fn.localBindings.get(operand.text ?? '')?.some((b) => b.kind === 'except'));
  });
  if (reraises) return true;
  return fn.calls.some((call) => {
    const callee = childByField(call, 'function');
    if (callee?.type !== 'attribute' || childByField(callee, 'attribute')?.text !== 'streamReader') return false;
    const object = childByField(callee, 'object');
    if (object?.type === 'call' && childByField(object, 'function')?.text === 'super') return true;
    // `DataSource.streamReader(self, schema)` / `Base.streamReader(self, schema)`.
    return object?.type === 'identifier' && object.text !== fn.selfName;
  });
}
