// A lint rule: shell text given to a host (a plan step's command, verify or undo; a service's
// start, stop, check or kill; the text given to exec() or sh()) never has a value put into it by a
// template or a `+`, except through the one quoting helper (shared/quote.ts) or a builder made of
// it. Constants (names in CAPITALS, the host layout's paths `P.…`) and numbers made with Number()
// may go in as they are. A `const` holding text is judged where it was made; text given to
// encodedPowerShell() takes its values through psq() the same way.

const FIELDS = new Set(['command', 'verify', 'undo', 'start', 'stop', 'check', 'kill']);
/** Calls whose first argument is run by a shell. */
const RUNS = new Set(['exec', 'sh']);
/** Calls whose result is shell text built from quoted words. */
const SHELL_QUOTING = new Set(['shq', 'shellCommand', 'agentCommand', 'iptablesCommand', 'Number']);
/** Calls whose result is a PowerShell value quoted for it. */
const PS_QUOTING = new Set(['psq', 'Number']);

const CAPS = /^[A-Z][A-Z0-9_]*$/;
const rootOf = (n) => (n.type === 'MemberExpression' ? rootOf(n.object) : n);
const isConstant = (n) => {
  if (n.type === 'Literal') return true;
  if (n.type === 'Identifier') return CAPS.test(n.name) || n.name === 'undefined';
  if (n.type === 'MemberExpression') { const r = rootOf(n); return r.type === 'Identifier' && (CAPS.test(r.name) || r.name === 'P'); }
  return false;
};
const calleeName = (n) => (n.callee.type === 'Identifier' ? n.callee.name : n.callee.type === 'MemberExpression' && !n.callee.computed ? n.callee.property.name : null);

function judge(context) {
  /** The expression a `const` name was given, where it is one in scope; null otherwise. */
  const definition = (id) => {
    for (let scope = context.sourceCode.getScope(id); scope; scope = scope.upper) {
      const v = scope.set.get(id.name);
      if (!v) continue;
      const d = v.defs[0];
      return d && d.type === 'Variable' && d.parent.kind === 'const' && d.node.init ? d.node.init : null;
    }
    return null;
  };
  const seen = new Set();
  /** Whether `n` is text of the kind `quoting` makes, carrying no unquoted value. */
  const safe = (n, quoting) => {
    switch (n.type) {
      case 'Literal': return true;
      case 'TemplateLiteral': return n.expressions.every((e) => isConstant(e) || safe(e, quoting));
      case 'BinaryExpression': return n.operator === '+' && safe(n.left, quoting) && safe(n.right, quoting);
      case 'ConditionalExpression': return safe(n.consequent, quoting) && safe(n.alternate, quoting);
      case 'LogicalExpression': return safe(n.left, quoting) && safe(n.right, quoting);
      case 'CallExpression': {
        const name = calleeName(n);
        if (quoting.has(name)) return true;
        // Text made into other text (`…`.trim(), [..].join(' '), xs.map(shq).join(' ')): judged by what it was made of.
        if (n.callee.type === 'MemberExpression' && ['trim', 'trimEnd', 'trimStart'].includes(name)) return safe(n.callee.object, quoting);
        if (n.callee.type === 'MemberExpression' && name === 'join' && n.callee.object.type === 'ArrayExpression') return n.callee.object.elements.every((e) => e && safe(e, quoting));
        if (n.callee.type === 'MemberExpression' && name === 'join' && n.callee.object.type === 'CallExpression' && calleeName(n.callee.object) === 'map') {
          const f = n.callee.object.arguments[0];
          return !!f && f.type === 'Identifier' && quoting.has(f.name);
        }
        return false;
      }
      case 'Identifier': {
        if (isConstant(n)) return true;
        const d = definition(n);
        if (!d || seen.has(d)) return false;
        seen.add(d);
        return safe(d, quoting);
      }
      case 'MemberExpression': return isConstant(n);
      default: return false;
    }
  };
  /** At the top of a field: a parameter, a member or a call of another builder holding a command is judged where it was made; text built here, or a const, is judged now. */
  const safeTop = (n) => {
    if (n.type === 'ConditionalExpression') return safeTop(n.consequent) && safeTop(n.alternate);
    if (n.type === 'LogicalExpression') return safeTop(n.left) && safeTop(n.right);
    if (n.type === 'TemplateLiteral' || n.type === 'BinaryExpression') return safe(n, SHELL_QUOTING);
    if (n.type === 'Identifier') { const d = definition(n); return d ? safeTop(d) : true; }
    if (n.type === 'CallExpression' && calleeName(n) === 'encodedPowerShell') return !n.arguments[0] || safePs(n.arguments[0]);
    if (n.type === 'CallExpression' && ['trim', 'trimEnd', 'trimStart'].includes(calleeName(n)) && n.callee.type === 'MemberExpression') return safeTop(n.callee.object);
    return true;
  };
  /** PowerShell given to encodedPowerShell: a script builder's result is judged where it is made; text built here takes values through psq. */
  const safePs = (n) => {
    if (n.type === 'TemplateLiteral' || n.type === 'BinaryExpression') return safe(n, PS_QUOTING);
    if (n.type === 'Identifier') { const d = definition(n); return d ? safePs(d) : true; }
    return true;
  };
  // Each judgement follows each definition once (a cycle ends there), afresh for every field.
  const fresh = (f) => (n) => { seen.clear(); return f(n); };
  return { safeTop: fresh(safeTop), safePs: fresh(safePs) };
}

export default {
  meta: { type: 'problem', docs: { description: 'values reach shell text only through shq/shellCommand (PowerShell: psq)' }, messages: { unquoted: 'This {{field}} puts a value into shell text; build it with shellCommand([...]) or quote the value with shq() (PowerShell: psq()) from shared/quote.ts.' } },
  create(context) {
    const { safeTop, safePs } = judge(context);
    return {
      Property(node) {
        const key = node.key.type === 'Identifier' ? node.key.name : node.key.type === 'Literal' ? String(node.key.value) : null;
        if (!key || !FIELDS.has(key)) return;
        // A probe's evidence ({ command, raw }) names what was run for a person to read; it is never run.
        if (node.parent.type === 'ObjectExpression' && node.parent.properties.some((p) => p.type === 'Property' && p.key.type === 'Identifier' && p.key.name === 'raw')) return;
        // encodedPowerShell(…) is judged as a call (below), once.
        if (node.value.type === 'CallExpression' && calleeName(node.value) === 'encodedPowerShell') return;
        if (!safeTop(node.value)) context.report({ node: node.value, messageId: 'unquoted', data: { field: key } });
      },
      CallExpression(node) {
        const name = calleeName(node);
        if (name === 'encodedPowerShell' && node.arguments[0] && !safePs(node.arguments[0])) context.report({ node, messageId: 'unquoted', data: { field: 'PowerShell script' } });
        if (RUNS.has(name) && node.arguments[0] && !safeTop(node.arguments[0])) context.report({ node: node.arguments[0], messageId: 'unquoted', data: { field: `${name}() command` } });
      },
    };
  },
};
