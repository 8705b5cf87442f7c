// Lambda triggers written as real aws-lambda-style handlers, `async (event)
// => event`, behind an Invoke API runner in this process (lib/lambda.js),
// with a Cognate started with --lambda-endpoint pointing at it and
// --kms-endpoint at the KMS stand-in. Driven from amazon-cognito-identity-js
// as an app would: pre sign-up auto-confirmation, custom messages, pre
// token generation (version 2), user migration, CUSTOM_AUTH, and a custom
// email sender whose code is decrypted with @aws-crypto/client-node.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { CommitmentPolicy, KmsKeyringNode, buildClient } from '@aws-crypto/client-node';
import { KMS } from '@aws-sdk/client-kms';
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
  PASSWORD,
  callback,
  claims,
  cognitoUser,
  newMessage,
  newPool,
  seenMessages,
  signIn,
  unique,
} from './lib/cognate.js';
import { functionArn, startLambda } from './lib/lambda.js';
import { envOrThrow, startCognate } from './lib/server.js';

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/6f1c3d2e-9a8b-4c7d-8e6f-5a4b3c2d1e0f';

/** Signs up through amazon-cognito-identity-js; resolves with the ISignUpResult. */
function signUp(pool, username, email, clientMetadata) {
  return callback(
    (cb) => pool.userPool.signUp(username, PASSWORD, [new CognitoUserAttribute({ Name: 'email', Value: email })], null, cb, clientMetadata),
  );
}

/** Runs a CUSTOM_AUTH sign-in, answering each CUSTOM_CHALLENGE with answer(parameters). */
function customAuth(user, answer) {
  return new Promise((resolve, reject) => {
    user.setAuthenticationFlowType('CUSTOM_AUTH');
    const callbacks = {
      onSuccess: resolve,
      onFailure: reject,
      customChallenge(parameters) {
        user.sendCustomChallengeAnswer(answer(parameters), callbacks);
      },
    };
    user.initiateAuth(new AuthenticationDetails({ Username: user.getUsername() }), callbacks);
  });
}

