// gen_vectors.js writes cognito_vectors.json: SRP values computed by the real
// Cognito client library, for the known-answer tests in ../srp_test.go and
// ../server_test.go. Nothing in it is copied into Cognate.
//
// Regenerate (outside the repository, then review the diff):
//
//	mkdir -p /tmp/srpvec && cd /tmp/srpvec && npm install amazon-cognito-identity-js@6.3.21
//	NODE_PATH=/tmp/srpvec/node_modules node internal/srp/testdata/gen_vectors.js \
//	    > internal/srp/testdata/cognito_vectors.json
//
// The library has no server side and no public way to compute x or v, so
// "verifiers" and "exchange" compose AuthenticationHelper's own primitives
// (padHex, hash, hexHash, modPow, calculateU, calculateS,
// getPasswordAuthenticationKey) the way the library does, with B = k*v + g^b
// written here. "transcript" runs the library's complete USER_SRP_AUTH flow
// (CognitoUser.authenticateUser) against a fake client that answers
// InitiateAuth with that B, with a fixed a and a fixed clock.
'use strict';

const crypto = require('crypto');
const {
	AuthenticationDetails,
	AuthenticationHelper,
	CognitoUser,
	CognitoUserPool,
} = require('amazon-cognito-identity-js');
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;

const poolId = 'us-east-1_AbC123xyz';
const poolName = poolId.split('_')[1];

// Fixed "random" values: hashes of labels, so they are reproducible.
const sha = (alg, label) => crypto.createHash(alg).update(label).digest('hex');
const aHex = sha('sha512', 'cognate srp a 1') + sha('sha512', 'cognate srp a 2'); // 128 bytes, as the library draws
const bHex = sha('sha256', 'cognate srp b'); // 32 bytes
const big = hex => new BigInteger(hex, 16);
const modPow = (base, e, m) => {
	let out;
	base.modPow(e, m, (err, r) => {
		if (err) throw err;
		out = r;
	});
	return out;
};

const helper = new AuthenticationHelper(poolName);
const N = helper.N;
const g = helper.g;

function verifier(username, password, saltHex) {
	const x = big(helper.hexHash(helper.padHex(big(saltHex)) + helper.hash(`${poolName}${username}:${password}`)));
	return { x: x.toString(16), v: modPow(g, x, N).toString(16) };
}

const verifiers = [
	{ name: 'salt high bit set', username: 'alice', password: 'password123', salt: 'beb25379d1a8581eb5a727673a2441ee' },
	{ name: 'salt high bit clear', username: 'alice', password: 'password123', salt: '3eb25379d1a8581eb5a727673a2441ee' },
	{ name: 'salt leading zero byte', username: 'alice', password: 'password123', salt: '0042b25379d1a8581eb5a727673a2441' },
	{ name: 'salt leading zero byte then high bit', username: 'alice', password: 'password123', salt: '00c2b25379d1a8581eb5a727673a2441' },
	{ name: 'non-ASCII password, UUID username', username: '7d5a1c2e-3b4f-4e6a-9c8d-0f1e2d3c4b5a', password: 'Pässwörd-123!€ 🔑', salt: 'f00dfacec0ffee0123456789abcdef01' },
].map(t => ({ ...t, poolName, ...verifier(t.username, t.password, t.salt) }));

// One exchange through the library's client helpers.
function exchange(username, password, saltHex) {
	const h = new AuthenticationHelper(poolName);
	h.smallAValue = big(aHex);
	h.largeAValue = undefined;
	h.getLargeAValue(() => {});
	const { v } = verifier(username, password, saltHex);
	const B = helper.k.multiply(big(v)).add(modPow(g, big(bHex), N)).mod(N);
	let key;
	h.getPasswordAuthenticationKey(username, password, B, big(saltHex), (err, k) => {
		if (err) throw err;
		key = Buffer.from(k).toString('hex');
	});
	const x = big(verifier(username, password, saltHex).x);
	const u = h.calculateU(h.largeAValue, B);
	let S;
	h.calculateS(x, B, (err, s) => {
		if (err) throw err;
		S = s;
	});
	return {
		poolName, username, password, salt: saltHex, a: aHex, b: bHex,
		k: helper.k.toString(16), x: x.toString(16), v, A: h.largeAValue.toString(16), B: B.toString(16),
		u: u.toString(16), S: S.toString(16), key,
	};
}

// The full USER_SRP_AUTH flow of CognitoUser against a fake Cognito.
function transcript(done) {
	const username = 'Alice@Example.com'; // what the user types
	const userIdForSrp = '7d5a1c2e-3b4f-4e6a-9c8d-0f1e2d3c4b5a'; // Cognito's internal username
	const password = 'Pässwörd-123!€ 🔑';
	const salt = 'f00dfacec0ffee0123456789abcdef01';
	const secretBlock = Buffer.from(sha('sha512', 'cognate secret block'), 'hex').toString('base64');
	const now = Date.UTC(2026, 2, 5, 7, 8, 9); // a one-digit day and hour

	AuthenticationHelper.prototype.generateRandomSmallA = () => big(aHex);
	const RealDate = Date;
	global.Date = class extends RealDate {
		constructor(...args) {
			super(...(args.length ? args : [now]));
		}
		static now() {
			return now;
		}
	};

	const { v } = verifier(userIdForSrp, password, salt);
	const B = helper.k.multiply(big(v)).add(modPow(g, big(bHex), N)).mod(N);
	const out = { poolId, username, userIdForSrp, password, salt, verifier: v, a: aHex, b: bHex, SECRET_BLOCK: secretBlock };
	const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: 'client' });
	pool.client = {
		request(op, params, cb) {
			if (op === 'InitiateAuth') {
				out.SRP_A = params.AuthParameters.SRP_A;
				out.SRP_B = B.toString(16);
				return cb(null, {
					ChallengeName: 'PASSWORD_VERIFIER',
					ChallengeParameters: { SALT: salt, SRP_B: out.SRP_B, SECRET_BLOCK: secretBlock, USER_ID_FOR_SRP: userIdForSrp, USERNAME: userIdForSrp },
				});
			}
			out.challengeResponses = params.ChallengeResponses;
			global.Date = RealDate;
			done(out);
			return cb({ code: 'Stop', message: 'transcript recorded' });
		},
	};
	new CognitoUser({ Username: username, Pool: pool }).authenticateUser(
		new AuthenticationDetails({ Username: username, Password: password }),
		{ onSuccess() {}, onFailure() {} },
	);
}

transcript(t => {
	const version = require('amazon-cognito-identity-js/package.json').version;
	const result = {
		generator: `testdata/gen_vectors.js, amazon-cognito-identity-js ${version}, node ${process.version}`,
		verifiers,
		exchange: exchange('alice', 'password123', 'beb25379d1a8581eb5a727673a2441ee'),
		transcript: t,
	};
	process.stdout.write(JSON.stringify(result, null, '\t') + '\n');
});
