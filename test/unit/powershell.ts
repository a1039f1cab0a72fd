/** PowerShell as tree-sitter-powershell reads it: for scripts that cannot run here (not run live), proof that they parse, and which commands they run. */
import { createRequire } from 'node:module';
import { Parser, Language, type Node } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

export async function powershell(): Promise<Parser> {
  await Parser.init();
  const p = new Parser();
  p.setLanguage(await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm')));
  return p;
}

/** Every node the grammar could not read (with its line and column), none for a valid script. */
export const errors = (n: Node): string[] => [...(n.isError || n.isMissing ? [`${n.startPosition.row + 1}:${n.startPosition.column + 1} ${n.text.slice(0, 50)}`] : []), ...n.children.flatMap((c) => (c ? errors(c) : []))];
/** The commands a script runs, in order. */
export const commands = (n: Node): string[] => [...(n.type === 'command_name' ? [n.text] : []), ...n.children.flatMap((c) => (c ? commands(c) : []))];
