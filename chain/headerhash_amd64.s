//go:build amd64 && !purego

#include "textflag.h"

// Double-SHA256 of 80-byte block headers with the x86 SHA extensions, two
// headers at a time. The rounds of one SHA-256 block form a dependency chain
// that SHA256RNDS2's latency bounds; interleaving two independent headers
// lets the core run both chains at once. The padding blocks are mostly
// constant and are built in registers, so nothing is copied or padded in
// memory.
//
// Register use:
//   X0        message words + round constants (SHA256RNDS2's implicit operand)
//   X1, X2    header A state, {A,B,E,F} and {C,D,G,H} word order
//   X3..X6    header A message schedule, four words each
//   X7, X8    header B state
//   X9..X12   header B message schedule
//   X13, X14  temporaries
//   X15       byte-swap mask (big-endian words <-> little-endian lanes)
//   AX        round constant table
//
// Frame: 64 bytes for the two states after the first block.

// RND4 runs four rounds on state S0 ({A,B,E,F}), S1 ({C,D,G,H}) with the
// four message words in M and the constants at koff(AX).
#define RND4(M, koff, S0, S1) \
	MOVO        M, X0        \
	PADDD       koff(AX), X0 \
	SHA256RNDS2 X0, S0, S1   \
	PSHUFD      $0x0e, X0, X0 \
	SHA256RNDS2 X0, S1, S0

// NEXTW finishes the next four schedule words in MN (which already holds
// W[t-16] + sigma0(W[t-15]) from SHA256MSG1): adds W[t-7], taken across MP
// and MG, then sigma1 of W[t-2] from MG.
#define NEXTW(MG, MP, MN) \
	MOVO       MG, X14     \
	PALIGNR    $4, MP, X14 \
	PADDD      X14, MN     \
	SHA256MSG2 MG, MN

// Rounds for both headers, with the schedule steps that follow each group.
#define GRP(a, b, koff) \
	RND4(a, koff, X1, X2) \
	RND4(b, koff, X7, X8)

#define PREP(ag, ap, bg, bp) \
	SHA256MSG1 ag, ap \
	SHA256MSG1 bg, bp

#define NEXT(ag, ap, an, bg, bp, bn) \
	NEXTW(ag, ap, an) \
	NEXTW(bg, bp, bn)

// BLOCK2 runs the 64 rounds of one block for both headers, with the message
// words already in X3..X6 and X9..X12.
#define BLOCK2 \
	GRP(X3, X9, 0x00)                        \
	GRP(X4, X10, 0x10)                       \
	PREP(X4, X3, X10, X9)                    \
	GRP(X5, X11, 0x20)                       \
	PREP(X5, X4, X11, X10)                   \
	GRP(X6, X12, 0x30)                       \
	NEXT(X6, X5, X3, X12, X11, X9)           \
	PREP(X6, X5, X12, X11)                   \
	GRP(X3, X9, 0x40)                        \
	NEXT(X3, X6, X4, X9, X12, X10)           \
	PREP(X3, X6, X9, X12)                    \
	GRP(X4, X10, 0x50)                       \
	NEXT(X4, X3, X5, X10, X9, X11)           \
	PREP(X4, X3, X10, X9)                    \
	GRP(X5, X11, 0x60)                       \
	NEXT(X5, X4, X6, X11, X10, X12)          \
	PREP(X5, X4, X11, X10)                   \
	GRP(X6, X12, 0x70)                       \
	NEXT(X6, X5, X3, X12, X11, X9)           \
	PREP(X6, X5, X12, X11)                   \
	GRP(X3, X9, 0x80)                        \
	NEXT(X3, X6, X4, X9, X12, X10)           \
	PREP(X3, X6, X9, X12)                    \
	GRP(X4, X10, 0x90)                       \
	NEXT(X4, X3, X5, X10, X9, X11)           \
	PREP(X4, X3, X10, X9)                    \
	GRP(X5, X11, 0xa0)                       \
	NEXT(X5, X4, X6, X11, X10, X12)          \
	PREP(X5, X4, X11, X10)                   \
	GRP(X6, X12, 0xb0)                       \
	NEXT(X6, X5, X3, X12, X11, X9)           \
	PREP(X6, X5, X12, X11)                   \
	GRP(X3, X9, 0xc0)                        \
	NEXT(X3, X6, X4, X9, X12, X10)           \
	PREP(X3, X6, X9, X12)                    \
	GRP(X4, X10, 0xd0)                       \
	NEXT(X4, X3, X5, X10, X9, X11)           \
	GRP(X5, X11, 0xe0)                       \
	NEXT(X5, X4, X6, X11, X10, X12)          \
	GRP(X6, X12, 0xf0)