/** Waits until cond() is truthy, polling; fails after five seconds. */
async function until(what, cond) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Lambda triggers with Node handlers', { timeout: 120_000 }, () => {
  let lambda;
  let server;
  before(async () => {
    lambda = await startLambda();
    server = await startCognate(['--lambda-endpoint', lambda.url, '--kms-endpoint', envOrThrow('COGNATE_KMS_ENDPOINT')]);
  });
  after(async () => {
    await server?.stop();
    await lambda?.close();
  });

  it('pre sign-up auto-confirms, custom message rewrites the code message', async () => {
    lambda.handle('auto-confirm', async (event) => {
      if (event.request.userAttributes.email.endsWith('@trusted.example')) {
        event.response.autoConfirmUser = true;
        event.response.autoVerifyEmail = true;
      }
      return event;
    });
    lambda.handle('custom-message', async (event) => {
      if (event.triggerSource === 'CustomMessage_SignUp') {
        event.response.emailSubject = `Welcome, ${event.userName}`;
        event.response.emailMessage = `Your code for ${event.request.clientMetadata?.app ?? 'the app'} is ${event.request.codeParameter}.`;
      }
      return event;
    });
    const pool = await newPool(server.url, {
      LambdaConfig: { PreSignUp: functionArn('auto-confirm'), CustomMessage: functionArn('custom-message') },
    });

    const trusted = unique('trusted');
    const auto = await signUp(pool, trusted, `${trusted}@trusted.example`);
    assert.equal(auto.userConfirmed, true);
    const { UserAttributes } = await pool.admin.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: trusted }));
    assert.equal(UserAttributes.find((a) => a.Name === 'email_verified')?.Value, 'true');
    await signIn(cognitoUser(pool, trusted, true), PASSWORD);

    const other = unique('other');
    const email = `${other}@example.com`;
    const seen = await seenMessages(pool.url, pool.poolId, email);
    const pending = await signUp(pool, other, email, { app: 'the shop' });
    assert.equal(pending.userConfirmed, false);
    const msg = await newMessage(pool.url, pool.poolId, email, 'code', seen);
    assert.equal(msg.subject, `Welcome, ${other}`);
    const m = /^Your code for the shop is (\d{6})\.$/.exec(msg.text);
    assert.ok(m, `message text ${JSON.stringify(msg.text)}`);
    await callback((cb) => cognitoUser(pool, other).confirmRegistration(m[1], false, cb));
  });

  it('pre token generation version 2 adds claims and scopes to the tokens', async () => {
    lambda.handle('pre-token-v2', async (event) => {
      assert.equal(event.version, '2');
      event.response = {
        claimsAndScopeOverrideDetails: {
          idTokenGeneration: { claimsToAddOrOverride: { tenant: 'acme', trigger: event.triggerSource } },
          accessTokenGeneration: { claimsToAddOrOverride: { tenant: 'acme' }, scopesToAdd: ['orders/read'] },
        },
      };
      return event;
    });
    const pool = await newPool(server.url, {
      UserPoolTier: 'ESSENTIALS',
      LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: functionArn('pre-token-v2'), LambdaVersion: 'V2_0' } },
    });
    const username = unique('claims');
    await signUp(pool, username, `${username}@example.com`);
    await pool.admin.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.poolId, Username: username }));
    const session = await signIn(cognitoUser(pool, username, true), PASSWORD);
    const id = session.getIdToken().decodePayload();
    assert.equal(id.tenant, 'acme');
    assert.equal(id.trigger, 'TokenGeneration_Authentication');
    const access = claims(session.getAccessToken().getJwtToken());
    assert.equal(access.tenant, 'acme');
    assert.ok(access.scope.split(' ').includes('orders/read'), `scope ${access.scope}`);
  });

  it('user migration brings a legacy user in on USER_PASSWORD_AUTH, then SRP works', async () => {
    const legacy = new Map([['legacy-ann', { password: 'Legacy-Passw0rd!', email: 'legacy-ann@example.com' }]]);
    lambda.handle('migrate', async (event) => {
      const user = legacy.get(event.userName);
      if (event.triggerSource !== 'UserMigration_Authentication' || !user || user.password !== event.request.password) {
        throw new Error('Bad password');
      }
      event.response.userAttributes = { email: user.email, email_verified: 'true' };
      event.response.finalUserStatus = 'CONFIRMED';
      event.response.messageAction = 'SUPPRESS';
      return event;
    });
    const pool = await newPool(server.url, { LambdaConfig: { UserMigration: functionArn('migrate') } });
    const user = cognitoUser(pool, 'legacy-ann', true);
    user.setAuthenticationFlowType('USER_PASSWORD_AUTH');
    const session = await signIn(user, 'Legacy-Passw0rd!');
    assert.equal(session.getIdToken().decodePayload().email, 'legacy-ann@example.com');
    const calls = lambda.events('migrate').length;
    // Stored with an SRP verifier like any user: the library's default flow
    // now works, and the function is not asked again.
    await signIn(cognitoUser(pool, 'legacy-ann', true), 'Legacy-Passw0rd!');
    assert.equal(lambda.events('migrate').length, calls);
  });

  it('CUSTOM_AUTH: define, create and verify auth challenge through initiateAuth and sendCustomChallengeAnswer', async () => {
    lambda.handle('define', async (event) => {
      const { session } = event.request;
      const last = session.at(-1);
      if (last?.challengeResult) {
        event.response.issueTokens = true;
        event.response.failAuthentication = false;
      } else if (session.length >= 3) {
        event.response.issueTokens = false;
        event.response.failAuthentication = true;
      } else {
        event.response.issueTokens = false;
        event.response.failAuthentication = false;
        event.response.challengeName = 'CUSTOM_CHALLENGE';
      }
      return event;
    });
    lambda.handle('create', async (event) => {
      const round = event.request.session.length + 1;
      event.response.publicChallengeParameters = { question: `What is ${round} times 7?` };
      event.response.privateChallengeParameters = { answer: String(round * 7) };
      event.response.challengeMetadata = `ROUND-${round}`;
      return event;
    });
    lambda.handle('verify', async (event) => {
      event.response.answerCorrect = event.request.challengeAnswer === event.request.privateChallengeParameters.answer;
      return event;
    });
    const pool = await newPool(server.url, {
      LambdaConfig: { DefineAuthChallenge: functionArn('define'), CreateAuthChallenge: functionArn('create'), VerifyAuthChallengeResponse: functionArn('verify') },
    });
    const { UserPoolClient } = await pool.admin.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.poolId, ClientName: 'custom', ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }));
    const userPool = new CognitoUserPool({ UserPoolId: pool.poolId, ClientId: UserPoolClient.ClientId, endpoint: server.url });
    const username = unique('custom');
    await pool.admin.send(new AdminCreateUserCommand({ UserPoolId: pool.poolId, Username: username, MessageAction: 'SUPPRESS' }));

    // A wrong answer first, then the right one to the second question.
    const questions = [];
    const session = await customAuth(new CognitoUser({ Username: username, Pool: userPool }), (p) => {
      questions.push(p.question);
      return questions.length === 1 ? 'no idea' : String(Number(/What is (\d+)/.exec(p.question)[1]) * 7);
    });
    assert.deepEqual(questions, ['What is 1 times 7?', 'What is 2 times 7?']);
    assert.equal(session.getIdToken().decodePayload()['cognito:username'], username);
    const defines = lambda.events('define');
    assert.deepEqual(defines.at(-1).request.session.map((s) => [s.challengeName, s.challengeResult, s.challengeMetadata]),
      [['CUSTOM_CHALLENGE', false, 'ROUND-1'], ['CUSTOM_CHALLENGE', true, 'ROUND-2']]);

    // Three wrong answers fail the sign-in.
    await assert.rejects(customAuth(new CognitoUser({ Username: username, Pool: userPool }), () => 'wrong'),
      (err) => err.code === 'NotAuthorizedException');
  });

  it('custom email sender: the code arrives encrypted and decrypts with @aws-crypto/client-node', async () => {
    const kms = new KMS({
      region: 'us-east-1', endpoint: envOrThrow('COGNATE_KMS_ENDPOINT'),
      credentials: { accessKeyId: 'AKIDCOGNATETEST', secretAccessKey: 'not-a-secret' },
    });
    const keyring = new KmsKeyringNode({ clientProvider: () => kms, keyIds: [KEY_ARN] });
    // Cognito's documented policy; Cognate's messages also pass the
    // stricter default, REQUIRE_ENCRYPT_REQUIRE_DECRYPT.
    const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const codes = new Map();
    lambda.handle('email-sender', async (event) => {
      const { plaintext } = await decrypt(keyring, Buffer.from(event.request.code, 'base64'));
      codes.set(event.userName, { code: plaintext.toString('utf8'), event });
      return event;
    });
    const pool = await newPool(server.url, {
      LambdaConfig: {
        CustomEmailSender: { LambdaArn: functionArn('email-sender'), LambdaVersion: 'V1_0' },
        KMSKeyID: KEY_ARN,
      },
    });
    const username = unique('sender');
    const email = `${username}@example.com`;
    const result = await signUp(pool, username, email, { app: 'web' });
    assert.equal(result.userConfirmed, false);
    const { code, event } = await until('the sender to run', () => codes.get(username));
    assert.match(code, /^\d{6}$/);
    assert.equal(event.triggerSource, 'CustomEmailSender_SignUp');
    assert.equal(event.request.type, 'customEmailSenderRequestV1');
    assert.equal(event.request.userAttributes.email, email);
    assert.deepEqual(event.request.clientMetadata, { app: 'web' });
    await callback((cb) => cognitoUser(pool, username).confirmRegistration(code, false, cb));
    await signIn(cognitoUser(pool, username, true), PASSWORD);
  });
});
