import { useAppStore } from './store-context.tsx';
import { Field } from './Field.tsx';
import { checkHealth, type HealthDraft } from '../store/health-options.ts';
import { WEEKDAYS, type Weekday } from '../../../shared/rehearsal-schedule.ts';
import { messages } from '../messages.ts';

/** Step 3: when a standby counts as late, then critical (each explained in one sentence), where the metrics go, and when it rehearses by itself. */
export function HealthOptions() {
  const s = useAppStore((x) => x);
  const m = messages.healthOptions;
  const d = s.healthDraft;
  const check = checkHealth(d);
  const problem = (field: string) => (check.ok ? undefined : check.problems[field]);
  return (
    <fieldset className="health-options" data-testid="health-options">
      <legend>{m.title}</legend>
      <div className="grid2">
        <Field id="rpoWarnSeconds" label={m.warn} hint={m.warnHint} error={problem('rpoWarnSeconds')}>
          <input id="rpoWarnSeconds" inputMode="numeric" value={d.rpoWarnSeconds} onChange={(e) => s.setHealthDraft({ rpoWarnSeconds: e.target.value })} />
        </Field>
        <Field id="rpoCriticalSeconds" label={m.critical} hint={m.criticalHint} error={problem('rpoCriticalSeconds')}>
          <input id="rpoCriticalSeconds" inputMode="numeric" value={d.rpoCriticalSeconds} onChange={(e) => s.setHealthDraft({ rpoCriticalSeconds: e.target.value })} />
        </Field>
        <Field id="noSendMinutes" label={m.noSend} hint={m.noSendHint} error={problem('noSendMinutes')}>
          <input id="noSendMinutes" inputMode="numeric" value={d.noSendMinutes} onChange={(e) => s.setHealthDraft({ noSendMinutes: e.target.value })} />
        </Field>
        <Field id="syncStallMinutes" label={m.syncStall} hint={m.syncStallHint} error={problem('syncStallMinutes')}>
          <input id="syncStallMinutes" inputMode="numeric" value={d.syncStallMinutes} onChange={(e) => s.setHealthDraft({ syncStallMinutes: e.target.value })} />
        </Field>
        <Field id="minFreePercent" label={m.minFree} hint={m.minFreeHint} error={problem('minFreePercent')}>
          <input id="minFreePercent" inputMode="decimal" value={d.minFreePercent} onChange={(e) => s.setHealthDraft({ minFreePercent: e.target.value })} />
        </Field>
        <Field id="metricsDir" label={m.metricsDir} hint={m.metricsDirHint} error={problem('metricsDir')}>
          <input id="metricsDir" value={d.metricsDir} onChange={(e) => s.setHealthDraft({ metricsDir: e.target.value })} />
        </Field>
      </div>
      <div className="grid2" data-testid="rehearsal-schedule">
        <Field id="rehearseEvery" label={m.rehearse} hint={m.rehearseHint}>
          <select id="rehearseEvery" value={d.rehearseEvery} onChange={(e) => s.setHealthDraft({ rehearseEvery: e.target.value as HealthDraft['rehearseEvery'] })}>
            {(['off', 'week', 'day'] as const).map((k) => <option key={k} value={k}>{m.rehearseEvery[k]}</option>)}
          </select>
        </Field>
        {d.rehearseEvery === 'week' && (
          <Field id="rehearseWeekday" label={m.rehearseWeekday}>
            <select id="rehearseWeekday" value={d.rehearseWeekday} onChange={(e) => s.setHealthDraft({ rehearseWeekday: e.target.value as Weekday })}>
              {WEEKDAYS.map((k) => <option key={k} value={k}>{m.weekdays[k]}</option>)}
            </select>
          </Field>
        )}
        {d.rehearseEvery !== 'off' && (
          <Field id="rehearseTime" label={m.rehearseTime} hint={m.rehearseTimeHint} error={problem('rehearseTime')}>
            <input id="rehearseTime" value={d.rehearseTime} onChange={(e) => s.setHealthDraft({ rehearseTime: e.target.value })} />
          </Field>
        )}
      </div>
    </fieldset>
  );
}
