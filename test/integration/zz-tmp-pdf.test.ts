import { it } from 'vitest';
import { chromiumPrinter } from '../../electron/reports/pdf.ts';
it('times', async () => {
  const t = Date.now();
  await chromiumPrinter()('<html><body><p>x</p></body></html>');
  console.log('PDFTIME', Date.now() - t, JSON.stringify(Object.keys(process.env).filter((k) => /DBUS|DISPLAY|XDG|CHROM|TMP/.test(k))));
}, 120000);
