// The AWS SDK for JavaScript v3 (@aws-sdk/client-cognito-identity-provider)
// on the admin side, with dummy credentials and only the endpoint changed.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { before, describe, it } from 'node:test';

import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  InvalidPasswordException,
  ListUsersCommand,
  NotAuthorizedException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';

import { adminClient, claims, endpoint, newMessage, rejectsWith, seenMessages, unique } from './lib/cognate.js';

/** Cognito's SECRET_HASH: Base64(HMAC-SHA256(client secret, username + client ID)). */
function secretHash(username, clientId, secret) {
  return createHmac('sha256', secret).update(username + clientId).digest('base64');
}

describe('@aws-sdk/client-cognito-identity-provider admin operations', { timeout: 60_000 }, () => {
  const admin = adminClient();
  let poolId, clientId, clientSecret;

  before(async () => {
    const { UserPool } = await admin.send(new CreateUserPoolCommand({
      PoolName: unique('admin'),
      Policies: { PasswordPolicy: { MinimumLength: 10, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: false } },
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
    }));
    poolId = UserPool.Id;
    const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'backend',
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }));
    clientId = UserPoolClient.ClientId;
    clientSecret = UserPoolClient.ClientSecret;
  });

  it('CreateUserPool and CreateUserPoolClient are described back', async () => {
    assert.match(poolId, /^us-east-1_[0-9A-Za-z]+$/);
    const { UserPool } = await admin.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    assert.equal(UserPool.Id, poolId);
    assert.equal(UserPool.Policies.PasswordPolicy.MinimumLength, 10);
    assert.equal(UserPool.Policies.PasswordPolicy.RequireSymbols, false);
    assert.deepEqual(UserPool.UsernameAttributes, ['email']);
    assert.ok(UserPool.CreationDate instanceof Date, 'CreationDate should parse as a Date');
    assert.ok(clientSecret, 'GenerateSecret gave no ClientSecret');
    const { UserPoolClient } = await admin.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
    assert.equal(UserPoolClient.ClientSecret, clientSecret);
    assert.deepEqual([...UserPoolClient.ExplicitAuthFlows].sort(), ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
  });

  it('AdminCreateUser sends an invitation and AdminInitiateAuth asks for a new password', async () => {
    const email = `${unique('invite')}@example.com`;
    const seen = await seenMessages(endpoint, poolId, email);
    const { User } = await admin.send(new AdminCreateUserCommand({
      UserPoolId: poolId, Username: email, DesiredDeliveryMediums: ['EMAIL'],
    }));
    assert.equal(User.UserStatus, 'FORCE_CHANGE_PASSWORD');
    assert.match(User.Username, /^[0-9a-f-]{36}$/, 'with email as username the username is the sub');
    await rejectsWith(admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: email })), 'UsernameExistsException');

    const invitation = await newMessage(endpoint, poolId, email, 'invitation', seen);
    const temporary = /temporary password is (\S+)\.$/s.exec(invitation.text)?.[1];
    assert.ok(temporary, 'no temporary password in the invitation');

    const out = await admin.send(new AdminInitiateAuthCommand({
      UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: temporary, SECRET_HASH: secretHash(email, clientId, clientSecret) },
    }));
    assert.equal(out.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    assert.ok(out.Session, 'no Session with the challenge');
    assert.equal(out.AuthenticationResult, undefined);
  });

  it('AdminSetUserPassword, AdminGetUser and AdminInitiateAuth with SECRET_HASH', async () => {
    const email = `${unique('admin')}@example.com`;
    await admin.send(new AdminCreateUserCommand({
      UserPoolId: poolId, Username: email, MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email_verified', Value: 'true' }, { Name: 'name', Value: 'Grace Hopper' }],
    }));
    await assert.rejects(
      admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: email, Password: 'Short1', Permanent: true })),
      InvalidPasswordException,
    );
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: email, Password: 'Permanent1Pass', Permanent: true }));

    const user = await admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: email }));
    assert.equal(user.UserStatus, 'CONFIRMED');
    assert.equal(user.Enabled, true);
    const attrs = Object.fromEntries(user.UserAttributes.map((a) => [a.Name, a.Value]));
    assert.equal(attrs.email, email);
    assert.equal(attrs.name, 'Grace Hopper');

    const { AuthenticationResult: r } = await admin.send(new AdminInitiateAuthCommand({
      UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: 'Permanent1Pass', SECRET_HASH: secretHash(email, clientId, clientSecret) },
    }));
    assert.equal(r.TokenType, 'Bearer');
    assert.equal(r.ExpiresIn, 3600);
    assert.ok(r.RefreshToken);
    const id = claims(r.IdToken);
    assert.equal(id.sub, attrs.sub);
    assert.equal(id.email, email);
    assert.equal(id.aud, clientId);
    assert.equal(claims(r.AccessToken).client_id, clientId);

    // The same sign-in by the user's sub, which is also their username here.
    const bySub = await admin.send(new AdminInitiateAuthCommand({
      UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: user.Username, PASSWORD: 'Permanent1Pass', SECRET_HASH: secretHash(user.Username, clientId, clientSecret) },
    }));
    assert.ok(bySub.AuthenticationResult?.AccessToken);

    // The refresh token, with the SECRET_HASH of the user's username (the sub).
    const refreshed = await admin.send(new AdminInitiateAuthCommand({
      UserPoolId: poolId, ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: r.RefreshToken, SECRET_HASH: secretHash(user.Username, clientId, clientSecret) },
    }));
    assert.ok(refreshed.AuthenticationResult?.AccessToken);
    assert.equal(claims(refreshed.AuthenticationResult.IdToken).sub, attrs.sub);
  });

  it('errors arrive as the SDK exception classes', async () => {
    const email = `${unique('errors')}@example.com`;
    await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: email, MessageAction: 'SUPPRESS' }));
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: email, Password: 'Permanent1Pass', Permanent: true }));

    const wrong = admin.send(new AdminInitiateAuthCommand({
      UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: 'Wrong1Password', SECRET_HASH: secretHash(email, clientId, clientSecret) },
    }));
    await assert.rejects(wrong, (err) => {
      assert.ok(err instanceof NotAuthorizedException, `got ${err.name}: ${err.message}`);
      assert.equal(err.message, 'Incorrect username or password.');
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.ok(err.$metadata.requestId, 'no request ID');
      return true;
    });

    const noHash = admin.send(new AdminInitiateAuthCommand({
      UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: 'Permanent1Pass' },
    }));
    await assert.rejects(noHash, (err) => {
      assert.ok(err instanceof NotAuthorizedException, `got ${err.name}: ${err.message}`);
      assert.equal(err.message, `Client ${clientId} is configured with secret but SECRET_HASH was not received`);
      return true;
    });
    const badHash = admin.send(new AdminInitiateAuthCommand({
      UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: 'Permanent1Pass', SECRET_HASH: secretHash(email, clientId, 'not-the-secret') },
    }));
    await assert.rejects(badHash, (err) => {
      assert.ok(err instanceof NotAuthorizedException, `got ${err.name}: ${err.message}`);
      assert.equal(err.message, `Unable to verify secret hash for client ${clientId}`);
      return true;
    });

    await assert.rejects(
      admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'nobody@example.com' })),
      UserNotFoundException,
    );
    await assert.rejects(
      admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: email, MessageAction: 'SUPPRESS' })),
      UsernameExistsException,
    );
    // A request the model refuses never reaches the operation.
    await rejectsWith(admin.send(new AdminGetUserCommand({ UserPoolId: 'not a pool id', Username: email })), 'InvalidParameterException');
  });

  it('ListUsers with a filter', async () => {
    const email = `${unique('listed')}@example.com`;
    await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: email, MessageAction: 'SUPPRESS' }));
    const { Users } = await admin.send(new ListUsersCommand({ UserPoolId: poolId, Filter: `email = "${email}"` }));
    assert.equal(Users.length, 1);
    assert.equal(Users[0].Attributes.find((a) => a.Name === 'email')?.Value, email);
    assert.ok(Users[0].UserCreateDate instanceof Date);
  });
});

