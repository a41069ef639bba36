#include <doctest/doctest.h>

#include "helpers.h"
#include "ops.h"

using namespace convlab;

TEST_CASE("dense: y = Wx + b against a plain loop, gradients by finite differences") {
  Rng rng(4);
  for (int trial = 0; trial < 50; trial++) {
    int n = test::random_int(rng, 1, 4), in = test::random_int(rng, 1, 30), units = test::random_int(rng, 1, 12);
    auto x = test::random_vector(rng, n * in), w = test::random_vector(rng, units * in);
    auto b = test::random_vector(rng, units), dy = test::random_vector(rng, n * units);
    std::vector<float> y(n * units);
    dense_forward(x.data(), n, in, w.data(), b.data(), units, y.data());
    for (int i = 0; i < n; i++)
      for (int u = 0; u < units; u++) {
        double s = b[u];
        for (int k = 0; k < in; k++) s += (double)w[u * in + k] * x[i * in + k];
        CHECK(y[i * units + u] == doctest::Approx(s).epsilon(1e-4));
      }
    std::vector<float> dx(x.size()), dw(w.size(), 0.f), db(b.size(), 0.f);
    dense_backward(x.data(), n, in, w.data(), units, dy.data(), dx.data(), dw.data(), db.data());
    auto loss = [&] {
      dense_forward(x.data(), n, in, w.data(), b.data(), units, y.data());
      return test::dot(y, dy);
    };
    CHECK(test::gradient_check(x, dx, loss) < 1e-2);
    CHECK(test::gradient_check(w, dw, loss) < 1e-2);
    CHECK(test::gradient_check(b, db, loss) < 1e-2);
  }
}

TEST_CASE("activations: values and gradients by finite differences") {
  Rng rng(6);
  auto x = test::random_vector(rng, 200, -3, 3), dy = test::random_vector(rng, 200);
  for (float& v : x)
    if (std::fabs(v) < 0.05f) v = 0.5f;  // keep finite differences away from the kink at 0
  std::vector<float> y(200), dx(200);
  using Fwd = std::function<void()>;
  struct Case {
    const char* name;
    Fwd forward, backward;
  };
  const float alpha = 0.1f;
  Case cases[] = {
      {"relu", [&] { relu_forward(x.data(), 200, y.data()); },
       [&] { relu_backward(x.data(), 200, dy.data(), dx.data()); }},
      {"leaky_relu", [&] { leaky_relu_forward(x.data(), 200, alpha, y.data()); },
       [&] { leaky_relu_backward(x.data(), 200, alpha, dy.data(), dx.data()); }},
      {"sigmoid", [&] { sigmoid_forward(x.data(), 200, y.data()); },
       [&] { sigmoid_backward(y.data(), 200, dy.data(), dx.data()); }},
      {"tanh", [&] { tanh_forward(x.data(), 200, y.data()); },
       [&] { tanh_backward(y.data(), 200, dy.data(), dx.data()); }},
  };
  for (auto& c : cases) {
    INFO(c.name);
    c.forward();
    c.backward();
    auto loss = [&] {
      c.forward();
      return test::dot(y, dy);
    };
    CHECK(test::gradient_check(x, dx, loss, 1e-3f) < 1e-2);
  }
  relu_forward(x.data(), 200, y.data());
  CHECK(y[0] == std::max(0.0f, x[0]));
  sigmoid_forward(x.data(), 1, y.data());
  CHECK(y[0] == doctest::Approx(1 / (1 + std::exp(-x[0]))));
}

TEST_CASE("softmax cross-entropy: loss = mean −log p[label], gradient (p − onehot)/n, stable") {
  Rng rng(8);
  const int n = 3, classes = 5;
  auto z = test::random_vector(rng, n * classes, -4, 4);
  uint8_t labels[n] = {0, 3, 4};
  std::vector<float> p(n * classes), dz(n * classes);
  float loss = softmax_cross_entropy(z.data(), labels, n, classes, p.data(), dz.data());
  double ref = 0;
  for (int i = 0; i < n; i++) {
    double s = 0;
    for (int k = 0; k < classes; k++) s += std::exp((double)z[i * classes + k]);
    ref -= std::log(std::exp((double)z[i * classes + labels[i]]) / s);
  }
  CHECK(loss == doctest::Approx(ref / n).epsilon(1e-5));
  auto f = [&] { return (double)softmax_cross_entropy(z.data(), labels, n, classes, p.data(), nullptr); };
  CHECK(test::gradient_check(z, dz, f, 1e-2f) < 1e-2);
  // Huge logits: no overflow, no NaN
  float big[2] = {1000.0f, -1000.0f};
  uint8_t l1[1] = {1};
  float pb[2], db[2];
  float lb = softmax_cross_entropy(big, l1, 1, 2, pb, db);
  CHECK(std::isfinite(lb));
  CHECK(lb == doctest::Approx(2000.0f));
}

TEST_CASE("dropout: inverted scaling keeps the expectation") {
  std::vector<float> x(4, 2.0f), mask = {0.0f, 2.0f, 2.0f, 0.0f}, y(4), dx(4), dy(4, 1.0f);
  dropout_forward(x.data(), 4, mask.data(), y.data());
  CHECK(y[0] == 0);
  CHECK(y[1] == 4);
  dropout_backward(mask.data(), 4, dy.data(), dx.data());
  CHECK(dx[1] == 2);
  CHECK(dx[3] == 0);
}
