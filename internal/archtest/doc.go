// Package archtest holds the repository's rule tests: every package has a
// package comment, and the layers import only what they may (the store
// knows no HTTP, handlers know no SQL, the generated model needs only the
// standard library).
package archtest
