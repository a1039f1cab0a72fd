import { UserError } from '../../shared/errors.ts';

/** A step that did not do what it should; the message is the evidence (last output line or the reason). */
export class StepFailed extends UserError {
  constructor(why: string) {
    super('step-failed', why);
  }
}
