// Dense layer, activations, dropout and the fused softmax cross-entropy loss.
#pragma once
#include <cstddef>
#include <cstdint>

namespace convlab {

// y[n][u] = b[u] + Σ_i w[u][i] · x[n][i]     (w is [units][in]); gemm_pack: see GemmArgs::pack
void dense_forward(const float* x, int n, int in, const float* w, const float* b, int units, float* y,
                   float* gemm_pack = nullptr);
// dx = dy·W (overwritten, may be null), dW += dyᵀ·x, db += Σ_n dy
void dense_backward(const float* x, int n, int in, const float* w, int units, const float* dy, float* dx,
                    float* dw, float* db, float* gemm_pack = nullptr);

// relu: y = max(0, x); leaky_relu: y = x > 0 ? x : α·x; sigmoid: y = 1/(1+e^{−x}); tanh: y = tanh x.
// The backward passes use y (not x) where that is enough: σ' = y(1−y), tanh' = 1 − y².
void relu_forward(const float* x, size_t n, float* y);
void relu_backward(const float* x, size_t n, const float* dy, float* dx);
void leaky_relu_forward(const float* x, size_t n, float alpha, float* y);
void leaky_relu_backward(const float* x, size_t n, float alpha, const float* dy, float* dx);
void sigmoid_forward(const float* x, size_t n, float* y);
void sigmoid_backward(const float* y, size_t n, const float* dy, float* dx);
void tanh_forward(const float* x, size_t n, float* y);
void tanh_backward(const float* y, size_t n, const float* dy, float* dx);

// Inverted dropout: mask is 0 or 1/(1−rate), drawn by the caller; y = x·mask, dx = dy·mask.
void dropout_forward(const float* x, size_t n, const float* mask, float* y);
void dropout_backward(const float* mask, size_t n, const float* dy, float* dx);

// probs = softmax(logits) per row; returns mean over the batch of −log p[label];
// dlogits = (probs − onehot(label)) / n (may be null).
void softmax_forward(const float* logits, int n, int classes, float* probs);
float softmax_cross_entropy(const float* logits, const uint8_t* labels, int n, int classes, float* probs,
                            float* dlogits);
// The same for a shard of a batch of batch_n: returns the sum of −log p[label] over its n rows,
// dlogits = (probs − onehot(label)) / batch_n.
double softmax_cross_entropy_sum(const float* logits, const uint8_t* labels, int n, int classes, float* probs,
                                 float* dlogits, int batch_n);

}  // namespace convlab
