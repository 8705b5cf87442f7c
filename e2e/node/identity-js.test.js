// amazon-cognito-identity-js, unchanged but for the endpoint, against
// Cognate: sign-up, SRP sign-in, password reset and change, attributes,
// refresh and global sign-out.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import {
  AUTH_FLOWS,
  CognitoUserAttribute,
  CognitoUserPool,
  PASSWORD,
  callback,
  claims,
  codeOf,
  cognitoUser,
  confirmedUser,
  handlers,
  newMessage,
  newPool,
  rejectsWith,
  seenMessages,
  signIn,
  unique,
} from './lib/cognate.js';

describe('amazon-cognito-identity-js', { timeout: 60_000 }, () => {
  let pool;
  before(async () => {
    pool = await newPool(undefined, {
      // The invitation ends with the temporary password, so that the test
      // can read it back whatever characters it holds.
      AdminCreateUserConfig: {
        InviteMessageTemplate: {
          EmailSubject: 'Welcome',
          EmailMessage: 'Hello {username}, your temporary password is {####}',
          SMSMessage: 'Hello {username}, your temporary password is {####}',
        },
      },
    });
  });

  it('signUp, then confirmRegistration with the code from the outbox', async () => {
    const username = unique('signup');
    const email = `${username}@example.com`;
    const seen = await seenMessages(pool.url, pool.poolId, email);
    const result = await callback(
      pool.userPool.signUp.bind(pool.userPool),
      username, PASSWORD, [new CognitoUserAttribute({ Name: 'email', Value: email })], null,
    );
    assert.equal(result.userConfirmed, false);
    assert.match(result.userSub, /^[0-9a-f-]{36}$/);
    assert.equal(result.user.getUsername(), username);
    assert.equal(result.codeDeliveryDetails.DeliveryMedium, 'EMAIL');
    assert.equal(result.codeDeliveryDetails.AttributeName, 'email');

    // Signing in before confirming is refused.
    await rejectsWith(signIn(cognitoUser(pool, username, true), PASSWORD), 'UserNotConfirmedException');

    const code = codeOf(await newMessage(pool.url, pool.poolId, email, 'code', seen));
    const wrong = code === '000000' ? '111111' : '000000';
    await rejectsWith(callback(result.user.confirmRegistration.bind(result.user), wrong, false), 'CodeMismatchException');
    assert.equal(await callback(result.user.confirmRegistration.bind(result.user), code, false), 'SUCCESS');

    const user = await pool.admin.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: username }));
    assert.equal(user.UserStatus, 'CONFIRMED');
    const attrs = Object.fromEntries(user.UserAttributes.map((a) => [a.Name, a.Value]));
    assert.equal(attrs.email_verified, 'true');
    assert.equal(attrs.sub, result.userSub);

    const session = await signIn(cognitoUser(pool, username, true), PASSWORD);
    assert.equal(session.getIdToken().payload.sub, result.userSub);
  });

  it('signUp of a taken username is UsernameExistsException', async () => {
    const { username } = await confirmedUser(pool);
    await rejectsWith(
      callback(pool.userPool.signUp.bind(pool.userPool), username, PASSWORD, [], null),
      'UsernameExistsException',
    );
  });

  it('authenticateUser signs in with SRP and returns valid tokens', async () => {
    const { username, email } = await confirmedUser(pool);
    const user = cognitoUser(pool, username, true);
    const session = await signIn(user, PASSWORD);
    assert.ok(session.isValid());
    const id = session.getIdToken().payload;
    assert.equal(id.token_use, 'id');
    assert.equal(id.aud, pool.clientId);
    assert.equal(id['cognito:username'], username);
    assert.equal(id.email, email);
    assert.equal(id.iss, `https://cognito-idp.us-east-1.amazonaws.com/${pool.poolId}`);
    const access = session.getAccessToken().payload;
    assert.equal(access.token_use, 'access');
    assert.equal(access.client_id, pool.clientId);
    assert.equal(access.username, username);
    assert.equal(access.sub, id.sub);
    assert.ok(session.getRefreshToken().getToken(), 'no refresh token');
    // The library keeps the session, as an application relies on.
    const again = await callback(user.getSession.bind(user));
    assert.equal(again.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());
  });

  it('authenticateUser with a wrong password is NotAuthorizedException', async () => {
    const { username } = await confirmedUser(pool);
    await rejectsWith(signIn(cognitoUser(pool, username, true), 'Wrong-Passw0rd'), 'NotAuthorizedException', 'Incorrect username or password.');
  });

  it('authenticateUser of an unknown user fails as the client says', async () => {
    // Clients made through the API default to PreventUserExistenceErrors LEGACY.
    await rejectsWith(signIn(cognitoUser(pool, unique('nobody'), true), PASSWORD), 'UserNotFoundException');
    const { UserPoolClient } = await pool.admin.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.poolId, ClientName: 'discreet', ExplicitAuthFlows: AUTH_FLOWS, PreventUserExistenceErrors: 'ENABLED',
    }));
    const discreet = { userPool: new CognitoUserPool({ UserPoolId: pool.poolId, ClientId: UserPoolClient.ClientId, endpoint: pool.url }) };
    await rejectsWith(signIn(cognitoUser(discreet, unique('nobody'), true), PASSWORD), 'NotAuthorizedException', 'Incorrect username or password.');
  });

  it('an invited user signs in with the temporary password and sets a new one', async () => {
    const username = unique('invited');
    const email = `${username}@example.com`;
    const seen = await seenMessages(pool.url, pool.poolId, email);
    await pool.admin.send(new AdminCreateUserCommand({
      UserPoolId: pool.poolId,
      Username: username,
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }],
    }));
    const invitation = await newMessage(pool.url, pool.poolId, email, 'invitation', seen);
    const temporary = /temporary password is (.+)$/s.exec(invitation.text)?.[1];
    assert.ok(temporary, 'no temporary password in the invitation');

    const session = await signIn(cognitoUser(pool, username, true), temporary, 'Chosen-Passw0rd');
    assert.ok(session.isValid());
    const user = await pool.admin.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: username }));
    assert.equal(user.UserStatus, 'CONFIRMED');
    await signIn(cognitoUser(pool, username, true), 'Chosen-Passw0rd');
    await rejectsWith(signIn(cognitoUser(pool, username, true), temporary), 'NotAuthorizedException');
  });

  it('forgotPassword, then confirmPassword with the code from the outbox', async () => {
    const { username, email } = await confirmedUser(pool);
    const user = cognitoUser(pool, username, true);
    const seen = await seenMessages(pool.url, pool.poolId, email);
    const delivery = await new Promise((resolve, reject) => {
      user.forgotPassword({ onSuccess: resolve, onFailure: reject, inputVerificationCode: resolve });
    });
    assert.equal(delivery.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
    assert.equal(delivery.CodeDeliveryDetails.AttributeName, 'email');
    assert.notEqual(delivery.CodeDeliveryDetails.Destination, email, 'the destination should be masked');

    const code = codeOf(await newMessage(pool.url, pool.poolId, email, 'code', seen));
    const wrong = code === '000000' ? '111111' : '000000';
    await rejectsWith(handlers(user.confirmPassword.bind(user), wrong, 'Reset-Passw0rd'), 'CodeMismatchException');
    assert.equal(await handlers(user.confirmPassword.bind(user), code, 'Reset-Passw0rd'), 'SUCCESS');

    await signIn(cognitoUser(pool, username, true), 'Reset-Passw0rd');
    await rejectsWith(signIn(cognitoUser(pool, username, true), PASSWORD), 'NotAuthorizedException');
  });

  it('changePassword', async () => {
    const { username } = await confirmedUser(pool);
    const user = cognitoUser(pool, username, true);
    await signIn(user, PASSWORD);
    await rejectsWith(callback(user.changePassword.bind(user), 'Wrong-Passw0rd', 'Changed-Passw0rd'), 'NotAuthorizedException');
    await rejectsWith(callback(user.changePassword.bind(user), PASSWORD, 'short'), 'InvalidPasswordException');
    assert.equal(await callback(user.changePassword.bind(user), PASSWORD, 'Changed-Passw0rd'), 'SUCCESS');
    await signIn(cognitoUser(pool, username, true), 'Changed-Passw0rd');
    await rejectsWith(signIn(cognitoUser(pool, username, true), PASSWORD), 'NotAuthorizedException');
  });

  it('getUserAttributes and updateAttributes', async () => {
    const { username, email } = await confirmedUser(pool);
    const user = cognitoUser(pool, username, true);
    const session = await signIn(user, PASSWORD);

    const before = Object.fromEntries((await callback(user.getUserAttributes.bind(user))).map((a) => [a.getName(), a.getValue()]));
    assert.equal(before.email, email);
    assert.equal(before.email_verified, 'true');
    assert.equal(before.sub, session.getIdToken().payload.sub);

    await callback(user.updateAttributes.bind(user), [
      new CognitoUserAttribute({ Name: 'name', Value: 'Ada Lovelace' }),
      new CognitoUserAttribute({ Name: 'locale', Value: 'en-GB' }),
    ]);
    const after = Object.fromEntries((await callback(user.getUserAttributes.bind(user))).map((a) => [a.getName(), a.getValue()]));
    assert.equal(after.name, 'Ada Lovelace');
    assert.equal(after.locale, 'en-GB');
    assert.equal(after.email, email);

    // sub cannot be changed.
    await rejectsWith(
      callback(user.updateAttributes.bind(user), [new CognitoUserAttribute({ Name: 'sub', Value: 'x' })]),
      'InvalidParameterException',
    );
    const admin = await pool.admin.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: username }));
    assert.equal(admin.UserAttributes.find((a) => a.Name === 'name')?.Value, 'Ada Lovelace');
  });

  it('refreshSession returns new tokens for the refresh token', async () => {
    const { username } = await confirmedUser(pool);
    const user = cognitoUser(pool, username, true);
    const session = await signIn(user, PASSWORD);
    // Tokens minted in the same second would be identical; wait for the next.
    await new Promise((r) => setTimeout(r, 1100));
    const fresh = await callback(user.refreshSession.bind(user), session.getRefreshToken());
    assert.ok(fresh.isValid());
    assert.notEqual(fresh.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());
    assert.ok(fresh.getAccessToken().getIssuedAt() > session.getAccessToken().getIssuedAt());
    assert.equal(fresh.getIdToken().payload.sub, session.getIdToken().payload.sub);
    assert.equal(fresh.getAccessToken().payload.client_id, pool.clientId);
    assert.ok(fresh.getRefreshToken().getToken());
    // The new access token works.
    const attrs = await callback(user.getUserAttributes.bind(user));
    assert.ok(attrs.some((a) => a.getName() === 'sub'));
  });

  it('globalSignOut revokes the access and refresh tokens', async () => {
    const { username } = await confirmedUser(pool);
    const user = cognitoUser(pool, username, true);
    const session = await signIn(user, PASSWORD);
    const other = await signIn(cognitoUser(pool, username, true), PASSWORD);

    assert.equal(await handlers(user.globalSignOut.bind(user)), 'SUCCESS');

    for (const s of [session, other]) {
      // The same tokens in another copy of the library, as a second device holds them.
      const holder = cognitoUser(pool, username, true);
      holder.setSignInUserSession(s);
      await rejectsWith(callback(holder.getUserAttributes.bind(holder)), 'NotAuthorizedException');
      // The refresh token is refused too (asked once, without the library's retries).
      await rejectsWith(pool.admin.send(new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: s.getRefreshToken().getToken() },
      })), 'NotAuthorizedException');
    }

    // Signing in again works and gives tokens that are accepted.
    const again = cognitoUser(pool, username, true);
    const next = await signIn(again, PASSWORD);
    assert.ok(claims(next.getAccessToken().getJwtToken()).iat >= claims(session.getAccessToken().getJwtToken()).iat);
    await callback(again.getUserAttributes.bind(again));
  });
});
