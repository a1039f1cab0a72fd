import { useAppStore } from './store-context.tsx';
import { Field } from './Field.tsx';
import { ScheduleGrid } from './ScheduleGrid.tsx';
import { FailoverOptions } from './FailoverOptions.tsx';
import { AlertOptions } from './AlertOptions.tsx';
import { HealthOptions } from './HealthOptions.tsx';
import { checkDraft, draftOf, jobNameOf, optionsValid } from '../store/options-slice.ts';
import type { Compression } from '../../../shared/job.ts';
import { messages } from '../messages.ts';

/** Step 3: per target, how replication runs; each option with one sentence and a safe default. */
export function OptionsStep() {
  const s = useAppStore((x) => x);
  const m = messages.options;
  const valid = optionsValid(s);
  return (
    <div className="options-step">
      <p>{m.intro}</p>
      <Field id="jobName" label={m.jobName} hint={m.jobNameHint}>
        <input id="jobName" value={s.jobName} placeholder={jobNameOf({ ...s, jobName: '' })} onChange={(e) => s.setJobName(e.target.value)} />
      </Field>
      {s.targets.map((t) => <TargetOptions key={t} target={t} />)}
      <FailoverOptions />
      <HealthOptions />
      <AlertOptions />
      <div className="actions">
        {!valid ? <span className="progress">{m.fixFirst}</span> : null}
        <button type="button" className="primary" disabled={!valid} data-testid="options-next" onClick={() => s.goTo('protect')}>{m.next}</button>
      </div>
    </div>
  );
}

function TargetOptions({ target }: { target: string }) {
  const s = useAppStore((x) => x);
  const d = draftOf(s, target);
  const check = checkDraft(d);
  const problem = (field: string) => (check.ok ? undefined : check.problems[field]);
  const set = (patch: Parameters<typeof s.setDraft>[1]) => s.setDraft(target, patch);
  const m = messages.options;
  const id = (x: string) => `${x}-${target}`;
  const covered = s.preflight.result?.covered ?? [];
  const addressOf = (name: string) => s.preflight.result?.hostKeys.find((k) => k.host === name)?.address ?? covered.find((c) => c.name === name)?.address ?? '';
  return (
    <fieldset className="target-options" data-testid={`options-${target}`}>
      <legend>{m.target(s.source ?? '', target)}</legend>
      <div className="grid2">
        <Field id={id('sourceAddress')} label={m.sourceAddress} hint={m.pathHint} error={problem('path.sourceAddress')}>
          <input id={id('sourceAddress')} value={d.sourceAddress} placeholder={addressOf(s.source ?? '')} onChange={(e) => set({ sourceAddress: e.target.value })} />
        </Field>
        <Field id={id('targetAddress')} label={m.targetAddress(target)} hint={m.pathHint} error={problem('path.targetAddress')}>
          <input id={id('targetAddress')} value={d.targetAddress} placeholder={addressOf(target)} onChange={(e) => set({ targetAddress: e.target.value })} />
        </Field>
        <div className="field" role="radiogroup" aria-labelledby={id('compression-label')}>
          <span className="label" id={id('compression-label')}>{m.compression}</span>
          <div className="choices">
            {(['off', 'fast', 'strong'] as Compression[]).map((c) => (
              <label key={c}><input type="radio" name={id('compression')} value={c} checked={d.compression === c} onChange={() => set({ compression: c })} /> {m.compressionName[c]}</label>
            ))}
          </div>
          <small className="hint">{m.compressionHint}</small>
        </div>
        <Field id={id('interval')} label={m.interval} hint={m.intervalHint} error={problem('intervalSeconds')}>
          <input id={id('interval')} inputMode="decimal" value={d.intervalSeconds} onChange={(e) => set({ intervalSeconds: e.target.value })} />
        </Field>
        <Field id={id('retentionLast')} label={m.retentionLast} hint={m.retentionLastHint} error={problem('retention.last')}>
          <input id={id('retentionLast')} inputMode="numeric" value={d.retentionLast} onChange={(e) => set({ retentionLast: e.target.value })} />
        </Field>
        <Field id={id('retentionHourly')} label={m.retentionHourly} hint={m.retentionHourlyHint} error={problem('retention.hourlyForHours')}>
          <input id={id('retentionHourly')} inputMode="numeric" value={d.retentionHourly} onChange={(e) => set({ retentionHourly: e.target.value })} />
        </Field>
        <Field id={id('retentionDaily')} label={m.retentionDaily} hint={m.retentionDailyHint} error={problem('retention.dailyForDays')}>
          <input id={id('retentionDaily')} inputMode="numeric" value={d.retentionDaily} onChange={(e) => set({ retentionDaily: e.target.value })} />
        </Field>
      </div>
      <h4>{m.schedule}</h4>
      <p className="hint">{m.scheduleHint}</p>
      <ScheduleGrid id={target} limits={d.limits} onPaint={(slots, v) => s.paint(target, slots, v)} />
      {problem('schedule') ? <p className="field-error" role="alert">{problem('schedule')}</p> : null}
    </fieldset>
  );
}