// TOWORDS turns a state ({A,B,E,F} in S0, {C,D,G,H} in S1) into the digest
// words in order, A..D in D0 and E..H in D1, one word per lane.
#define TOWORDS(S0, S1, D0, D1) \
	PSHUFD  $0x1b, S0, D0  \
	PSHUFD  $0xb1, S1, D1  \
	MOVO    D0, X13        \
	PBLENDW $0xf0, D1, D0  \
	PALIGNR $8, X13, D1

// func hashHeaderPairsSHANI(dst *wire.Hash, src *byte, pairs int)
TEXT ·hashHeaderPairsSHANI(SB), NOSPLIT, $64-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ pairs+16(FP), CX
	TESTQ CX, CX
	JEQ  done
	LEAQ k256<>(SB), AX
	MOVOU bswap<>(SB), X15

loop:
	// First hash, block 1: header bytes 0..63, from the initial state.
	MOVOU  0(SI), X3
	MOVOU  16(SI), X4
	MOVOU  32(SI), X5
	MOVOU  48(SI), X6
	MOVOU  80(SI), X9
	MOVOU  96(SI), X10
	MOVOU  112(SI), X11
	MOVOU  128(SI), X12
	PSHUFB X15, X3
	PSHUFB X15, X4
	PSHUFB X15, X5
	PSHUFB X15, X6
	PSHUFB X15, X9
	PSHUFB X15, X10
	PSHUFB X15, X11
	PSHUFB X15, X12
	MOVOU  ivABEF<>(SB), X1
	MOVOU  ivCDGH<>(SB), X2
	MOVO   X1, X7
	MOVO   X2, X8
	BLOCK2
	PADDD  ivABEF<>(SB), X1
	PADDD  ivCDGH<>(SB), X2
	PADDD  ivABEF<>(SB), X7
	PADDD  ivCDGH<>(SB), X8
	MOVOU  X1, 0(SP)
	MOVOU  X2, 16(SP)
	MOVOU  X7, 32(SP)
	MOVOU  X8, 48(SP)

	// First hash, block 2: bytes 64..79, the 0x80 pad, length 640 bits.
	MOVOU  64(SI), X3
	MOVOU  144(SI), X9
	PSHUFB X15, X3
	PSHUFB X15, X9
	MOVOU  pad80<>(SB), X4
	MOVO   X4, X10
	PXOR   X5, X5
	PXOR   X11, X11
	MOVOU  len640<>(SB), X6
	MOVO   X6, X12
	BLOCK2
	MOVOU  0(SP), X13
	PADDD  X13, X1
	MOVOU  16(SP), X13
	PADDD  X13, X2
	MOVOU  32(SP), X13
	PADDD  X13, X7
	MOVOU  48(SP), X13
	PADDD  X13, X8

	// Second hash: the 32-byte digest as eight words, the pad, length 256
	// bits, from the initial state.
	TOWORDS(X1, X2, X3, X4)
	TOWORDS(X7, X8, X9, X10)
	MOVOU  pad80<>(SB), X5
	MOVO   X5, X11
	MOVOU  len256<>(SB), X6
	MOVO   X6, X12
	MOVOU  ivABEF<>(SB), X1
	MOVOU  ivCDGH<>(SB), X2
	MOVO   X1, X7
	MOVO   X2, X8
	BLOCK2
	PADDD  ivABEF<>(SB), X1
	PADDD  ivCDGH<>(SB), X2
	PADDD  ivABEF<>(SB), X7
	PADDD  ivCDGH<>(SB), X8

	// Digest bytes are the words big-endian.
	TOWORDS(X1, X2, X3, X4)
	TOWORDS(X7, X8, X9, X10)
	PSHUFB X15, X3
	PSHUFB X15, X4
	PSHUFB X15, X9
	PSHUFB X15, X10
	MOVOU  X3, 0(DI)
	MOVOU  X4, 16(DI)
	MOVOU  X9, 32(DI)
	MOVOU  X10, 48(DI)

	ADDQ $160, SI
	ADDQ $64, DI
	DECQ CX
	JNE  loop

done:
	RET

