import { useAppStore } from './store-context.tsx';
import { Field } from './Field.tsx';
import { checkHealth } from '../store/health-options.ts';
import { messages } from '../messages.ts';

/** Step 3: when a standby counts as late, then critical (each explained in one sentence), and where the metrics go. */
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
        <Field id="metricsDir" label={m.metricsDir} hint={m.metricsDirHint} error={problem('metricsDir')}>
          <input id="metricsDir" value={d.metricsDir} onChange={(e) => s.setHealthDraft({ metricsDir: e.target.value })} />
        </Field>
      </div>
    </fieldset>
  );
}
