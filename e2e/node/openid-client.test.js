// openid-client discovers a pool of a server running with its default
// issuer (its own URL): the discovery document and the keys it points to
// (hosted-oauth.test.js runs the authorization code flow).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as oidc from 'openid-client';

import { defaultIssuerEndpoint, getJSON, newPool } from './lib/cognate.js';

describe('openid-client discovery', { timeout: 30_000 }, () => {
  let pool;
  before(async () => {
    pool = await newPool(defaultIssuerEndpoint);
  });

  it('discovers the pool and its keys', async () => {
    const issuer = `${defaultIssuerEndpoint}/${pool.poolId}`;
    // openid-client checks that the document's issuer is the URL it was asked for.
    const config = await oidc.discovery(new URL(issuer), pool.clientId, undefined, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    const md = config.serverMetadata();
    assert.equal(md.issuer, issuer);
    assert.equal(md.jwks_uri, `${issuer}/.well-known/jwks.json`);
    assert.ok(md.id_token_signing_alg_values_supported.includes('RS256'));
    assert.ok(md.response_types_supported.includes('code'));
    assert.equal(config.clientMetadata().client_id, pool.clientId);

    const jwks = await getJSON(md.jwks_uri);
    assert.ok(jwks.keys.length >= 1, 'the JWKS has no keys');
    for (const k of jwks.keys) {
      assert.equal(k.kty, 'RSA');
      assert.ok(k.kid && k.n && k.e, `incomplete key ${JSON.stringify(k)}`);
    }
  });

  it('fails to discover a pool that does not exist', async () => {
    await assert.rejects(
      oidc.discovery(new URL(`${defaultIssuerEndpoint}/us-east-1_NoSuchPool`), 'client', undefined, undefined, {
        execute: [oidc.allowInsecureRequests],
      }),
    );
  });
});
