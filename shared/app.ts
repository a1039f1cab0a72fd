/** Facts about the running application that the UI shows or adapts to. */
import type { StepId } from './wizard.ts';

export type TransportKind = 'electron-ipc' | 'http';

export interface AppInfo {
  name: 'Failguard';
  version: string;
  transport: TransportKind;
  /** Node.js version of the back end. */
  node: string;
  /** The wizard steps whose features exist in this build; others are shown as not available yet. */
  builtSteps: StepId[];
}
