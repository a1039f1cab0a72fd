import { defineConfig } from 'vitest/config';
import { ByNameSequencer } from './test/sequencer.ts';

// Three projects: unit (no lab, fast), integration (the lab's real machines), e2e (Chromium on `failguard serve`).
// Files run in name order, so the lab's `down` test (zz-down) comes last.
export default defineConfig({
  test: {
    sequence: { sequencer: ByNameSequencer },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}'], environment: 'node' } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000, fileParallelism: false } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false } },
    ],
  },
});
