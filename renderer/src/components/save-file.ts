import type { ResponseOf } from '../../../shared/contract.ts';

/** A report the back end rendered (text, or base64 for PDF), saved through the browser's download. */
export function saveFile(file: ResponseOf<'preflight.report'> | ResponseOf<'jobs.rehearsalReport'>): void {
  const bytes = file.encoding === 'base64' ? Uint8Array.from(atob(file.content), (c) => c.charCodeAt(0)) : new TextEncoder().encode(file.content);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  a.download = file.fileName;
  a.click();
  URL.revokeObjectURL(a.href);
}
