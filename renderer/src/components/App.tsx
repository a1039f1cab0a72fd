import { useEffect } from 'react';
import { StepNav } from './StepNav.tsx';
import { StepPanel } from './StepPanel.tsx';
import { StartPage } from './StartPage.tsx';
import { useAppStore } from './store-context.tsx';
import { messages } from '../messages.ts';

export function App() {
  const info = useAppStore((s) => s.info);
  const backendError = useAppStore((s) => s.backendError);
  const loadInfo = useAppStore((s) => s.loadInfo);
  const openSavedJob = useAppStore((s) => s.openSavedJob);
  const journey = useAppStore((s) => s.journey);
  const backToStart = useAppStore((s) => s.backToStart);
  useEffect(() => { void loadInfo().then(openSavedJob); }, [loadInfo, openSavedJob]);
  return (
    <div className="app">
      <header>
        <h1>{messages.appTitle}</h1>
        <span className="tagline">{messages.tagline}</span>
        <span className="version" data-testid="version">{info ? `v${info.version}` : ''}</span>
      </header>
      {backendError ? <p role="alert" className="error">{backendError}</p> : null}
      {!info && !backendError ? <p className="muted">{messages.connecting}</p> : null}
      {info?.interrupted.length ? (
        <div className="notice" role="status" data-testid="interrupted-runs">
          <p>{messages.interrupted.found}</p>
          <ul>{info.interrupted.map((r) => <li key={r.runId}>{messages.interrupted.run(r.startedAt, r.plans.map((p) => ({ title: p.title, done: p.stepsDone, of: p.steps })), r.hosts)}</li>)}</ul>
        </div>
      ) : null}
      {info && journey === 'start' ? <StartPage /> : null}
      {info && journey !== 'start' ? (
        <>
          <p className="journey"><button type="button" className="link" data-testid="back-to-start" onClick={backToStart}>← {messages.start.back}</button>
            {journey === 'audit' ? <span className="badge">{messages.start.audit}</span> : null}</p>
          <div className="wizard">
            <StepNav />
            <StepPanel />
          </div>
        </>
      ) : null}
    </div>
  );
}
