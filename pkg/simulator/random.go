package simulator

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Everything the simulator shows is derived from hashes of (seed, coordinates), never from a stateful
// random generator, so any message can be rebuilt from its key alone and any time window can be
// generated without generating the ones before it.

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// mix hashes any number of coordinates into one well-distributed 64-bit value.
func mix(vals ...uint64) uint64 {
	h := uint64(0x243f6a8885a308d3)
	for _, v := range vals {
		h = splitmix(h ^ v)
	}
	return h
}

// unit maps a hash to [0,1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// pick returns an element chosen by h.
func pick[T any](h uint64, xs []T) T { return xs[h%uint64(len(xs))] }

// guid28 builds a 28-character MPL-style id: base64url of 21 bytes whose bytes 1–4 are the Unix seconds
// (so ids sort roughly by time and start with "A" like SAP's), followed by the given payload bytes.
func guid28(sec uint32, payload [16]byte) string {
	var b [21]byte
	binary.BigEndian.PutUint32(b[1:5], sec)
	copy(b[5:], payload[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func hexN(h uint64, n int) string {
	var b [32]byte
	for i := 0; i < len(b); i += 8 {
		binary.BigEndian.PutUint64(b[i:], splitmix(h+uint64(i)))
	}
	return hex.EncodeToString(b[:])[:n]
}

// uuidFrom formats a hash pair as a lower-case RFC 4122 style UUID (version 4 bits set).
func uuidFrom(h uint64) string {
	a, b := splitmix(h), splitmix(h^0x5555)
	a = (a &^ 0xf000) | 0x4000
	b = (b &^ (0xc << 60)) | (0x8 << 60)
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", uint32(a>>32), uint16(a>>16), uint16(a), uint16(b>>48), b&0xffffffffffff)
}
