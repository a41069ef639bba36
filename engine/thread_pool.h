// A small fixed pool of threads for data-parallel work: run(count, task) calls task(i, thread) for
// every i in [0, count) on the pool's threads and the caller, and returns when all are done.
// Dispatch allocates nothing (no std::function): a training step stays allocation-free. Which
// thread runs which task varies; callers keep results per task, never per thread, so that they do
// not depend on the thread count. (std::thread: Emscripten runs it on Web Workers.)
#pragma once
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace convlab {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads − 1 workers, the caller the last; an Error if they cannot start
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  int threads() const { return (int)workers_.size() + 1; }

  template <class F>
  void run(int count, F& task) {
    run_tasks(count, [](void* f, int i, int thread) { (*static_cast<F*>(f))(i, thread); }, &task);
  }

 private:
  using Trampoline = void (*)(void*, int, int);
  void run_tasks(int count, Trampoline fn, void* ctx);
  void stop();
  void worker(int thread);
  void work_on(int thread);
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  Trampoline fn_ = nullptr;
  void* ctx_ = nullptr;
  int count_ = 0, next_ = 0, finished_ = 0, busy_ = 0;
};

}  // namespace convlab
