// aws-jwt-verify checks the tokens Cognate issues: CognitoJwtVerifier
// against the server whose issuers have the AWS form, and the generic
// JwtRsaVerifier against a server with its default issuer.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { CognitoJwtVerifier, JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';

import {
  PASSWORD,
  awsIssuerBase,
  cognitoUser,
  confirmedUser,
  defaultIssuerEndpoint,
  getJSON,
  newPool,
  signIn,
} from './lib/cognate.js';

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

/** The same token with one character of its signature changed. */
function tamper(jwt) {
  const [h, p, s] = jwt.split('.');
  const c = s[10] === 'A' ? 'B' : 'A';
  return [h, p, s.slice(0, 10) + c + s.slice(11)].join('.');
}

describe('aws-jwt-verify CognitoJwtVerifier (AWS-form issuer)', { timeout: 60_000 }, () => {
  let pool, session, jwks, username;
  before(async () => {
    pool = await newPool();
    ({ username } = await confirmedUser(pool));
    session = await signIn(cognitoUser(pool, username, true), PASSWORD);
    // The verifier would fetch https://cognito-idp.us-east-1.amazonaws.com/<pool>/.well-known/jwks.json;
    // hand it the same document from Cognate instead.
    jwks = await getJSON(`${pool.url}/${pool.poolId}/.well-known/jwks.json`);
  });

  function verifier(props) {
    const v = CognitoJwtVerifier.create({ userPoolId: pool.poolId, clientId: pool.clientId, ...props });
    v.cacheJwks(jwks);
    return v;
  }

  it('verifies the ID token', async () => {
    const payload = await verifier({ tokenUse: 'id' }).verify(session.getIdToken().getJwtToken());
    assert.equal(payload.iss, `${awsIssuerBase}/${pool.poolId}`);
    assert.equal(payload.token_use, 'id');
    assert.equal(payload.aud, pool.clientId);
    assert.equal(payload['cognito:username'], username);
    assert.equal(payload.email_verified, true);
    assert.ok(payload.exp > Date.now() / 1000);
  });

  it('verifies the access token', async () => {
    const payload = await verifier({ tokenUse: 'access', scope: 'aws.cognito.signin.user.admin' })
      .verify(session.getAccessToken().getJwtToken());
    assert.equal(payload.iss, `${awsIssuerBase}/${pool.poolId}`);
    assert.equal(payload.token_use, 'access');
    assert.equal(payload.client_id, pool.clientId);
    assert.equal(payload.username, username);
  });

  it('verifies either token with tokenUse null', async () => {
    const v = verifier({ tokenUse: null });
    await v.verify(session.getIdToken().getJwtToken());
    await v.verify(session.getAccessToken().getJwtToken());
  });

  it('signs ID and access tokens with different published keys', () => {
    const kid = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url')).kid;
    const idKid = kid(session.getIdToken().getJwtToken());
    const accessKid = kid(session.getAccessToken().getJwtToken());
    assert.notEqual(idKid, accessKid);
    const kids = jwks.keys.map((k) => k.kid);
    assert.ok(kids.includes(idKid) && kids.includes(accessKid), `kids ${kids} lack ${idKid} or ${accessKid}`);
    for (const k of jwks.keys) {
      assert.equal(k.kty, 'RSA');
      assert.equal(k.alg, 'RS256');
      assert.equal(k.use, 'sig');
    }
  });

  it('rejects the wrong token use, another client and a forged signature', async () => {
    await assert.rejects(verifier({ tokenUse: 'id' }).verify(session.getAccessToken().getJwtToken()), /token use/i);
    await assert.rejects(verifier({ tokenUse: 'access' }).verify(session.getIdToken().getJwtToken()), /token use/i);
    await assert.rejects(
      verifier({ tokenUse: 'id', clientId: 'someotherclient' }).verify(session.getIdToken().getJwtToken()),
      /audience/i,
    );
    await assert.rejects(verifier({ tokenUse: 'id' }).verify(tamper(session.getIdToken().getJwtToken())), /signature/i);
    await assert.rejects(
      verifier({ tokenUse: 'access', scope: 'phone' }).verify(session.getAccessToken().getJwtToken()),
      /scope/i,
    );
  });
});

describe('aws-jwt-verify JwtRsaVerifier (default issuer)', { timeout: 60_000 }, () => {
  let pool, session, discovery;
  before(async () => {
    pool = await newPool(defaultIssuerEndpoint);
    const { username } = await confirmedUser(pool);
    session = await signIn(cognitoUser(pool, username, true), PASSWORD);
    discovery = await getJSON(`${pool.url}/${pool.poolId}/.well-known/openid-configuration`);
  });

  function verifier(props) {
    return JwtRsaVerifier.create(
      { issuer: discovery.issuer, jwksUri: discovery.jwks_uri, ...props },
      { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
    );
  }

  it('the issuer is the server URL and pool, and the ID token verifies against the published JWKS', async () => {
    assert.equal(discovery.issuer, `${defaultIssuerEndpoint}/${pool.poolId}`);
    const payload = await verifier({ audience: pool.clientId }).verify(session.getIdToken().getJwtToken());
    assert.equal(payload.iss, discovery.issuer);
    assert.equal(payload.token_use, 'id');
  });

  it('verifies the access token, which has client_id and no aud', async () => {
    const v = verifier({
      audience: null,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== 'access' || payload.client_id !== pool.clientId) {
          throw new Error(`not an access token of client ${pool.clientId}`);
        }
      },
    });
    const payload = await v.verify(session.getAccessToken().getJwtToken());
    assert.equal(payload.aud, undefined);
    await assert.rejects(v.verify(session.getIdToken().getJwtToken()), /not an access token/);
  });

  it('rejects a token from another issuer', async () => {
    await assert.rejects(
      verifier({ issuer: `${defaultIssuerEndpoint}/us-east-1_Other`, audience: pool.clientId })
        .verify(session.getIdToken().getJwtToken()),
      /issuer/i,
    );
  });
});
