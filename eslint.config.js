// Lint, including the layers: the renderer never reaches Node, Electron or the agent;
// shared/ does no I/O; the agent stands alone.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';
import quotedCommands from './eslint-rules/quoted-commands.js';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const noNode = { paths: [...nodeBuiltins, 'electron'].map((name) => ({ name, message: 'This layer must not use Node or Electron; go through the contract.' })) };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,cts,js}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "Property[key.name='rejectUnauthorized'][value.value=false]", message: 'Certificate verification is never turned off; add the CA instead.' }],
    },
  },
  {
    // Shell text sent to hosts: values only through the one quoting helper (shared/quote.ts).
    files: ['electron/**/*.ts', 'agent/**/*.ts'],
    plugins: { failguard: { rules: { 'quoted-commands': quotedCommands } } },
    rules: { 'failguard/quoted-commands': 'error' },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { ...noNode, patterns: [
        { group: ['**/electron/**', '**/agent/**', '**/test/**'], message: 'The renderer talks to the back end only through shared/contract.ts.' },
      ] }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { ...noNode, patterns: [
        { group: ['**/electron/**', '**/renderer/**', '**/agent/**', '**/test/**'], message: 'shared/ depends on nothing but itself.' },
      ] }],
      'no-restricted-globals': ['error', ...['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'process', 'require', 'window', 'document', 'localStorage', 'Buffer'].map((name) => ({ name, message: 'shared/ does no I/O and knows no runtime.' }))],
    },
  },
  {
    files: ['agent/**/*.ts'],
    rules: {
      // One exception: the plan engine and the directory client, so that an automatic failover runs on the target
      // the very plan (and journal) the app would run; nothing of Electron, the UI or SSH.
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)(renderer/|electron/(?!plans/|directory/|hosts/(shell|file-hash)\\.ts$))', message: 'The agent runs on protected servers and stands alone (but for the plan engine and the directory client).' }] }],
    },
  },
);
