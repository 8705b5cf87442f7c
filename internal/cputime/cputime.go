// Package cputime reads the CPU time the process has used, for benchmarks
// that report it per operation beside the wall-clock time: on a shared,
// loaded machine the wall clock measures the neighbours as much as the code,
// while the CPU time an operation costs moves much less.
package cputime

import (
	"syscall"
	"testing"
	"time"
)

// Process returns the user and system CPU time the process has used so far,
// all threads included (zero if the system cannot tell).
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Report starts counting the process's CPU time; the function it returns
// reports what was used since, per operation of b, as the metric
// cpu-ns/op. Call it after the set-up, and the returned function at the end
// of the timed loop.
func Report(b *testing.B) func() {
	start := Process()
	return func() { b.ReportMetric(float64(Process()-start)/float64(b.N), "cpu-ns/op") }
}
