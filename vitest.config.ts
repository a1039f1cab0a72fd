import { defineConfig } from 'vitest/config';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByNameSequencer } from './test/sequencer.ts';

// Each test run has a state folder of its own (run locks, rehearsal slots): never the user's, never a run's before.
const env = { FAILGUARD_STATE_DIR: mkdtempSync(join(tmpdir(), 'fg-test-state-')) };

// Three projects: unit (no lab, fast), integration (the lab's real machines), e2e (Chromium on `failguard serve`).
// Files run in name order, so the lab's `down` test (zz-down) comes last.
export default defineConfig({
  test: {
    sequence: { sequencer: ByNameSequencer },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}'], environment: 'node', env } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000, fileParallelism: false, env } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false, env } },
    ],
  },
});
