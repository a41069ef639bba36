#include "ops.h"

#include <algorithm>
#include <cmath>

#include "gemm.h"

namespace convlab {

void dense_forward(const float* x, int n, int in, const float* w, const float* b, int units, float* y,
                   float* gemm_pack) {
  for (int i = 0; i < n; i++) std::copy_n(b, units, y + (size_t)i * units);
  GemmArgs g;  // Y[n×units] += X[n×in] · Wᵀ[in×units]
  g.trans_b = true, g.M = n, g.N = units, g.K = in;
  g.A = x, g.lda = in, g.B = w, g.ldb = in, g.C = y, g.ldc = units, g.accumulate = true;
  g.pack = gemm_pack;
  gemm(g);
}

void dense_backward(const float* x, int n, int in, const float* w, int units, const float* dy, float* dx,
                    float* dw, float* db, float* gemm_pack) {
  for (int i = 0; i < n; i++)
    for (int u = 0; u < units; u++) db[u] += dy[(size_t)i * units + u];
  GemmArgs gw;  // dW[units×in] += dYᵀ[units×n] · X[n×in]
  gw.trans_a = true, gw.M = units, gw.N = in, gw.K = n;
  gw.A = dy, gw.lda = units, gw.B = x, gw.ldb = in, gw.C = dw, gw.ldc = in, gw.accumulate = true;
  gw.pack = gemm_pack;
  gemm(gw);
  if (!dx) return;
  GemmArgs gx;  // dX[n×in] = dY[n×units] · W[units×in]
  gx.M = n, gx.N = in, gx.K = units;
  gx.A = dy, gx.lda = units, gx.B = w, gx.ldb = in, gx.C = dx, gx.ldc = in;
  gx.pack = gemm_pack;
  gemm(gx);
}

void relu_forward(const float* x, size_t n, float* y) {
  for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
// dy is read whether or not it is passed on: a load under the condition keeps compilers from
// vectorising the loop (they may not read what the plain loop would not).
void relu_backward(const float* x, size_t n, const float* dy, float* dx) {
  for (size_t i = 0; i < n; i++) {
    const float d = dy[i];
    dx[i] = x[i] > 0.0f ? d : 0.0f;
  }
}
void leaky_relu_forward(const float* x, size_t n, float alpha, float* y) {
  for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : alpha * x[i];
}
void leaky_relu_backward(const float* x, size_t n, float alpha, const float* dy, float* dx) {
  for (size_t i = 0; i < n; i++) {
    const float d = dy[i];
    dx[i] = x[i] > 0.0f ? d : alpha * d;
  }
}
void sigmoid_forward(const float* x, size_t n, float* y) {
  for (size_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
}
void sigmoid_backward(const float* y, size_t n, const float* dy, float* dx) {
  for (size_t i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}
void tanh_forward(const float* x, size_t n, float* y) {
  for (size_t i = 0; i < n; i++) y[i] = std::tanh(x[i]);
}
void tanh_backward(const float* y, size_t n, const float* dy, float* dx) {
  for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}
void dropout_forward(const float* x, size_t n, const float* mask, float* y) {
  for (size_t i = 0; i < n; i++) y[i] = x[i] * mask[i];
}
void dropout_backward(const float* mask, size_t n, const float* dy, float* dx) {
  for (size_t i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
}

void softmax_forward(const float* logits, int n, int classes, float* probs) {
  for (int i = 0; i < n; i++) {
    const float* z = logits + (size_t)i * classes;
    float* p = probs + (size_t)i * classes;
    float zmax = *std::max_element(z, z + classes), sum = 0.0f;
    for (int k = 0; k < classes; k++) sum += p[k] = std::exp(z[k] - zmax);
    for (int k = 0; k < classes; k++) p[k] /= sum;
  }
}

float softmax_cross_entropy(const float* logits, const uint8_t* labels, int n, int classes, float* probs,
                            float* dlogits) {
  return (float)(softmax_cross_entropy_sum(logits, labels, n, classes, probs, dlogits, n) / n);
}

double softmax_cross_entropy_sum(const float* logits, const uint8_t* labels, int n, int classes, float* probs,
                                 float* dlogits, int batch_n) {
  softmax_forward(logits, n, classes, probs);
  double loss = 0.0;
  for (int i = 0; i < n; i++) {
    const float* p = probs + (size_t)i * classes;
    // −log p computed from the logits (log-sum-exp) so a tiny p never gives −log 0 = ∞
    const float* z = logits + (size_t)i * classes;
    float zmax = *std::max_element(z, z + classes), sum = 0.0f;
    for (int k = 0; k < classes; k++) sum += std::exp(z[k] - zmax);
    loss += std::log(sum) + zmax - z[labels[i]];
    if (!dlogits) continue;
    float* d = dlogits + (size_t)i * classes;
    for (int k = 0; k < classes; k++) d[k] = (p[k] - (k == labels[i] ? 1.0f : 0.0f)) / batch_n;
  }
  return loss;
}

}  // namespace convlab
