package cputime

import (
	"crypto/sha256"
	"testing"
	"time"
)

// TestProcess checks that work shows up in the process's CPU time.
func TestProcess(t *testing.T) {
	start := Process()
	if start <= 0 {
		t.Fatalf("Process() = %v at start", start)
	}
	sum := sha256.Sum256(nil)
	for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
		sum = sha256.Sum256(sum[:])
	}
	if used := Process() - start; used <= 0 {
		t.Errorf("50 ms of hashing used %v of CPU", used)
	}
}
