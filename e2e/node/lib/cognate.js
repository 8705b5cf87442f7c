// Helpers shared by the Node suite: where the servers are, an admin client,
// pools and users made through the API, the development outbox, and
// promise wrappers around amazon-cognito-identity-js's callbacks.
//
// scripts/nodetest.sh starts two Cognate servers and names them here:
//   COGNATE_ENDPOINT                 tokens issued by https://cognito-idp.us-east-1.amazonaws.com/<pool>
//   COGNATE_DEFAULT_ISSUER_ENDPOINT  tokens issued by <its own URL>/<pool> (the default)
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import identity from 'amazon-cognito-identity-js';

export const { AuthenticationDetails, CognitoUser, CognitoUserAttribute, CognitoUserPool } = identity;

export const REGION = 'us-east-1';

function endpointFromEnv(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run the Node suite with scripts/nodetest.sh, which starts the servers`);
  }
  return v.replace(/\/+$/, '');
}

/** The server whose issuers have the AWS form, for aws-jwt-verify's CognitoJwtVerifier. */
export const endpoint = endpointFromEnv('COGNATE_ENDPOINT');
/** The server with its default issuer, its own URL. */
export const defaultIssuerEndpoint = endpointFromEnv('COGNATE_DEFAULT_ISSUER_ENDPOINT');

/** The issuer prefix of the server at `endpoint`, as started by scripts/nodetest.sh. */
export const awsIssuerBase = `https://cognito-idp.${REGION}.amazonaws.com`;

/** A good password under the default password policy. */
export const PASSWORD = 'Initial-Passw0rd';

/** A name unique to this run, readable in the server's log. */
export function unique(prefix) {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** An AWS SDK client for the server at url, with dummy credentials and no retries. */
export function adminClient(url = endpoint) {
  return new CognitoIdentityProviderClient({
    region: REGION,
    endpoint: url,
    credentials: { accessKeyId: 'AKIDCOGNATETEST', secretAccessKey: 'not-a-secret' },
    maxAttempts: 1,
  });
}

/** The auth flows the suite's app clients allow. */
export const AUTH_FLOWS = [
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
];

/**
 * Creates a user pool that verifies email addresses and a public app client
 * (no secret, as amazon-cognito-identity-js needs) on the server at url.
 * Returns { url, admin, poolId, clientId, userPool } where userPool is an
 * amazon-cognito-identity-js CognitoUserPool aimed at the server.
 */
export async function newPool(url = endpoint, poolInput = {}) {
  const admin = adminClient(url);
  const { UserPool } = await admin.send(new CreateUserPoolCommand({
    PoolName: unique('node'),
    AutoVerifiedAttributes: ['email'],
    ...poolInput,
  }));
  const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: UserPool.Id,
    ClientName: 'web',
    ExplicitAuthFlows: AUTH_FLOWS,
  }));
  const userPool = new CognitoUserPool({ UserPoolId: UserPool.Id, ClientId: UserPoolClient.ClientId, endpoint: url });
  return { url, admin, poolId: UserPool.Id, clientId: UserPoolClient.ClientId, userPool };
}

/**
 * Creates a confirmed user with a verified email address and a permanent
 * password through the admin API, as an application's back office would.
 * Returns { username, email, password }.
 */
export async function confirmedUser(pool, password = PASSWORD) {
  const username = unique('user');
  const email = `${username}@example.com`;
  await pool.admin.send(new AdminCreateUserCommand({
    UserPoolId: pool.poolId,
    Username: username,
    MessageAction: 'SUPPRESS',
    UserAttributes: [
      { Name: 'email', Value: email },
      { Name: 'email_verified', Value: 'true' },
    ],
  }));
  await pool.admin.send(new AdminSetUserPasswordCommand({
    UserPoolId: pool.poolId, Username: username, Password: password, Permanent: true,
  }));
  return { username, email, password };
}

/** The messages cognate's development outbox holds for pool and destination, newest first. */
export async function outbox(url, poolId, to) {
  const u = new URL('/_cognate/outbox', url);
  u.searchParams.set('pool', poolId);
  u.searchParams.set('to', to);
  const resp = await fetch(u);
  assert.equal(resp.status, 200, `GET ${u}: status ${resp.status}`);
  const body = await resp.json();
  assert.ok(Array.isArray(body.messages), `GET ${u}: no messages array in ${JSON.stringify(body)}`);
  return body.messages;
}

