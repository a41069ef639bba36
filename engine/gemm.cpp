#include "gemm.h"

#include <algorithm>
#include <vector>

#include "simd.h"

namespace convlab {

static inline float elem_a(const GemmArgs& g, int i, int k) {
  return g.trans_a ? g.A[(size_t)k * g.lda + i] : g.A[(size_t)i * g.lda + k];
}
static inline float elem_b(const GemmArgs& g, int k, int j) {
  return g.trans_b ? g.B[(size_t)j * g.ldb + k] : g.B[(size_t)k * g.ldb + j];
}

void gemm_naive(const GemmArgs& g) {
  for (int i = 0; i < g.M; i++)
    for (int j = 0; j < g.N; j++) {
      float sum = 0.0f;
      for (int k = 0; k < g.K; k++) sum += elem_a(g, i, k) * elem_b(g, k, j);
      float& c = g.C[(size_t)i * g.ldc + j];
      c = g.accumulate ? c + sum : sum;
    }
}

constexpr int MR = kGemmMR, NR = kGemmNR, KC = kGemmKC, MC = kGemmMC, NC = kGemmNC;

// A[ic:ic+mc, pc:pc+kc] → panels of MR rows, k-major: panel[k*MR + r]; short panels padded with 0.
static void pack_a(const GemmArgs& g, int ic, int mc, int pc, int kc, float* out) {
  for (int ir = 0; ir < mc; ir += MR) {
    int rows = std::min(MR, mc - ir);
    if (rows == MR && g.trans_a) {  // Aᵀ stored: the 4 values of step k are contiguous
      const float* src = g.A + (size_t)pc * g.lda + ic + ir;
      for (int k = 0; k < kc; k++, src += g.lda, out += MR) store4(out, load4(src));
      continue;
    }
    if (rows == MR) {  // 4 rows, 4 steps at a time: a 4×4 transpose
      const float* src = g.A + (size_t)(ic + ir) * g.lda + pc;
      const size_t lda = g.lda;
      int k = 0;
      for (; k + 4 <= kc; k += 4, out += 4 * MR) {
        f32x4 r0 = load4(src + k), r1 = load4(src + lda + k), r2 = load4(src + 2 * lda + k), r3 = load4(src + 3 * lda + k);
        transpose4(r0, r1, r2, r3);
        store4(out, r0), store4(out + 4, r1), store4(out + 8, r2), store4(out + 12, r3);
      }
      for (; k < kc; k++, out += MR)
        for (int r = 0; r < MR; r++) out[r] = src[r * lda + k];
      continue;
    }
    for (int k = 0; k < kc; k++) {
      for (int r = 0; r < rows; r++) out[r] = elem_a(g, ic + ir + r, pc + k);
      for (int r = rows; r < MR; r++) out[r] = 0.0f;
      out += MR;
    }
  }
}

// B[pc:pc+kc, jc:jc+nc] → panels of NR columns, k-major: panel[k*NR + c].
static void pack_b(const GemmArgs& g, int pc, int kc, int jc, int nc, float* out) {
  for (int jr = 0; jr < nc; jr += NR) {
    int cols = std::min(NR, nc - jr);
    if (!g.trans_b && cols == NR) {
      const float* src = g.B + (size_t)pc * g.ldb + jc + jr;
      for (int k = 0; k < kc; k++, src += g.ldb, out += NR) {
        store4(out, load4(src));
        store4(out + 4, load4(src + 4));
      }
      continue;
    }
    if (cols == NR) {  // Bᵀ stored: 8 rows of it, 4 steps at a time, two 4×4 transposes
      const float* src = g.B + (size_t)(jc + jr) * g.ldb + pc;
      const size_t ldb = g.ldb;
      int k = 0;
      for (; k + 4 <= kc; k += 4, out += 4 * NR)
        for (int half = 0; half < 2; half++) {
          const float* s = src + half * 4 * ldb + k;
          f32x4 r0 = load4(s), r1 = load4(s + ldb), r2 = load4(s + 2 * ldb), r3 = load4(s + 3 * ldb);
          transpose4(r0, r1, r2, r3);
          store4(out + half * 4, r0), store4(out + NR + half * 4, r1);
          store4(out + 2 * NR + half * 4, r2), store4(out + 3 * NR + half * 4, r3);
        }
      for (; k < kc; k++, out += NR)
        for (int c = 0; c < NR; c++) out[c] = src[c * ldb + k];
      continue;
    }
    for (int k = 0; k < kc; k++) {
      for (int c = 0; c < cols; c++) out[c] = elem_b(g, pc + k, jc + jr + c);
      for (int c = cols; c < NR; c++) out[c] = 0.0f;
      out += NR;
    }
  }
}

// 8 accumulators of 4 lanes live in registers; per k: 2 loads of B, 4 splats of A, 8 multiply-adds.
// a_at(k, r) is A's element (row r, step k), b_row(k) points at B's 8 values of step k: the packed
// GEMM and the convolutions that read A in place share this one loop. The tile goes to c row by
// row, or (transposed) column by column: column q's 4 values at c + q·ldc.
template <class AAt, class BRow>
__attribute__((always_inline)) static inline void micro_4x8(int kc, AAt a_at, BRow b_row, float* c, int ldc,
                                                            bool add, bool transposed = false) {
  f32x4 c00 = {}, c01 = {}, c10 = {}, c11 = {}, c20 = {}, c21 = {}, c30 = {}, c31 = {};
  for (int k = 0; k < kc; k++) {
    const float* b = b_row(k);
    f32x4 b0 = load4(b), b1 = load4(b + 4);
    f32x4 a0 = splat4(a_at(k, 0)), a1 = splat4(a_at(k, 1)), a2 = splat4(a_at(k, 2)), a3 = splat4(a_at(k, 3));
    c00 += a0 * b0; c01 += a0 * b1;
    c10 += a1 * b0; c11 += a1 * b1;
    c20 += a2 * b0; c21 += a2 * b1;
    c30 += a3 * b0; c31 += a3 * b1;
  }
  f32x4 out[8] = {c00, c01, c10, c11, c20, c21, c30, c31};  // rows: out[2r], out[2r + 1]
  if (transposed) {  // columns 0–3 from the left halves, 4–7 from the right
    transpose4(out[0], out[2], out[4], out[6]);
    transpose4(out[1], out[3], out[5], out[7]);
    const f32x4 cols[8] = {out[0], out[2], out[4], out[6], out[1], out[3], out[5], out[7]};
    for (int q = 0; q < NR; q++) {
      float* col = c + (size_t)q * ldc;
      store4(col, add ? load4(col) + cols[q] : cols[q]);
    }
    return;
  }
  for (int r = 0; r < MR; r++) {
    float* row = c + (size_t)r * ldc;
    store4(row, add ? load4(row) + out[2 * r] : out[2 * r]);
    store4(row + 4, add ? load4(row + 4) + out[2 * r + 1] : out[2 * r + 1]);
  }
}

void gemm_micro_4x8(int kc, const float* a, const float* b, float* c, int ldc, bool add) {
  micro_4x8(kc, [a](int k, int r) { return a[k * MR + r]; }, [b](int k) { return b + k * NR; }, c, ldc, add);
}

void gemm_micro_4x8_gather_a(int kc, const float* const a_rows[4], const int* a_offsets, const float* b, float* c,
                             int ldc, bool add, bool transposed_c) {
  const float *a0 = a_rows[0], *a1 = a_rows[1], *a2 = a_rows[2], *a3 = a_rows[3];
  micro_4x8(kc,
            [=](int k, int r) {
              const int at = a_offsets[k];
              return (r == 0 ? a0 : r == 1 ? a1 : r == 2 ? a2 : a3)[at];
            },
            [b](int k) { return b + k * NR; }, c, ldc, add, transposed_c);
}

static size_t round_up_nr(int n) { return ((size_t)n + NR - 1) / NR * NR; }

size_t gemm_packed_b_size(int K, int N) { return (size_t)K * round_up_nr(N); }

void gemm_pack_b_row(const float* row, int k, int K, int N, float* packed) {
  const int pc = k / KC * KC, kc = std::min(KC, K - pc), kk = k - pc;
  float* block = packed + (size_t)pc * round_up_nr(N) + (size_t)kk * NR;
  int j = 0;
  for (; j + NR <= N; j += NR) {  // one panel: 8 consecutive values
    store4(block + (size_t)j * kc, load4(row + j));
    store4(block + (size_t)j * kc + 4, load4(row + j + 4));
  }
  for (; j < N; j++) block[(size_t)(j / NR * NR) * kc + j % NR] = row[j];
}

void gemm(const GemmArgs& g) {
  if (g.M <= 0 || g.N <= 0) return;
  if (g.K <= 0) {
    if (!g.accumulate)
      for (int i = 0; i < g.M; i++) std::fill_n(g.C + (size_t)i * g.ldc, g.N, 0.0f);
    return;
  }
  // The caller's scratch (no allocation in a training step); tests and one-off calls may pass none
  // and get what their shape packs, not the whole kGemmPackFloats (zeroing 1.2 MB per call made a
  // test of small dense layers 80× slower under AddressSanitizer).
  std::vector<float> own;
  const size_t kc_max = std::min(g.K, KC);
  const size_t a_floats = g.pack ? (size_t)MC * KC : ((size_t)std::min(g.M, MC) + MR - 1) / MR * MR * kc_max;
  if (!g.pack) own.resize(a_floats + (g.b_packed ? 0 : kc_max * round_up_nr(std::min(g.N, NC))));
  float* const packed_a = g.pack ? g.pack : own.data();
  float* const packed_b = packed_a + a_floats;
  float edge[MR * NR];

  for (int jc = 0; jc < g.N; jc += NC) {
    int nc = std::min(NC, g.N - jc);
    for (int pc = 0; pc < g.K; pc += KC) {
      int kc = std::min(KC, g.K - pc);
      bool add = g.accumulate || pc > 0;
      const float* b_block = packed_b;
      if (g.b_packed) b_block = g.B + (size_t)pc * round_up_nr(g.N) + (size_t)jc * kc;
      else pack_b(g, pc, kc, jc, nc, packed_b);
      for (int ic = 0; ic < g.M; ic += MC) {
        int mc = std::min(MC, g.M - ic);
        pack_a(g, ic, mc, pc, kc, packed_a);
        for (int jr = 0; jr < nc; jr += NR) {
          int cols = std::min(NR, nc - jr);
          const float* bp = b_block + (size_t)jr * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            int rows = std::min(MR, mc - ir);
            const float* ap = packed_a + (size_t)ir * kc;
            float* c = g.C + (size_t)(ic + ir) * g.ldc + jc + jr;
            if (rows == MR && cols == NR) {
              gemm_micro_4x8(kc, ap, bp, c, g.ldc, add);
              continue;
            }
            gemm_micro_4x8(kc, ap, bp, edge, NR, false);
            for (int r = 0; r < rows; r++)
              for (int q = 0; q < cols; q++) {
                float& dst = c[(size_t)r * g.ldc + q];
                dst = add ? dst + edge[r * NR + q] : edge[r * NR + q];
              }
          }
        }
      }
    }
  }
}

}  // namespace convlab
