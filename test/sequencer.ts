import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Runs test files in name order, so the lab's `down` test (zz-down) always comes last. */
export class ByNameSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}
