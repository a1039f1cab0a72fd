import type { JobChange } from '../../../shared/job-diff.ts';
import { messages } from '../messages.ts';

/** A reconfiguration's changes, shown above its plan: what was, what will be, grouped as the wizard's steps are. */
export function JobChanges({ changes }: { changes: JobChange[] }) {
  const m = messages.protect;
  return (
    <section className="job-changes" data-testid="job-changes" aria-labelledby="job-changes-title">
      <h3 id="job-changes-title">{m.changesTitle}</h3>
      {changes.length === 0 ? <p data-testid="no-changes">{m.noChanges}</p> : (
        <>
          <p className="muted">{m.changesIntro}</p>
          <table>
            <thead><tr><th scope="col">{m.changeColumns.area}</th><th scope="col">{m.changeColumns.what}</th><th scope="col">{m.changeColumns.before}</th><th scope="col">{m.changeColumns.after}</th></tr></thead>
            <tbody>
              {changes.map((c, i) => (
                <tr key={i} data-kind={c.kind} data-area={c.area} data-subject={c.subject} data-field={c.field ?? ''}>
                  <td>{m.changeArea[c.area]}</td>
                  <td><span className={`change-${c.kind}`}>{m.changeKind[c.kind]}</span> {c.subject}{c.field ? `: ${c.field}` : ''}</td>
                  <td>{c.kind === 'added' ? '—' : c.before ?? ''}</td>
                  <td>{c.kind === 'removed' ? '—' : c.after ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
