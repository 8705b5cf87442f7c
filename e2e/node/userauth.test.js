// Choice-based sign-in (USER_AUTH) with the AWS SDK for JavaScript v3
// (@aws-sdk/client-cognito-identity-provider), unchanged but for the
// endpoint: SELECT_CHALLENGE with AvailableChallenges, and an EMAIL_OTP
// first factor whose code is read from the development outbox.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import { adminClient, codeOf, confirmedUser, endpoint, newMessage, newPool, rejectsWith, seenMessages } from './lib/cognate.js';

describe('USER_AUTH with @aws-sdk/client-cognito-identity-provider', { timeout: 60_000 }, () => {
  const client = adminClient();
  let pool, clientId, user;

  before(async () => {
    pool = await newPool(endpoint, {
      UserPoolTier: 'ESSENTIALS',
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
      EmailConfiguration: { EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com', From: 'no-reply@example.com' },
    });
    const { UserPoolClient } = await pool.admin.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.poolId, ClientName: 'passwordless', ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }));
    clientId = UserPoolClient.ClientId;
    user = await confirmedUser(pool);
  });

  it('offers the factors the user has and signs in with an emailed code', async () => {
    const start = await client.send(new InitiateAuthCommand({
      ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: user.username },
    }));
    assert.equal(start.ChallengeName, 'SELECT_CHALLENGE');
    assert.deepEqual(start.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);

    const seen = await seenMessages(pool.url, pool.poolId, user.email);
    const otp = await client.send(new RespondToAuthChallengeCommand({
      ClientId: clientId, ChallengeName: 'SELECT_CHALLENGE', Session: start.Session,
      ChallengeResponses: { USERNAME: user.username, ANSWER: 'EMAIL_OTP' },
    }));
    assert.equal(otp.ChallengeName, 'EMAIL_OTP');
    assert.equal(otp.ChallengeParameters.CODE_DELIVERY_DELIVERY_MEDIUM, 'EMAIL');
    const code = codeOf(await newMessage(pool.url, pool.poolId, user.email, 'code', seen));

    const wrong = code === '000000' ? '111111' : '000000';
    await rejectsWith(client.send(new RespondToAuthChallengeCommand({
      ClientId: clientId, ChallengeName: 'EMAIL_OTP', Session: otp.Session,
      ChallengeResponses: { USERNAME: user.username, EMAIL_OTP_CODE: wrong },
    })), 'CodeMismatchException');
    const done = await client.send(new RespondToAuthChallengeCommand({
      ClientId: clientId, ChallengeName: 'EMAIL_OTP', Session: otp.Session,
      ChallengeResponses: { USERNAME: user.username, EMAIL_OTP_CODE: code },
    }));
    assert.ok(done.AuthenticationResult?.AccessToken, 'no tokens after EMAIL_OTP');
    assert.ok(done.AuthenticationResult.RefreshToken);
  });

  it('asks for the preferred challenge at once', async () => {
    const out = await client.send(new InitiateAuthCommand({
      ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: user.username, PREFERRED_CHALLENGE: 'EMAIL_OTP' },
    }));
    assert.equal(out.ChallengeName, 'EMAIL_OTP');
    const pw = await client.send(new InitiateAuthCommand({
      ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: user.username, PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: user.password },
    }));
    assert.ok(pw.AuthenticationResult?.IdToken, 'no tokens for PREFERRED_CHALLENGE PASSWORD');
  });
});
