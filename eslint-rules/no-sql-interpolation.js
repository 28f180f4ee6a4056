// @ts-check
/**
 * SQL text is code, values are parameters. Row-level security confines a forgotten WHERE to the
 * caller's organization, but injected SQL could set the tenant setting itself: the only defence
 * against it is never to build SQL text out of values. This rule refuses a query whose text is
 * built by `+` or by template interpolation, unless each interpolated part is known to be SQL the
 * code chose, not a value:
 *   - a literal, or another template or `+` made only of such parts;
 *   - a constant named in UPPER_CASE (a fixed fragment or an allow-listed name, reviewed where it
 *     is declared);
 *   - a call to `sqlIdentifier(name)`, `sqlInteger(n)` or `sqlFragment(text)`
 *     (src/platform/sql-text.ts): the reviewed escapes, which check what they are given.
 * A query text held in a `const` is followed to its initializer and judged the same way.
 */

/** The methods that take SQL text first: our Sql interface, node-postgres, PGlite, pg-boss's Db. */
const SQL_METHODS = new Set(['query', 'exec', 'executeSql']);
const TRUSTED_CALLS = new Set(['sqlIdentifier', 'sqlInteger', 'sqlFragment']);
const CONSTANT = /^[A-Z][A-Z0-9_]*$/;

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Refuse SQL text built by concatenation or template interpolation of values' },
    schema: [],
    messages: {
      interpolated:
        'SQL text built from a value: pass it as a parameter ($1, …). A name, number or fragment the code chooses goes through sqlIdentifier(), sqlInteger() or sqlFragment() (src/platform/sql-text.ts), or an UPPER_CASE constant.',
    },
  },
  create(context) {
    const sourceCode = context.sourceCode;

    /** @param {import('estree').Node} node @param {import('estree').Node} at @param {number} depth */
    function safe(node, at, depth) {
      if (depth > 5) return false;
      switch (node.type) {
        case 'Literal':
          return true;
        case 'TemplateLiteral':
          return node.expressions.every((e) => safe(e, at, depth + 1));
        case 'BinaryExpression':
          return (
            node.operator === '+' &&
            node.left.type !== 'PrivateIdentifier' &&
            safe(node.left, at, depth + 1) &&
            safe(node.right, at, depth + 1)
          );
        case 'ConditionalExpression':
          return safe(node.consequent, at, depth + 1) && safe(node.alternate, at, depth + 1);
        case 'CallExpression':
          return node.callee.type === 'Identifier' && TRUSTED_CALLS.has(node.callee.name);
        case 'Identifier':
          return CONSTANT.test(node.name) || constInitializerSafe(node, at, depth);
        case 'MemberExpression':
          // TIMERS[name].sql, QUERIES.find: a property of an UPPER_CASE constant object.
          return rootIsConstant(node);
        default:
          return false;
      }
    }

    /** @param {import('estree').MemberExpression} node */
    function rootIsConstant(node) {
      /** @type {import('estree').Node} */
      let object = node.object;
      while (object.type === 'MemberExpression') object = object.object;
      return object.type === 'Identifier' && CONSTANT.test(object.name);
    }

    /** @param {import('estree').Identifier} id @param {import('estree').Node} at @param {number} depth */
    function constInitializerSafe(id, at, depth) {
      let scope = sourceCode.getScope(at);
      while (scope) {
        const variable = scope.set.get(id.name);
        if (variable) {
          const def = variable.defs[0];
          if (
            variable.defs.length === 1 &&
            def.type === 'Variable' &&
            def.parent.kind === 'const' &&
            def.node.init
          ) {
            return safe(def.node.init, at, depth + 1);
          }
          return false;
        }
        scope = scope.upper;
      }
      return false;
    }

    return {
      CallExpression(node) {
        const callee = node.callee;
        if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') return;
        if (!SQL_METHODS.has(callee.property.name)) return;
        // RegExp#exec: a regular expression literal or an UPPER_CASE constant pattern.
        const object = callee.object;
        if (callee.property.name === 'exec') {
          if (object.type === 'Literal' && 'regex' in object) return;
          if (object.type === 'Identifier' && CONSTANT.test(object.name)) return;
        }
        const text = node.arguments[0];
        if (!text || text.type === 'SpreadElement') return;
        // A variable whose value we cannot see (a parameter, a let) is judged where it was built.
        if (text.type === 'Identifier' && !CONSTANT.test(text.name)) {
          if (!isConstBound(text, node)) return;
        }
        if (text.type === 'MemberExpression' && !rootIsConstant(text)) return;
        if (!safe(text, node, 0)) context.report({ node: text, messageId: 'interpolated' });
      },
    };

    /** @param {import('estree').Identifier} id @param {import('estree').Node} at */
    function isConstBound(id, at) {
      let scope = sourceCode.getScope(at);
      while (scope) {
        const variable = scope.set.get(id.name);
        if (variable) {
          const def = variable.defs[0];
          return variable.defs.length === 1 && def.type === 'Variable' && def.parent.kind === 'const';
        }
        scope = scope.upper;
      }
      return false;
    }
  },
};
