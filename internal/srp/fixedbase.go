package srp

import (
	"crypto/subtle"
	"math/big"

	"filippo.io/bigmod"
)

// fixedWindow is the width in bits of the exponent digits fixedBase looks up.
// Wider windows mean fewer multiplications but longer rows to scan and a
// larger table: at 6 bits a 256-bit exponent costs 42 multiplications and 43
// scans of 64 entries, and the table of the 3072-bit group takes 1 MiB.
const fixedWindow = 6

// fixedBase computes g^e mod N for one fixed g with a precomputed table
// (fixed-base windowed exponentiation, no squarings): writing the exponent
// in base 2^w as e = Σ d_i·2^(w·i), g^e is the product over i of
// g^(d_i·2^(w·i)), and row i of the table holds g^(d·2^(w·i)) for every digit
// d. It is constant time in the exponent's value (its length is public):
// every window is looked up, every lookup reads its whole row and keeps one
// entry with masks, and the products are bigmod's constant-time
// multiplications, including a product by g^0 = 1 for a zero digit.
type fixedBase struct {
	n     *bigmod.Modulus
	g     *bigmod.Nat
	limbs int // words in a group element, as bigmod lays it out
	bits  int // longest exponent the table covers, in bits
	// table holds row i, digit d at [(i<<fixedWindow + d)*limbs:], one group
	// element as little-endian words.
	table []uint
}

// newFixedBase builds the table of g (already reduced mod n) for exponents
// of up to bits bits. The table holds public values (powers of the public
// g), so it is built with math/big, which is faster and need not be
// constant time here.
func newFixedBase(n *bigmod.Modulus, g *bigmod.Nat, bits int) *fixedBase {
	f := &fixedBase{n: n, g: g, limbs: len(bigmod.NewNat().ExpandFor(n).Bits()), bits: bits}
	rows := (bits + fixedWindow - 1) / fixedWindow
	f.table = make([]uint, rows<<fixedWindow*f.limbs)
	bn := new(big.Int).SetBytes(n.Nat().Bytes(n))
	base := new(big.Int).SetBytes(g.Bytes(n)) // g^(2^(w·i)) for row i
	entry := new(big.Int)
	for i := range rows {
		entry.SetInt64(1)
		for d := range 1 << fixedWindow {
			f.put(i, d, entry)
			entry.Mul(entry, base).Mod(entry, bn)
		}
		base.Set(entry) // g^(2^w · 2^(w·i))
	}
	return f
}

// put writes x, reduced mod N, into row i, digit d of the table.
func (f *fixedBase) put(i, d int, x *big.Int) {
	at := (i<<fixedWindow + d) * f.limbs
	for j, w := range x.Bits() {
		f.table[at+j] = uint(w)
	}
}

// exp returns g^e mod N for a big-endian exponent e. Exponents longer than
// the table covers (a length is public) fall back to bigmod's generic
// constant-time exponentiation.
func (f *fixedBase) exp(e []byte) *bigmod.Nat {
	if 8*len(e) > f.bits {
		return bigmod.NewNat().Exp(f.g, e, f.n)
	}
	acc := bigmod.NewNat().ExpandFor(f.n)
	windows := (8*len(e) + fixedWindow - 1) / fixedWindow
	if windows == 0 {
		return acc.SetUint(1).ExpandFor(f.n)
	}
	f.lookup(acc.Bits(), 0, digit(e, 0))
	t := bigmod.NewNat().ExpandFor(f.n)
	for i := 1; i < windows; i++ {
		f.lookup(t.Bits(), i, digit(e, i))
		acc.Mul(t, f.n)
	}
	return acc
}

// lookup sets out to row i, digit d of the table, reading every entry of
// the row and keeping the one wanted with a mask, so that neither the
// memory touched nor the branches taken depend on d.
func (f *fixedBase) lookup(out []uint, i int, d uint) {
	row := f.table[i<<fixedWindow*f.limbs : (i+1)<<fixedWindow*f.limbs]
	clear(out)
	for j := range 1 << fixedWindow {
		mask := -uint(subtle.ConstantTimeEq(int32(j), int32(d)))
		entry := row[j*f.limbs : (j+1)*f.limbs]
		for k := range out {
			out[k] |= entry[k] & mask
		}
	}
}

// digit returns window i (counting from the least significant) of the
// big-endian exponent e: its bits w·i to w·i+w-1. Which bytes it reads
// depends on i and the length of e only.
func digit(e []byte, i int) uint {
	var d uint
	for t := range fixedWindow {
		k := fixedWindow*i + t
		if k >= 8*len(e) {
			break
		}
		d |= uint(e[len(e)-1-k/8]>>(k%8)&1) << t
	}
	return d
}
