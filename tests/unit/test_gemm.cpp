#include <doctest/doctest.h>

#include "gemm.h"
#include "helpers.h"

using namespace convlab;

TEST_CASE("gemm matches the naive triple loop on 600 random shapes, transposes and strides") {
  Rng rng(1);
  for (int trial = 0; trial < 600; trial++) {
    GemmArgs g;
    g.trans_a = rng.below(2), g.trans_b = rng.below(2), g.accumulate = rng.below(2);
    g.M = test::random_int(rng, 1, trial < 500 ? 40 : 300);
    g.N = test::random_int(rng, 1, trial < 500 ? 40 : 1100);
    g.K = test::random_int(rng, 1, trial < 500 ? 40 : 600);
    int a_rows = g.trans_a ? g.K : g.M, a_cols = g.trans_a ? g.M : g.K;
    int b_rows = g.trans_b ? g.N : g.K, b_cols = g.trans_b ? g.K : g.N;
    g.lda = a_cols + (int)rng.below(3), g.ldb = b_cols + (int)rng.below(3), g.ldc = g.N + (int)rng.below(3);
    auto a = test::random_vector(rng, (size_t)a_rows * g.lda), b = test::random_vector(rng, (size_t)b_rows * g.ldb);
    auto c0 = test::random_vector(rng, (size_t)g.M * g.ldc);
    std::vector<float> fast = c0, ref = c0;
    g.A = a.data(), g.B = b.data();
    g.C = fast.data();
    gemm(g);
    g.C = ref.data();
    gemm_naive(g);
    INFO("M=" << g.M << " N=" << g.N << " K=" << g.K << " ta=" << g.trans_a << " tb=" << g.trans_b);
    CHECK(test::relative_error(fast, ref) < 1e-5 * std::sqrt((double)g.K));
  }
}

TEST_CASE("gemm: small worked product and K = 0") {
  float a[] = {1, 2, 3, 4, 5, 6};        // 2×3
  float b[] = {7, 8, 9, 10, 11, 12};     // 3×2
  float c[4] = {};
  GemmArgs g;
  g.M = 2, g.N = 2, g.K = 3, g.A = a, g.lda = 3, g.B = b, g.ldb = 2, g.C = c, g.ldc = 2;
  gemm(g);
  CHECK(c[0] == 58);
  CHECK(c[1] == 64);
  CHECK(c[2] == 139);
  CHECK(c[3] == 154);
  g.K = 0;
  gemm(g);
  CHECK(c[0] == 0);
  CHECK(c[3] == 0);
}

TEST_CASE("gemm with B written straight into its packed layout equals the plain product") {
  Rng rng(3);
  for (int trial = 0; trial < 200; trial++) {
    const int M = test::random_int(rng, 1, 20), N = test::random_int(rng, 1, 300), K = test::random_int(rng, 1, 600);
    auto a = test::random_vector(rng, (size_t)M * K), b = test::random_vector(rng, (size_t)K * N);
    std::vector<float> packed(gemm_packed_b_size(K, N), 0.0f), fast((size_t)M * N), ref((size_t)M * N);
    for (int k = 0; k < K; k++) gemm_pack_b_row(b.data() + (size_t)k * N, k, K, N, packed.data());
    GemmArgs g;
    g.M = M, g.N = N, g.K = K, g.A = a.data(), g.lda = K, g.B = b.data(), g.ldb = N, g.C = ref.data(), g.ldc = N;
    gemm_naive(g);
    g.B = packed.data(), g.b_packed = true, g.C = fast.data();
    gemm(g);
    INFO("M=" << M << " N=" << N << " K=" << K);
    CHECK(test::relative_error(fast, ref) < 1e-5 * std::sqrt((double)K));
  }
}
