package signin

import (
	"crypto/sha512"
	"encoding/base64"

	"github.com/cognate-idp/cognate/internal/authn"
)

// srpSession is the session of a PASSWORD_VERIFIER challenge, derived from
// the challenge's SECRET_BLOCK (64 random bytes): SessionSize
// alphanumerics, the form of every other session. The client holds the
// block anyway and sends it back as PASSWORD_CLAIM_SECRET_BLOCK, so that an
// answer without Session (the model makes it optional; clients such as
// pycognito never send it) finds its challenge, as on Cognito. A simulated
// challenge for an unknown user has a session made the same way.
func srpSession(block []byte) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var stream []byte
	for i := byte(0); len(stream) < authn.SessionSize; i++ {
		h := sha512.Sum512(append([]byte{'s', 'r', 'p', i}, block...))
		stream = append(stream, h[:]...)
	}
	out := make([]byte, authn.SessionSize)
	for i := range out {
		out[i] = alnum[int(stream[i])%len(alnum)]
	}
	return string(out)
}

// srpSessionOf returns the session of the challenge whose SECRET_BLOCK a
// PASSWORD_VERIFIER answer sends back, "" when the block is not base64.
func srpSessionOf(claimBlock string) string {
	block, err := base64.StdEncoding.DecodeString(claimBlock)
	if err != nil || len(block) == 0 {
		return ""
	}
	return srpSession(block)
}
