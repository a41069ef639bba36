// GEMM kernel benchmark: GFLOP/s of the naive loop, ConvLab's packed GEMM and the bare
// 4×8 micro-kernel (its ceiling: operands already packed and in L1), for square sizes and for the
// exact GEMM shapes of the benchmark network; then the network's convolutions as the engine runs
// them (stride 1: the GEMM reads the padded input in place); last, a whole training step against the
// kernel in alternating windows. Built natively and to WASM (node).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "conv.h"
#include "gemm.h"
#include "network.h"
#include "rng.h"

using namespace convlab;

namespace {

double seconds_per_call(const std::function<void()>& f, double budget_s = 0.25) {
  f();  // warm up
  double best = 1e30;
  auto start = std::chrono::steady_clock::now();
  int reps = 0;
  do {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    reps++;
  } while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < budget_s || reps < 3);
  return best;
}

double micro_kernel_peak() {
  const int kc = 256;
  std::vector<float> a(4 * kc, 0.5f), b(8 * kc, 0.25f), c(4 * 8);
  const int calls = 2000;
  double s = seconds_per_call([&] {
    for (int i = 0; i < calls; i++) gemm_micro_4x8(kc, a.data(), b.data(), c.data(), 8, i > 0);
  });
  return 2.0 * 4 * 8 * kc * calls / s / 1e9;
}

struct GemmShape {
  const char* name;
  bool ta, tb;
  int M, N, K;
};

// Each row is measured when called and printed later, against the final peak.
using Printer = std::function<void(double peak)>;

Printer row(const GemmShape& sh, bool with_naive) {
  Rng rng(1);
  const int a_size = sh.M * sh.K, b_size = sh.K * sh.N;
  std::vector<float> A(a_size), B(b_size), C((size_t)sh.M * sh.N);
  for (float& v : A) v = rng.uniform(-1, 1);
  for (float& v : B) v = rng.uniform(-1, 1);
  GemmArgs g;
  g.trans_a = sh.ta, g.trans_b = sh.tb, g.M = sh.M, g.N = sh.N, g.K = sh.K;
  g.A = A.data(), g.lda = sh.ta ? sh.M : sh.K, g.B = B.data(), g.ldb = sh.tb ? sh.K : sh.N, g.C = C.data(), g.ldc = sh.N;
  std::vector<float> pack(kGemmPackFloats);  // the network's workspace gives gemm its packing scratch
  g.pack = pack.data();
  const double flops = 2.0 * sh.M * sh.N * sh.K;
  double fast = flops / seconds_per_call([&] { gemm(g); }) / 1e9;
  double naive = with_naive ? flops / seconds_per_call([&] { gemm_naive(g); }, 0.1) / 1e9 : 0;
  char text[32] = "—";
  if (with_naive) std::snprintf(text, sizeof text, "%.1f", naive);
  const std::string name = sh.name, naive_text = text,
                    ratio = with_naive ? std::to_string((int)(fast / naive + 0.5)) + "×" : "—";
  return [=](double peak) {
    std::printf("%-34s %5d %5d %5d %9s %10.1f %8.0f%% %10s\n", name.c_str(), sh.M, sh.N, sh.K, naive_text.c_str(), fast,
                100 * fast / peak, ratio.c_str());
  };
}

// One conv layer of the benchmark network over a batch: useful FLOPs (2 per multiply-add of the
// naive loops, padding taps excluded) per second, forward and backward (dW, db and dX).
Printer conv_row(const char* name, const Shape& xs, int c_out, bool need_dx) {
  ConvGeometry g;
  g.kernel = {5, 5}, g.padding = {2, 2};
  const Shape ys = conv2d_output_shape(xs, c_out, g);
  Rng rng(2);
  std::vector<float> x(xs.size()), w((size_t)c_out * xs.c * 25), b(c_out), y(ys.size()), dy(ys.size());
  for (float& v : x) v = rng.uniform(-1, 1);
  for (float& v : w) v = rng.uniform(-1, 1);
  for (float& v : dy) v = rng.uniform(-1, 1);
  std::vector<float> dx(x.size()), dw(w.size()), db(c_out);
  Workspace workspace;
  workspace.reserve(conv2d_workspace(xs, c_out, g));
  double taps = 0;  // multiply-adds of one example that touch the image
  for (int i = 0; i < ys.h; i++)
    for (int j = 0; j < ys.w; j++)
      for (int a = 0; a < 5; a++)
        for (int q = 0; q < 5; q++) taps += i - 2 + a >= 0 && i - 2 + a < xs.h && j - 2 + q >= 0 && j - 2 + q < xs.w;
  const double fwd_flops = 2.0 * taps * c_out * xs.c * xs.n, bwd_flops = fwd_flops * (need_dx ? 2 : 1);
  double fwd = fwd_flops / seconds_per_call([&] {
    conv2d_forward(x.data(), xs, w.data(), b.data(), c_out, g, y.data(), workspace);
  }) / 1e9;
  double naive = fwd_flops / seconds_per_call([&] {
    conv2d_forward_naive(x.data(), xs, w.data(), b.data(), c_out, g, y.data());
  }, 0.1) / 1e9;
  double bwd = bwd_flops / seconds_per_call([&] {
    conv2d_backward(x.data(), xs, w.data(), c_out, g, dy.data(), need_dx ? dx.data() : nullptr, dw.data(),
                    db.data(), workspace);
  }) / 1e9;
  return [=](double peak) {
    std::printf("%-34s %9.1f %10.1f %8.0f%% %10.1f %8.0f%%\n", name, naive, fwd, 100 * fwd / peak, bwd, 100 * bwd / peak);
  };
}

