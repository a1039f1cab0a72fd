import { describe, expect, it } from 'vitest';
import { bindSubcode, explainBindError, explainConnectError } from '../../electron/directory/ldap-errors.ts';
import { validateDiscoverInput } from '../../shared/directory.ts';

const adError = (data: string) => ({ code: 49, message: `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${data}, v1db1 Code: 0x31` });

describe('AD bind errors', () => {
  it.each([
    ['52e', 'bad-credentials', 'password'], ['525', 'no-such-user', 'username'], ['530', 'logon-hours', 'username'],
    ['531', 'logon-workstation', 'username'], ['532', 'password-expired', 'password'], ['533', 'account-disabled', 'username'],
    ['701', 'account-expired', 'username'], ['773', 'password-must-change', 'password'], ['775', 'account-locked', 'username'],
  ])('data %s is %s, about the %s field', (data, code, field) => {
    const e = explainBindError(adError(data), 'bob@corp.test');
    expect(e).toMatchObject({ code, field });
    expect(e.message.split('. ').length).toBeLessThanOrEqual(2);
  });

  it('reads the sub-code whatever the DC version suffix', () => {
    expect(bindSubcode('... data 775, v2580')).toBe('775');
    expect(bindSubcode('no data here')).toBeNull();
  });

  it('never repeats the password', () => {
    const e = explainBindError({ code: 49, message: 'data 52e secret-pw' }, 'bob');
    expect(e.message).not.toContain('secret-pw');
  });

  it('maps strong-auth-required and a refused connection', () => {
    expect(explainBindError({ code: 8, message: 'x' }, 'bob').code).toBe('strong-auth-required');
    expect(explainConnectError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), { host: 'dc', port: 636, presented: null }).code).toBe('dc-unreachable');
    expect(explainConnectError(new Error('Connection timeout'), { host: 'dc', port: 636, presented: null }).code).toBe('dc-timeout');
  });
});

describe('discovery input', () => {
  it('names the field that is wrong', () => {
    expect(validateDiscoverInput({ kind: 'domain', domain: 'not a domain' }, { username: 'a', password: 'b' }).map((e) => e.field)).toEqual(['domain']);
    expect(validateDiscoverInput({ kind: 'url', url: 'http://dc' }, { username: '', password: '' }).map((e) => e.field)).toEqual(['url', 'username', 'password']);
    expect(validateDiscoverInput({ kind: 'domain', domain: 'lab.test', dnsServer: 'dns.local' }, { username: 'a', password: 'b' }).map((e) => e.field)).toEqual(['dnsServer']);
    expect(validateDiscoverInput({ kind: 'url', url: 'ldaps://dc1.lab.test:636' }, { username: 'LAB\\admin', password: 'x' })).toEqual([]);
  });
});
