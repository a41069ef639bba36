// The process's pool of threads for data-parallel work, shared by every network: its threads start
// the first time a run wants them and then wait for work (no thread is started or ended per step
// or per network). run(count, threads, task) calls task(i, thread) for every i in [0, count) on up
// to `threads` threads, the caller being one of them, and returns when all are done; thread ids
// are below `threads`. Dispatch allocates nothing (no std::function). Which thread runs which task
// varies: callers keep results per task, never per thread, so they do not depend on the count.
//
// Nothing waits for a thread to start — the caller takes tasks too — and a run that finds the pool
// busy (another network's step on another thread) does its tasks alone. Both matter under
// Emscripten, where std::thread is a Web Worker that may start only when the main thread's event
// loop runs again: a page or a node script must never block on one.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

namespace convlab {

class ThreadPool {
 public:
  static ThreadPool& shared();
  // Makes sure `threads` − 1 workers exist; an Error if this host cannot start them (no shared memory).
  void reserve(int threads);
  template <class F>
  void run(int count, int threads, F& task) {
    run_tasks(count, threads, [](void* f, int i, int thread) { (*static_cast<F*>(f))(i, thread); }, &task);
  }
  ~ThreadPool();

 private:
  using Trampoline = void (*)(void*, int, int);
  struct State {
    std::mutex mutex;
    std::condition_variable start, done;
    uint64_t generation = 0;
    bool stopping = false;
    Trampoline fn = nullptr;
    void* ctx = nullptr;
    int count = 0, next = 0, finished = 0, busy = 0, helpers = 0;  // helpers: workers this run may use
  };
  ThreadPool() = default;
  static void worker(std::shared_ptr<State> state, int thread);
  static void work_on(State& s, int thread);
  void run_tasks(int count, int threads, Trampoline fn, void* ctx);
  std::mutex run_mutex_;  // one run at a time uses the workers
  std::mutex grow_mutex_;
  int workers_ = 0;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace convlab
