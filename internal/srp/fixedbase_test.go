package srp

import (
	"bytes"
	"crypto/rand"
	"math"
	"math/big"
	mrand "math/rand/v2"
	"slices"
	"testing"
	"time"

	"filippo.io/bigmod"
	"github.com/cognate-idp/cognate/internal/cputime"
)

// exponents returns the exponents the property tests try: edge cases of
// every length the table covers and one beyond (the fallback), then random
// ones of random lengths.
func exponents(t testing.TB, random int) [][]byte {
	t.Helper()
	var es [][]byte
	for n := range fixedBits/8 + 2 {
		es = append(es, make([]byte, n), bytes.Repeat([]byte{0xff}, n))
		if n > 0 {
			one := make([]byte, n)
			one[n-1] = 1
			top := make([]byte, n)
			top[0] = 0x80
			es = append(es, one, top)
		}
	}
	for k := range fixedBits { // each single bit, so every window and digit position is hit
		e := make([]byte, fixedBits/8)
		e[len(e)-1-k/8] = 1 << (k % 8)
		es = append(es, e)
	}
	for range random {
		e := make([]byte, 1+mrand.IntN(fixedBits/8+8))
		if _, err := rand.Read(e); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	return es
}

// TestFixedBase checks the table exponentiation against math/big for both
// groups the tests use.
func TestFixedBase(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    *params
	}{{"3072-bit Cognito", cognito}, {"1024-bit RFC 5054", rfc5054}} {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			n := new(big.Int).SetBytes(p.n.Nat().Bytes(p.n))
			g := new(big.Int).SetBytes(p.g.Bytes(p.n))
			for _, e := range exponents(t, 200) {
				want := new(big.Int).Exp(g, new(big.Int).SetBytes(e), n)
				got := new(big.Int).SetBytes(p.gExp(e).Bytes(p.n))
				if got.Cmp(want) != 0 {
					t.Fatalf("g^%x: got %x…, want %x…", e, got.Bytes()[:8], want.Bytes()[:8])
				}
			}
		})
	}
}

// TestFixedBaseResult checks that a result is a full-size element of the
// group that the rest of bigmod's arithmetic accepts.
func TestFixedBaseResult(t *testing.T) {
	for _, e := range [][]byte{nil, {0}, {1}, bytes.Repeat([]byte{0xff}, 32)} {
		x := cognito.gExp(e)
		if len(x.Bits()) != len(bigmod.NewNat().ExpandFor(cognito.n).Bits()) {
			t.Fatalf("g^%x has %d words", e, len(x.Bits()))
		}
		y := bigmod.NewNat().Exp(cognito.g, e, cognito.n)
		if x.Equal(y) != 1 {
			t.Fatalf("g^%x differs from bigmod's Exp", e)
		}
	}
}

// TestDigit checks that the windows of an exponent add back up to it.
func TestDigit(t *testing.T) {
	for _, e := range exponents(t, 50) {
		sum := new(big.Int)
		for i := range (8*len(e) + fixedWindow - 1) / fixedWindow {
			d := digit(e, i)
			if d >= 1<<fixedWindow {
				t.Fatalf("digit %d of %x is %d", i, e, d)
			}
			sum.Add(sum, new(big.Int).Lsh(big.NewInt(int64(d)), uint(fixedWindow*i)))
		}
		if sum.Cmp(new(big.Int).SetBytes(e)) != 0 {
			t.Fatalf("digits of %x add up to %x", e, sum)
		}
	}
}

// BenchmarkExp sets the fixed-base exponentiation beside bigmod's generic
// constant-time one and math/big's (variable time, for reference), all g^e
// for a 256-bit e in the 3072-bit group, and times building the table. Each
// also reports cpu-ns/op, the process's CPU time per operation, which a
// machine shared with other work disturbs much less than wall time.
func BenchmarkExp(b *testing.B) {
	e := make([]byte, fixedBits/8)
	if _, err := rand.Read(e); err != nil {
		b.Fatal(err)
	}
	cognito.gTable()
	b.Run("fixed-base", func(b *testing.B) {
		defer cputime.Report(b)()
		for b.Loop() {
			cognito.gExp(e)
		}
	})
	b.Run("bigmod", func(b *testing.B) {
		defer cputime.Report(b)()
		for b.Loop() {
			bigmod.NewNat().Exp(cognito.g, e, cognito.n)
		}
	})
	n := new(big.Int).SetBytes(cognito.n.Nat().Bytes(cognito.n))
	be := new(big.Int).SetBytes(e)
	b.Run("math-big", func(b *testing.B) {
		defer cputime.Report(b)()
		for b.Loop() {
			new(big.Int).Exp(big.NewInt(2), be, n)
		}
	})
	b.Run("table", func(b *testing.B) {
		defer cputime.Report(b)()
		for b.Loop() {
			newFixedBase(cognito.n, cognito.g, fixedBits)
		}
	})
}

