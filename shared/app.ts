/** Facts about the running application that the UI shows or adapts to. */
import type { StepId } from './wizard.ts';
import type { InterruptedRun } from './plan.ts';

export type TransportKind = 'electron-ipc' | 'http';

export interface AppInfo {
  name: 'Failguard';
  version: string;
  transport: TransportKind;
  /** Node.js version of the back end. */
  node: string;
  /** The wizard steps whose features exist in this build; others are shown as not available yet. */
  builtSteps: StepId[];
  /** Plan runs the journal shows cut short (app killed, connection lost): the next run that applies changes on their servers finishes them. */
  interrupted: InterruptedRun[];
  /** Whether saved jobs' secrets (directory password, alert and TSIG credentials) are kept on this computer, and how, in words. */
  secrets: { kept: boolean; how: string };
}
