// openid-client runs the authorization code flow with PKCE against a pool's
// hosted endpoints (the managed login form driven with fetch and a cookie
// jar, as a browser would submit it), then refreshes, reads userInfo and
// revokes; aws-jwt-verify checks the tokens against the pool's JWKS.
import './lib/localhost.js';

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { CreateUserPoolClientCommand, CreateUserPoolDomainCommand } from '@aws-sdk/client-cognito-identity-provider';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import * as oidc from 'openid-client';

import { PASSWORD, confirmedUser, defaultIssuerEndpoint, newPool, unique } from './lib/cognate.js';

const CALLBACK = 'http://localhost:3000/callback';

/** A JWKS fetcher for aws-jwt-verify over plain HTTP (its own speaks only HTTPS). */
const httpFetcher = {
  async fetch(uri) {
    const resp = await fetch(uri);
    if (resp.status !== 200) {
      throw new Error(`GET ${uri}: status ${resp.status}`);
    }
    return resp.arrayBuffer();
  },
};

/** A browser's cookie jar for one site, enough for the login form. */
class Jar {
  cookies = new Map();
  store(resp) {
    for (const line of resp.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Follows an authorization URL through the login form; returns the callback URL. */
async function signInThroughForm(authUrl, username, password) {
  const jar = new Jar();
  let resp = await fetch(authUrl, { redirect: 'manual' });
  assert.equal(resp.status, 302, `authorize: status ${resp.status}`);
  const login = new URL(resp.headers.get('location'), authUrl);
  assert.equal(login.pathname, '/login');
  resp = await fetch(login, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.store(resp);
  const page = await resp.text();
  assert.equal(resp.status, 200, page);
  assert.equal(resp.headers.get('x-frame-options'), 'DENY');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)[1];
  const action = /<form method="post" action="([^"]+)"/.exec(page)[1].replaceAll('&amp;', '&').replaceAll('&#43;', '+');
  resp = await fetch(new URL(action, login), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username, password }),
  });
  assert.equal(resp.status, 302, `sign in: status ${resp.status}: ${await resp.text()}`);
  return new URL(resp.headers.get('location'));
}

describe('openid-client authorization code flow on the hosted endpoints', { timeout: 60_000 }, () => {
  let pool, clientId, config, user, issuer;
  before(async () => {
    pool = await newPool(defaultIssuerEndpoint);
    issuer = `${pool.url}/${pool.poolId}`;
    await pool.admin.send(new CreateUserPoolDomainCommand({ UserPoolId: pool.poolId, Domain: unique('node') }));
    const { UserPoolClient } = await pool.admin.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.poolId,
      ClientName: 'spa',
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [CALLBACK],
      SupportedIdentityProviders: ['COGNITO'],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
    }));
    clientId = UserPoolClient.ClientId;
    user = await confirmedUser(pool);
    config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
  });

  it('signs in with PKCE and nonce, and aws-jwt-verify accepts the tokens', async () => {
    const md = config.serverMetadata();
    assert.match(md.authorization_endpoint, /^http:\/\/node-[0-9a-f]{8}\.auth\.localhost:\d+\/oauth2\/authorize$/);
    assert.equal(md.end_session_endpoint, md.authorization_endpoint.replace('/oauth2/authorize', '/logout'));

    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await signInThroughForm(authUrl, user.username, PASSWORD);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    assert.equal(idClaims.nonce, nonce);
    assert.equal(idClaims.email, user.email);
    assert.equal(idClaims['cognito:username'], user.username);

    const jwks = new SimpleJwksCache({ fetcher: httpFetcher });
    const idPayload = await JwtRsaVerifier.create({ issuer, jwksUri: md.jwks_uri, audience: clientId }, { jwksCache: jwks })
      .verify(tokens.id_token);
    assert.equal(idPayload.token_use, 'id');
    const accessPayload = await JwtRsaVerifier.create({
      issuer,
      jwksUri: md.jwks_uri,
      audience: null,
      scope: ['openid', 'email'],
      customJwtCheck: ({ payload }) => {
        assert.equal(payload.token_use, 'access');
        assert.equal(payload.client_id, clientId);
      },
    }, { jwksCache: jwks }).verify(tokens.access_token);
    assert.equal(accessPayload.username, user.username);

    const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    assert.equal(info.email, user.email);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    assert.ok(refreshed.id_token && refreshed.access_token);
    assert.equal(refreshed.scope ?? 'openid email', 'openid email');

    await oidc.tokenRevocation(config, tokens.refresh_token);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (err) => {
      assert.equal(err.error, 'invalid_grant');
      return true;
    });
  });

  it('refuses a code exchanged with the wrong PKCE verifier', async () => {
    const authUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const callback = await signInThroughForm(authUrl, user.username, PASSWORD);
    await assert.rejects(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier() }),
      (err) => {
        assert.equal(err.error, 'invalid_grant');
        return true;
      },
    );
  });
});
