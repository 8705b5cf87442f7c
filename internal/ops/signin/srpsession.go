package signin

import "encoding/base64"

// srpSession is the session of a PASSWORD_VERIFIER challenge: the
// challenge's SECRET_BLOCK (64 random bytes) in base64url. The client holds
// the block anyway, and sends it back as PASSWORD_CLAIM_SECRET_BLOCK, so
// that an answer without Session (the model makes it optional; clients
// such as pycognito never send it) finds its challenge as Cognito's does.
// A simulated challenge for an unknown user has a session of the same form.
func srpSession(block []byte) string { return base64.RawURLEncoding.EncodeToString(block) }

// srpSessionOf returns the session of the challenge whose SECRET_BLOCK a
// PASSWORD_VERIFIER answer sends back, "" when the block is not base64.
func srpSessionOf(claimBlock string) string {
	block, err := base64.StdEncoding.DecodeString(claimBlock)
	if err != nil || len(block) == 0 {
		return ""
	}
	return srpSession(block)
}
