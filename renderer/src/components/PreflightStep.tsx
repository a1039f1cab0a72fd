import { useState } from 'react';
import type { ReportFormat } from '../../../shared/preflight.ts';
import { useAppStore } from './store-context.tsx';
import { PreflightForm } from './PreflightForm.tsx';
import { PreflightResults } from './PreflightResults.tsx';
import { FixReview } from './FixReview.tsx';
import { messages } from '../messages.ts';
import { saveFile } from './save-file.ts';

export function PreflightStep() {
  const s = useAppStore((x) => x);
  const [format, setFormat] = useState<ReportFormat>('html');
  const r = s.preflight.result;
  const warnings = r?.report.findings.filter((f) => f.outcome === 'warning').length ?? 0;
  const download = async () => {
    const file = await s.exportReport(format);
    if (file) saveFile(file);
  };
  return (
    <div className="preflight-step">
      <PreflightForm />
      {r && !s.preflight.running && !r.unknownHostKeys.length ? (
        <div className="actions left">
          <button type="button" disabled={!s.chosenFixes.length} onClick={() => s.reviewFixes(true)} data-testid="fix-selected">{messages.preflight.fixSelected(s.chosenFixes.length)}</button>
          {warnings ? (
            <label className="accept"><input type="checkbox" checked={s.warningsAccepted} onChange={(e) => s.acceptWarnings(e.target.checked)} data-testid="accept-warnings" /> {messages.preflight.acceptWarnings(warnings)}</label>
          ) : null}
          <select aria-label={messages.preflight.format} value={format} onChange={(e) => setFormat(e.target.value as ReportFormat)}>
            {(['html', 'pdf', 'json', 'junit'] as const).map((f) => <option key={f} value={f}>{f.toUpperCase()}</option>)}
          </select>
          <button type="button" onClick={() => void download()} data-testid="export-report">{messages.preflight.export}</button>
        </div>
      ) : null}
      <PreflightResults />
      <FixReview />
    </div>
  );
}