// func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// Byte order mask: reverses the bytes of each 32-bit lane.
DATA bswap<>+0x00(SB)/8, $0x0405060700010203
DATA bswap<>+0x08(SB)/8, $0x0c0d0e0f08090a0b
GLOBL bswap<>(SB), RODATA|NOPTR, $16

// The SHA-256 initial state in SHA256RNDS2's lane order: {A,B,E,F} holds
// F, E, B, A from lane 0 up; {C,D,G,H} holds H, G, D, C.
DATA ivABEF<>+0x00(SB)/8, $0x510e527f9b05688c
DATA ivABEF<>+0x08(SB)/8, $0x6a09e667bb67ae85
GLOBL ivABEF<>(SB), RODATA|NOPTR, $16
DATA ivCDGH<>+0x00(SB)/8, $0x1f83d9ab5be0cd19
DATA ivCDGH<>+0x08(SB)/8, $0x3c6ef372a54ff53a
GLOBL ivCDGH<>(SB), RODATA|NOPTR, $16

// Padding words: 0x80000000 first; the message length in bits last.
DATA pad80<>+0x00(SB)/8, $0x0000000080000000
DATA pad80<>+0x08(SB)/8, $0x0000000000000000
GLOBL pad80<>(SB), RODATA|NOPTR, $16
DATA len640<>+0x00(SB)/8, $0x0000000000000000
DATA len640<>+0x08(SB)/8, $0x0000028000000000
GLOBL len640<>(SB), RODATA|NOPTR, $16
DATA len256<>+0x00(SB)/8, $0x0000000000000000
DATA len256<>+0x08(SB)/8, $0x0000010000000000
GLOBL len256<>(SB), RODATA|NOPTR, $16

// Round constants: the first 32 bits of the fractional parts of the cube
// roots of the first 64 primes, four per 16-byte group.
DATA k256<>+0x00(SB)/8, $0x71374491428a2f98
DATA k256<>+0x08(SB)/8, $0xe9b5dba5b5c0fbcf
DATA k256<>+0x10(SB)/8, $0x59f111f13956c25b
DATA k256<>+0x18(SB)/8, $0xab1c5ed5923f82a4
DATA k256<>+0x20(SB)/8, $0x12835b01d807aa98
DATA k256<>+0x28(SB)/8, $0x550c7dc3243185be
DATA k256<>+0x30(SB)/8, $0x80deb1fe72be5d74
DATA k256<>+0x38(SB)/8, $0xc19bf1749bdc06a7
DATA k256<>+0x40(SB)/8, $0xefbe4786e49b69c1
DATA k256<>+0x48(SB)/8, $0x240ca1cc0fc19dc6
DATA k256<>+0x50(SB)/8, $0x4a7484aa2de92c6f
DATA k256<>+0x58(SB)/8, $0x76f988da5cb0a9dc
DATA k256<>+0x60(SB)/8, $0xa831c66d983e5152
DATA k256<>+0x68(SB)/8, $0xbf597fc7b00327c8
DATA k256<>+0x70(SB)/8, $0xd5a79147c6e00bf3
DATA k256<>+0x78(SB)/8, $0x1429296706ca6351
DATA k256<>+0x80(SB)/8, $0x2e1b213827b70a85
DATA k256<>+0x88(SB)/8, $0x53380d134d2c6dfc
DATA k256<>+0x90(SB)/8, $0x766a0abb650a7354
DATA k256<>+0x98(SB)/8, $0x92722c8581c2c92e
DATA k256<>+0xa0(SB)/8, $0xa81a664ba2bfe8a1
DATA k256<>+0xa8(SB)/8, $0xc76c51a3c24b8b70
DATA k256<>+0xb0(SB)/8, $0xd6990624d192e819
DATA k256<>+0xb8(SB)/8, $0x106aa070f40e3585
DATA k256<>+0xc0(SB)/8, $0x1e376c0819a4c116
DATA k256<>+0xc8(SB)/8, $0x34b0bcb52748774c
DATA k256<>+0xd0(SB)/8, $0x4ed8aa4a391c0cb3
DATA k256<>+0xd8(SB)/8, $0x682e6ff35b9cca4f
DATA k256<>+0xe0(SB)/8, $0x78a5636f748f82ee
DATA k256<>+0xe8(SB)/8, $0x8cc7020884c87814
DATA k256<>+0xf0(SB)/8, $0xa4506ceb90befffa
DATA k256<>+0xf8(SB)/8, $0xc67178f2bef9a3f7
GLOBL k256<>(SB), RODATA|NOPTR, $256
