// amazon-cognito-identity-js, unchanged but for the endpoint, against
// Cognate's MFA and remembered devices: associateSoftwareToken and
// verifySoftwareToken, setUserMfaPreference, the SOFTWARE_TOKEN_MFA and
// SMS_MFA challenges answered with sendMFACode, selectMFAType, and a
// remembered device (setDeviceStatusRemembered) signing in with its own
// SRP proof instead of the second factor.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { before, describe, it } from 'node:test';

import { AdminSetUserMFAPreferenceCommand, AdminUpdateUserAttributesCommand, SetUserPoolMfaConfigCommand } from '@aws-sdk/client-cognito-identity-provider';

import {
  AuthenticationDetails,
  PASSWORD,
  callback,
  codeOf,
  cognitoUser,
  confirmedUser,
  newMessage,
  newPool,
  seenMessages,
} from './lib/cognate.js';

/** The RFC 6238 code (SHA-1, six digits, 30 s steps) of a base32 secret at time ms. */
function totp(secret, ms = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '')) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/**
 * Starts authenticateUser and resolves with { kind, args } at the first
 * callback: onSuccess, totpRequired, mfaRequired, selectMFAType or
 * onFailure (rejected). next() continues with callbacks for the next step.
 */
function step(start) {
  return new Promise((resolve, reject) => {
    const cb = {
      onSuccess: (...args) => resolve({ kind: 'success', args }),
      onFailure: reject,
      totpRequired: (...args) => resolve({ kind: 'totp', args }),
      mfaRequired: (...args) => resolve({ kind: 'sms', args }),
      selectMFAType: (...args) => resolve({ kind: 'select', args }),
      mfaSetup: (...args) => resolve({ kind: 'setup', args }),
      newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
      customChallenge: () => reject(new Error('unexpected CUSTOM_CHALLENGE')),
    };
    start(cb);
  });
}

function authenticate(user, password = PASSWORD) {
  return step((cb) => user.authenticateUser(new AuthenticationDetails({ Username: user.getUsername(), Password: password }), cb));
}

describe('amazon-cognito-identity-js MFA and devices', { timeout: 60_000 }, () => {
  let pool;
  before(async () => {
    pool = await newPool(undefined, {
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
    });
    await pool.admin.send(new SetUserPoolMfaConfigCommand({
      UserPoolId: pool.poolId, MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
      SmsMfaConfiguration: { SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'ext' } },
    }));
  });

  it('remembers a device, sets up TOTP, answers SOFTWARE_TOKEN_MFA, and skips it on the remembered device', async () => {
    const { username } = await confirmedUser(pool);
    const user = cognitoUser(pool, username, true);
    let r = await authenticate(user);
    assert.equal(r.kind, 'success');
    // The library confirmed the new device; the pool lets the user choose.
    assert.equal(r.args[1], true, 'userConfirmationNecessary');
    assert.equal(await handlersOf(user.setDeviceStatusRemembered.bind(user)), 'SUCCESS');

    const secret = await new Promise((resolve, reject) => {
      user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject });
    });
    assert.match(secret, /^[A-Z2-7]{52}$/);
    await new Promise((resolve, reject) => {
      user.verifySoftwareToken(totp(secret), 'node test', { onSuccess: resolve, onFailure: reject });
    });
    assert.equal(await callback(user.setUserMfaPreference.bind(user), null, { Enabled: true, PreferredMfa: true }), 'SUCCESS');

    // Another browser: TOTP is asked for. The code verification used is
    // spent, so the answer is the next step's, which the clock skew allows.
    const other = cognitoUser(pool, username, true);
    r = await authenticate(other);
    assert.equal(r.kind, 'totp');
    assert.equal(r.args[0], 'SOFTWARE_TOKEN_MFA');
    r = await step((cb) => other.sendMFACode(totp(secret, Date.now() + 30_000), cb, 'SOFTWARE_TOKEN_MFA'));
    assert.equal(r.kind, 'success');

    // The remembered device proves itself (DEVICE_SRP_AUTH) instead of TOTP.
    r = await authenticate(user);
    assert.equal(r.kind, 'success');
    assert.equal(r.args[0].getAccessToken().payload.username, username);
    // Its refresh token is bound to the device: the library sends the
    // DEVICE_KEY with it.
    const deviceSession = r.args[0];
    const fresh = await callback(user.refreshSession.bind(user), deviceSession.getRefreshToken());
    assert.equal(fresh.getAccessToken().payload.username, username);
    const devices = await new Promise((resolve, reject) => {
      user.listDevices(10, null, { onSuccess: resolve, onFailure: reject });
    });
    assert.equal(devices.Devices.length, 2);
    const status = Object.fromEntries(devices.Devices.map((d) => [d.DeviceKey,
      d.DeviceAttributes.find((a) => a.Name === 'dev:device_remembered_status').Value]));
    assert.deepEqual(Object.values(status).sort(), ['not_remembered', 'remembered']);

    // Forgotten, the device is new again and TOTP is asked for.
    assert.equal(await handlersOf(user.forgetDevice.bind(user)), 'SUCCESS');
    await assert.rejects(callback(user.refreshSession.bind(user), deviceSession.getRefreshToken()), /Invalid Refresh Token/);
    r = await authenticate(user);
    assert.equal(r.kind, 'totp');
  });

  it('answers SMS_MFA with the code from the outbox, and SELECT_MFA_TYPE', async () => {
    const { username } = await confirmedUser(pool);
    const phone = `+1555${String(Date.now()).slice(-7)}`;
    await pool.admin.send(new AdminUpdateUserAttributesCommand({ UserPoolId: pool.poolId, Username: username, UserAttributes: [{ Name: 'phone_number', Value: phone }] }));
    await pool.admin.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.poolId, Username: username, SMSMfaSettings: { Enabled: true } }));
    let seen = await seenMessages(pool.url, pool.poolId, phone);
    const user = cognitoUser(pool, username, true);
    let r = await authenticate(user);
    assert.equal(r.kind, 'sms');
    assert.equal(r.args[1].CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
    let code = codeOf(await newMessage(pool.url, pool.poolId, phone, 'code', seen));
    r = await step((cb) => user.sendMFACode(code, cb));
    assert.equal(r.kind, 'success');

    // With TOTP on as well and neither preferred, the user picks SMS.
    const secret = await new Promise((resolve, reject) => {
      user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject });
    });
    await new Promise((resolve, reject) => {
      user.verifySoftwareToken(totp(secret), 'node test', { onSuccess: resolve, onFailure: reject });
    });
    const fresh = cognitoUser(pool, username, true);
    r = await authenticate(fresh);
    assert.equal(r.kind, 'select');
    assert.deepEqual(JSON.parse(r.args[1].MFAS_CAN_CHOOSE), ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);
    seen = await seenMessages(pool.url, pool.poolId, phone);
    r = await step((cb) => fresh.sendMFASelectionAnswer('SMS_MFA', cb));
    assert.equal(r.kind, 'sms');
    code = codeOf(await newMessage(pool.url, pool.poolId, phone, 'code', seen));
    r = await step((cb) => fresh.sendMFACode(code, cb));
    assert.equal(r.kind, 'success');
  });
});

/** Calls fn({onSuccess, onFailure}) and settles with its outcome. */
function handlersOf(fn) {
  return new Promise((resolve, reject) => {
    fn({ onSuccess: resolve, onFailure: reject });
  });
}
