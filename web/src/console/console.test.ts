import { describe, expect, it } from 'vitest';
import { consoleSection } from './ConsoleApp';
import { CLIENT_ID_PATTERN, registerBody, tokenCommand } from './ConsoleClients';

describe('console', () => {
  it('highlights the section of the current path, and none for pages outside the menu', () => {
    expect(consoleSection('/console')).toBe('overview');
    expect(consoleSection('/console/')).toBe('overview');
    expect(consoleSection('/console/clients')).toBe('clients');
    expect(consoleSection('/console/certificates/42')).toBe('certificates');
    expect(consoleSection('/console/subsidies/quota')).toBe('subsidyQuota');
    expect(consoleSection('/console/me')).toBeUndefined();
  });

  it('sends only the fields a client kind uses, trimmed', () => {
    expect(registerBody({ id: ' till-1 ', name: ' Till ', kind: 'merchant', organisationId: ' m-1 ', hallId: 'h' })).toEqual({
      id: 'till-1',
      name: 'Till',
      kind: 'merchant',
      organisationId: 'm-1',
    });
    expect(registerBody({ id: 'p', name: 'P', kind: 'platform', organisationId: '  ' })).toEqual({ id: 'p', name: 'P', kind: 'platform' });
    expect(registerBody({ id: 'k1', name: 'K', kind: 'kiosk', organisationId: 'x', hallId: 'hall-1' })).toEqual({
      id: 'k1',
      name: 'K',
      kind: 'kiosk',
      hallId: 'hall-1',
    });
    expect(registerBody({ id: 'v1', name: 'V', kind: 'verifier', hallId: 'hall-1' })).toEqual({ id: 'v1', name: 'V', kind: 'verifier' });
  });

  it('checks client ids like the server', () => {
    expect(CLIENT_ID_PATTERN.test('till-heping-02')).toBe(true);
    expect(CLIENT_ID_PATTERN.test('a')).toBe(false);
    expect(CLIENT_ID_PATTERN.test('Till')).toBe(false);
    expect(CLIENT_ID_PATTERN.test('-till')).toBe(false);
  });

  it('shows a client credentials curl command for this server', () => {
    const command = tokenCommand('https://haihe.example');
    expect(command).toContain('curl https://haihe.example/api/v1/oauth/token');
    expect(command).toContain('grant_type=client_credentials');
    expect(command).toContain('client_id=CLIENT_ID');
    expect(command).toContain('client_secret=CLIENT_SECRET');
  });
});