// A training step of the benchmark network (batch 32, SGD with momentum, one thread) as effective
// GFLOP/s — forward, dX and dW of every layer (≈ 3× the forward), less dX of the first layer, which
// nothing needs — against the micro-kernel measured just before it, each the best call of its
// window (random images: the step's cost does not depend on them). Slow spells of a shared VM come
// and go within seconds, so the two alternate in short windows and each ratio compares neighbours.
void step_vs_kernel(int rounds) {
  Network net(R"({"input":[1,28,28],"layers":[{"type":"conv2d","filters":8,"kernel":5,"padding":2},{"type":"relu"},
    {"type":"maxpool","size":2},{"type":"conv2d","filters":16,"kernel":5,"padding":2},{"type":"relu"},
    {"type":"maxpool","size":2},{"type":"dense","units":10}]})",
              1);
  OptimizerConfig opt;
  opt.lr = 0.01f, opt.momentum = 0.9f;
  net.set_optimizer(opt);
  double forward = 0, first = 0;
  for (const LayerInfo& l : net.info()) {
    forward += (double)l.flops;
    if (first == 0 && l.params() > 0) first = (double)l.flops;
  }
  const double step_flops = 3 * forward - first;
  const int n = 32;
  Rng rng(3);
  std::vector<float> images((size_t)n * 784);
  std::vector<uint8_t> labels(n);
  for (float& v : images) v = rng.uniform(0, 1);
  for (int i = 0; i < n; i++) labels[i] = (uint8_t)(i % 10);
  std::vector<double> ratios;
  std::printf("\nA training step of the benchmark network (%.2f MFLOP per example, batch 32, one thread) against the\n"
              "micro-kernel, alternating (the kernel, then the step):\n", step_flops / 1e6);
  for (int r = 0; r < rounds; r++) {
    const double peak = micro_kernel_peak();
    const double step = n * step_flops / seconds_per_call([&] { net.train_batch(images.data(), labels.data(), n); }, 0.5) / 1e9;
    ratios.push_back(step / peak);
    std::printf("  kernel %5.1f GFLOP/s, step %5.1f GFLOP/s = %3.0f%%\n", peak, step, 100 * step / peak);
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf("step / kernel: median %.0f%%, lowest %.0f%%, highest %.0f%% (target ≥ 65%%)\n", 100 * ratios[ratios.size() / 2],
              100 * ratios.front(), 100 * ratios.back());
}

}  // namespace

int main() {
#ifdef __EMSCRIPTEN__
  const char* where = "WASM simd128 (node)";
#else
  const char* where = "native SSE2";
#endif
  // The peak is measured before, between and after the groups of rows and the highest figure kept:
  // a slow spell of the machine during one measurement must not make the rows look faster than the
  // kernel.
  std::vector<double> peaks = {micro_kernel_peak()};
  std::vector<Printer> squares, shapes, convs;
  for (int n : {64, 128, 256, 384, 512}) {
    std::string name = "square " + std::to_string(n) + "³";
    squares.push_back(row({name.c_str(), false, false, n, n, n}, n <= 256));
  }
  // The benchmark network (conv 5×5×8 pad 2, pool, conv 5×5×16 pad 2, pool, dense 10), batch 32,
  // as the GEMMs of im2col (what a layer with stride > 1 runs) and of the dense layer:
  const GemmShape net[] = {
      {"conv1 forward  W·col", false, false, 8, 784, 25},
      {"conv1 backward dW += dY·colᵀ", false, true, 8, 25, 784},
      {"conv2 forward  W·col", false, false, 16, 196, 200},
      {"conv2 backward dW += dY·colᵀ", false, true, 16, 200, 196},
      {"conv2 backward dcol = Wᵀ·dY", true, false, 200, 196, 16},
      {"dense forward  X·Wᵀ (batch 32)", false, true, 32, 10, 784},
      {"dense backward dW += dYᵀ·X", true, false, 10, 784, 32},
      {"dense backward dX = dY·W", false, false, 32, 784, 10},
  };
  peaks.push_back(micro_kernel_peak());
  for (const GemmShape& s : net) shapes.push_back(row(s, true));
  peaks.push_back(micro_kernel_peak());
  convs.push_back(conv_row("conv1 5×5, 1→8, 28×28 (no dX)", {32, 1, 28, 28}, 8, false));
  convs.push_back(conv_row("conv2 5×5, 8→16, 14×14", {32, 8, 14, 14}, 16, true));
  peaks.push_back(micro_kernel_peak());
  const double peak = *std::max_element(peaks.begin(), peaks.end());

  std::printf("GEMM benchmark, %s, one thread. 4×8 f32x4 micro-kernel peak: %.1f GFLOP/s (the highest of %.1f, "
              "%.1f, %.1f, %.1f,\nmeasured before, between and after the groups of rows; the kernel alone through "
              "its exported entry point:\ninlined in gemm() it runs a few %% faster, so a row can pass 100%%)\n",
              where, peak, peaks[0], peaks[1], peaks[2], peaks[3]);
  std::printf("%-34s %5s %5s %5s %9s %10s %9s %10s\n", "shape", "M", "N", "K", "naive", "ConvLab", "of peak", "vs naive");
  for (const Printer& p : squares) p(peak);
  for (const Printer& p : shapes) p(peak);
  std::printf("\nThe network's convolutions as the engine runs them, batch 32 (stride 1: no column matrix;\n"
              "GFLOP/s of the naive loops' multiply-adds, padding excluded)\n");
  std::printf("%-34s %9s %10s %9s %10s %9s\n", "layer", "naive", "forward", "of peak", "backward", "of peak");
  for (const Printer& p : convs) p(peak);
  step_vs_kernel(12);
  return 0;
}