// BenchmarkTimingLeak is a dudect-style check (Reparaz, Balasch and
// Verbauwhede, "Dude, is my code constant time?", 2017) that the time of an
// exponentiation does not depend on its secret exponent. Each iteration
// times one call, with an exponent drawn at random from one of two
// classes: a fixed one (all zeros, or all ones) and fresh random ones. It
// reports Welch's t statistic between the two classes' times, after
// dropping the slowest 5% (interrupts, other processes): |t| above 4.5
// suggests a leak, and the math/big variant, which is not constant time,
// shows what one looks like. Run it alone, with many iterations:
//
//	go test -run '^$' -bench TimingLeak -benchtime 20000x ./internal/srp
//
// It is a benchmark, not a test, because timing on a shared machine is
// noise: it never runs in CI.
func BenchmarkTimingLeak(b *testing.B) {
	n := new(big.Int).SetBytes(cognito.n.Nat().Bytes(cognito.n))
	two := big.NewInt(2)
	cognito.gTable()
	impls := []struct {
		name string
		exp  func(e []byte)
	}{
		{"fixed-base", func(e []byte) { cognito.gExp(e) }},
		{"bigmod", func(e []byte) { bigmod.NewNat().Exp(cognito.g, e, cognito.n) }},
		{"math-big", func(e []byte) { new(big.Int).Exp(two, new(big.Int).SetBytes(e), n) }},
	}
	fixed := []struct {
		name string
		e    []byte
	}{
		{"zeros", make([]byte, fixedBits/8)},
		{"ones", bytes.Repeat([]byte{0xff}, fixedBits/8)},
	}
	for _, im := range impls {
		for _, fx := range fixed {
			b.Run(im.name+"/"+fx.name, func(b *testing.B) {
				var times [2][]float64
				e := make([]byte, len(fx.e))
				for b.Loop() {
					class := mrand.IntN(2)
					if class == 0 {
						copy(e, fx.e)
					} else if _, err := rand.Read(e); err != nil {
						b.Fatal(err)
					}
					start := time.Now()
					im.exp(e)
					times[class] = append(times[class], float64(time.Since(start)))
				}
				t := welch(crop(times[0], times[1], 0.95))
				b.ReportMetric(math.Abs(t), "|t|")
				if testing.Verbose() {
					b.Logf("%d+%d samples, t = %.2f", len(times[0]), len(times[1]), t)
				}
			})
		}
	}
}

// crop drops from both samples the values above quantile q of the two
// together.
func crop(x, y []float64, q float64) ([]float64, []float64) {
	all := slices.Concat(x, y)
	if len(all) == 0 {
		return x, y
	}
	slices.Sort(all)
	limit := all[int(q*float64(len(all)-1))]
	keep := func(s []float64) []float64 {
		return slices.DeleteFunc(slices.Clone(s), func(v float64) bool { return v > limit })
	}
	return keep(x), keep(y)
}

// welch returns Welch's t statistic of two samples, 0 when either is too
// small to have a variance.
func welch(x, y []float64) float64 {
	if len(x) < 2 || len(y) < 2 {
		return 0
	}
	mean := func(s []float64) (m, v float64) {
		for _, f := range s {
			m += f
		}
		m /= float64(len(s))
		for _, f := range s {
			v += (f - m) * (f - m)
		}
		return m, v / float64(len(s)-1)
	}
	mx, vx := mean(x)
	my, vy := mean(y)
	se := math.Sqrt(vx/float64(len(x)) + vy/float64(len(y)))
	if se == 0 {
		return 0
	}
	return (mx - my) / se
}
