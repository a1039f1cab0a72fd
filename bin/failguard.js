#!/usr/bin/env node
// The `failguard` command. Runs the compiled CLI (npm run build) on Node.js 22 or newer.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`failguard: Failguard needs Node.js 22 or newer and this is ${process.versions.node}; run it through npm (npm exec failguard), which uses the Node.js 24 in node_modules.\n`);
  process.exit(1);
}
const { main } = await import('../dist/node/electron/cli/main.js').catch(() => {
  process.stderr.write('failguard: Failguard is not built yet; run npm run build first.\n');
  process.exit(1);
});
const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
