// A lint rule: shell text given to a host (a plan step's command, verify or undo; a service's
// start, stop, check or kill) never has a value put into it by a template or a `+`, except
// through the one quoting helper (shared/quote.ts) or a builder made of it. Constants (names in
// CAPITALS, the host layout's paths `P.…`) and numbers made with Number() may go in as they are.

const FIELDS = new Set(['command', 'verify', 'undo', 'start', 'stop', 'check', 'kill']);
/** Calls whose result is shell text built from quoted words (or PowerShell sent encoded). */
const QUOTING = new Set(['shq', 'shellCommand', 'agentCommand', 'encodedPowerShell', 'iptablesCommand', 'Number']);

const rootOf = (n) => (n.type === 'MemberExpression' ? rootOf(n.object) : n);
const isConstant = (n) => {
  if (n.type === 'Literal') return true;
  if (n.type === 'Identifier') return /^[A-Z][A-Z0-9_]*$/.test(n.name);
  if (n.type === 'MemberExpression') { const r = rootOf(n); return r.type === 'Identifier' && (/^[A-Z][A-Z0-9_]*$/.test(r.name) || r.name === 'P'); }
  return false;
};
const isQuoted = (n) => n.type === 'CallExpression' && ((n.callee.type === 'Identifier' && QUOTING.has(n.callee.name)) || (n.callee.type === 'MemberExpression' && !n.callee.computed && QUOTING.has(n.callee.property.name)));
/** Whether an expression is shell text that carries no unquoted value. */
const safe = (n) => {
  switch (n.type) {
    case 'Literal': return true;
    case 'TemplateLiteral': return n.expressions.every((e) => isConstant(e) || isQuoted(e) || safe(e));
    case 'BinaryExpression': return n.operator === '+' && safe(n.left) && safe(n.right);
    case 'ConditionalExpression': return safe(n.consequent) && safe(n.alternate);
    case 'LogicalExpression': return safe(n.left) && safe(n.right);
    case 'CallExpression': return isQuoted(n);
    case 'Identifier': return n.name === 'undefined' || /^[A-Z][A-Z0-9_]*$/.test(n.name);
    case 'MemberExpression': return isConstant(n);
    default: return false;
  }
};

/** At the top of a field: a variable, a member or a call holding a command is judged where it was made; text built here is judged now. */
const safeTop = (n) => {
  if (n.type === 'ConditionalExpression') return safeTop(n.consequent) && safeTop(n.alternate);
  if (n.type === 'LogicalExpression') return safeTop(n.left) && safeTop(n.right);
  if (n.type === 'TemplateLiteral' || n.type === 'BinaryExpression') return safe(n);
  return true;
};

export default {
  meta: { type: 'problem', docs: { description: 'values reach shell text only through shq/shellCommand' }, messages: { unquoted: 'This {{field}} puts a value into shell text; build it with shellCommand([...]) or quote the value with shq() (shared/quote.ts).' } },
  create(context) {
    return {
      Property(node) {
        const key = node.key.type === 'Identifier' ? node.key.name : node.key.type === 'Literal' ? String(node.key.value) : null;
        if (!key || !FIELDS.has(key)) return;
        // A probe's evidence ({ command, raw }) names what was run for a person to read; it is never run.
        if (node.parent.type === 'ObjectExpression' && node.parent.properties.some((p) => p.type === 'Property' && p.key.type === 'Identifier' && p.key.name === 'raw')) return;
        if (!safeTop(node.value)) context.report({ node: node.value, messageId: 'unquoted', data: { field: key } });
      },
    };
  },
};
