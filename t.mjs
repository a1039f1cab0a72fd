import { Client } from 'ldapts';
const c = new Client({ url: 'ldap://127.0.0.1:3890' });
try { await c.startTLS({}); console.log('started?'); } catch (e) { console.log('err', e.code, e.name, e.message); }
