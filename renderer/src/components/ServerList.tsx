import { ROLE_LABELS, mailboxTotal } from '../../../shared/topology.ts';
import { useAppStore } from './store-context.tsx';
import { checkSelection } from '../store/selection.ts';
import { messages } from '../messages.ts';

/** The discovered servers; the user picks one source and one or more targets. */
export function ServerList() {
  const s = useAppStore((x) => x);
  const t = s.topology;
  if (!t) return null;
  if (!t.organisation) return <p className="notice" data-testid="no-exchange">{messages.servers.noExchange(t.directory.dnsDomain)}</p>;
  const check = checkSelection(t, s.source, s.targets);
  return (
    <div className="server-list">
      <p className="summary" data-testid="org-summary">{messages.servers.summary(t.organisation.name, t.servers.length, t.databases.length, mailboxTotal(t))}</p>
      <table>
        <thead>
          <tr><th>{messages.servers.colSource}</th><th>{messages.servers.colTarget}</th><th>{messages.servers.colServer}</th><th>{messages.servers.colVersion}</th><th>{messages.servers.colRoles}</th><th>{messages.servers.colDatabases}</th><th>{messages.servers.colMailboxes}</th></tr>
        </thead>
        <tbody>
          {t.servers.map((srv) => {
            const dbs = t.databases.filter((d) => d.server === srv.name).length;
            return (
              <tr key={srv.name} data-server={srv.name} className={s.source === srv.name ? 'is-source' : s.targets.includes(srv.name) ? 'is-target' : ''}>
                <td><input type="radio" name="source" aria-label={`${messages.servers.colSource} ${srv.name}`} checked={s.source === srv.name} onChange={() => s.chooseSource(srv.name)} /></td>
                <td><input type="checkbox" aria-label={`${messages.servers.colTarget} ${srv.name}`} checked={s.targets.includes(srv.name)} disabled={s.source === srv.name} onChange={() => s.toggleTarget(srv.name)} /></td>
                <td>
                  <strong>{srv.name}</strong>
                  <div className="muted small">{srv.fqdn ?? ''}{srv.dag ? ` · ${srv.dag}` : ''}</div>
                  {check.warnings[srv.name] ? <div className="warning small" role="alert" data-testid={`warning-${srv.name}`}>{check.warnings[srv.name]}</div> : null}
                </td>
                <td>{srv.version.product}<div className="muted small">{srv.version.major}.{srv.version.minor}.{srv.version.build}</div></td>
                <td>{srv.roles.map((r) => ROLE_LABELS[r]).join(', ')}</td>
                <td data-testid={`dbs-${srv.name}`}>{dbs}</td>
                <td data-testid={`mailboxes-${srv.name}`}>{mailboxTotal(t, srv.name)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted" data-testid="selection-state">{check.complete ? messages.servers.ready(s.source!, s.targets) : messages.servers.choose}</p>
    </div>
  );
}
