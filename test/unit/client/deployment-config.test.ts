// parseDeploymentConfig's optional dohUrl: a deployment may name its own DoH resolver; it must
// pass core/dns's URL rule (https, http only on loopback), and a bad one is a MalformedError.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDeploymentConfig } from '../../../core/client/config.ts';
import { MalformedError } from '../../../core/errors.ts';

const BASE = { version: 1, natsWebSocketUrl: 'wss://rooms.example/nats', loginJwt: 'jwt' };

describe('deployment config dohUrl', () => {
  it('is optional, and kept normalized when given', () => {
    assert.equal('dohUrl' in parseDeploymentConfig(BASE), false);
    assert.equal('dohUrl' in parseDeploymentConfig({ ...BASE, dohUrl: null }), false);
    assert.equal(
      parseDeploymentConfig({ ...BASE, dohUrl: 'https://DNS.rooms.example/dns-query{?dns}' }).dohUrl,
      'https://dns.rooms.example/dns-query',
    );
    assert.equal(
      parseDeploymentConfig({ ...BASE, dohUrl: 'http://127.0.0.1:8053/dns-query' }).dohUrl,
      'http://127.0.0.1:8053/dns-query',
    );
  });

  it('refuses a dohUrl that is not an https DoH URL', () => {
    for (const dohUrl of [
      '',
      'http://dns.example/dns-query',
      'dns.example',
      'https://u:p@dns.example/',
      7,
      {},
    ])
      assert.throws(
        () => parseDeploymentConfig({ ...BASE, dohUrl }),
        (e: unknown) => e instanceof MalformedError && e.message.startsWith('Deployment config: dohUrl: '),
        JSON.stringify(dohUrl),
      );
  });
});
