/** The package's own version, read once from package.json beside the code. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

function findPackageJson(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const p = join(dir, 'package.json');
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string };
      if (pkg.name === 'failguard') return p;
    } catch {
      /* keep looking upwards */
    }
    dir = dirname(dir);
  }
  throw new Error('package.json of failguard not found');
}

export const VERSION: string = (JSON.parse(readFileSync(findPackageJson(), 'utf8')) as { version: string }).version;