/**
 * Waits (briefly) for a message of kind to destination that is not among
 * the IDs in seen, and returns it.
 */
export async function newMessage(url, poolId, to, kind, seen = new Set()) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = (await outbox(url, poolId, to)).find((m) => m.kind === kind && !seen.has(m.id));
    if (found) {
      return found;
    }
    if (Date.now() > deadline) {
      throw new Error(`no new ${kind} message to ${to} in the outbox of ${poolId}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The IDs of the messages the outbox holds for pool and destination now. */
export async function seenMessages(url, poolId, to) {
  return new Set((await outbox(url, poolId, to)).map((m) => m.id));
}

/** The six-digit code of a code message. */
export function codeOf(message) {
  const m = /\b(\d{6})\b/.exec(message.text);
  assert.ok(m, `no six-digit code in message ${message.id} (${message.kind})`);
  return m[1];
}

/** A CognitoUser of the pool, with its own in-memory storage when fresh is true. */
export function cognitoUser(pool, username, fresh = false) {
  const data = { Username: username, Pool: pool.userPool };
  if (fresh) {
    data.Storage = memoryStorage();
  }
  return new CognitoUser(data);
}

/** A Storage-like object private to its caller. */
export function memoryStorage() {
  const m = new Map();
  return {
    setItem: (k, v) => { m.set(k, String(v)); },
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    removeItem: (k) => { m.delete(k); },
    clear: () => { m.clear(); },
  };
}

/**
 * Signs user in with authenticateUser (USER_SRP_AUTH, the library's
 * default). Resolves with the CognitoUserSession; a NEW_PASSWORD_REQUIRED
 * challenge is answered with newPassword when given, else rejected.
 */
export function signIn(user, password, newPassword) {
  return new Promise((resolve, reject) => {
    const details = new AuthenticationDetails({ Username: user.getUsername(), Password: password });
    user.authenticateUser(details, {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired(userAttributes) {
        if (!newPassword) {
          reject(new Error(`unexpected NEW_PASSWORD_REQUIRED challenge (attributes ${JSON.stringify(userAttributes)})`));
          return;
        }
        user.completeNewPasswordChallenge(newPassword, {}, this);
      },
      mfaRequired: () => reject(new Error('unexpected SMS_MFA challenge')),
      totpRequired: () => reject(new Error('unexpected SOFTWARE_TOKEN_MFA challenge')),
      customChallenge: () => reject(new Error('unexpected CUSTOM_CHALLENGE')),
      selectMFAType: () => reject(new Error('unexpected SELECT_MFA_TYPE challenge')),
      mfaSetup: () => reject(new Error('unexpected MFA_SETUP challenge')),
    });
  });
}

/** Calls fn(...args, callback) and settles with the Node-style callback's result. */
export function callback(fn, ...args) {
  return new Promise((resolve, reject) => {
    fn(...args, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** Calls fn(...args, {onSuccess, onFailure}) and settles with its outcome. */
export function handlers(fn, ...args) {
  return new Promise((resolve, reject) => {
    fn(...args, { onSuccess: resolve, onFailure: reject });
  });
}

/** Asserts that promise rejects with an error whose code (or name) is code. */
export async function rejectsWith(promise, code, messagePart) {
  await assert.rejects(promise, (err) => {
    const got = err.code || err.name;
    assert.equal(got, code, `got ${got}: ${err.message}`);
    if (messagePart) {
      assert.ok(String(err.message).includes(messagePart), `message ${JSON.stringify(err.message)} does not contain ${JSON.stringify(messagePart)}`);
    }
    return true;
  });
}

/** The JSON payload of a JWT, unverified. */
export function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

/** Fetches JSON from url, asserting a 200 answer. */
export async function getJSON(url) {
  const resp = await fetch(url);
  assert.equal(resp.status, 200, `GET ${url}: status ${resp.status}`);
  return resp.json();
}
