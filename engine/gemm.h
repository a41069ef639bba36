// Single-precision matrix product, the workhorse of convolution (im2col) and dense layers.
#pragma once

namespace convlab {

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
};

// Plain triple loop: the reference every fast path is tested against.
void gemm_naive(const GemmArgs& g);

// Packed panels + a 4×8 f32x4 register-blocked micro-kernel.
void gemm(const GemmArgs& g);

// The micro-kernel alone, exposed for the kernel benchmark (its peak is gemm's ceiling):
// c[4×8] (= or +=) a_panel[kc×4]ᵀ · b_panel[kc×8], panels k-major.
void gemm_micro_4x8(int kc, const float* a, const float* b, float* c, int ldc, bool add);

}  // namespace convlab
