// Single-precision matrix product, the workhorse of convolution (im2col) and dense layers.
#pragma once
#include <cstddef>

namespace convlab {

// Blocking: a KC×NR panel of B (8 KB) stays in L1 while the A panels stream past it; the packed
// KC×NC block of B stays in L2. The micro-kernel computes an MR×NR tile of C.
constexpr int kGemmMR = 4, kGemmNR = 8, kGemmKC = 256, kGemmMC = 128, kGemmNC = 1024;
// Scratch gemm() packs A and B into (GemmArgs::pack).
constexpr size_t kGemmPackFloats = (size_t)kGemmMC * kGemmKC + (size_t)kGemmKC * kGemmNC;

// C[M×N] = (accumulate ? C : 0) + op(A)[M×K] · op(B)[K×N], row-major.
// op(A) = A (lda ≥ K) or Aᵀ when trans_a (A stored K×M, lda ≥ M); likewise B.
struct GemmArgs {
  bool trans_a = false, trans_b = false;
  int M = 0, N = 0, K = 0;
  const float* A = nullptr;
  int lda = 0;
  const float* B = nullptr;
  int ldb = 0;
  float* C = nullptr;
  int ldc = 0;
  bool accumulate = false;
  bool b_packed = false;  // B is already in gemm's panel layout (gemm_pack_b_row); trans_b ignored
  float* pack = nullptr;  // kGemmPackFloats of scratch (a Workspace's); null: gemm allocates its own
};

// Plain triple loop: the reference every fast path is tested against.
void gemm_naive(const GemmArgs& g);

// Packed panels + a 4×8 f32x4 register-blocked micro-kernel.
void gemm(const GemmArgs& g);

// The packed-B layout, so a producer (im2col) can write B straight into it and save gemm a copy:
// K split in blocks of 256 rows; in each block, panels of 8 columns, k-major; N rounded up to 8.
size_t gemm_packed_b_size(int K, int N);
// Writes row k (N values) of B into the packed layout (pad columns must stay zero).
void gemm_pack_b_row(const float* row, int k, int K, int N, float* packed);

// The micro-kernel alone, exposed for the kernel benchmark (its peak is gemm's ceiling):
// c[4×8] (= or +=) a_panel[kc×4]ᵀ · b_panel[kc×8], panels k-major.
void gemm_micro_4x8(int kc, const float* a, const float* b, float* c, int ldc, bool add);

// The same kernel with A read in place through an index, for convolution without a column matrix
// (conv.cpp): A's row r, step k is a_rows[r][a_offsets[k]]; B's step k is the 8 floats at b + 8k.
// With transposed_c the tile is stored as its 8 columns, 4 floats each at c + column·ldc (for a
// channel-major output).
void gemm_micro_4x8_gather_a(int kc, const float* const a_rows[4], const int* a_offsets, const float* b, float* c,
                             int ldc, bool add, bool transposed_c);

}  // namespace convlab
