#include "thread_pool.h"

#include <string>
#include <thread>

#include "error.h"

namespace convlab {

ThreadPool& ThreadPool::shared() {
  static ThreadPool pool;
  return pool;
}

// Workers are detached and share the state: they leave when told to stop, and the last one frees it.
ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
  }
  state_->start.notify_all();
}

void ThreadPool::reserve(int threads) {
  std::lock_guard<std::mutex> grow(grow_mutex_);
  try {
    for (; workers_ + 1 < threads; workers_++) std::thread(worker, state_, workers_).detach();
  } catch (const std::exception& e) {
    throw Error("cannot start " + std::to_string(threads) + " threads here (" + e.what() + ")");
  }
}

// Takes tasks until none is left; the lock is held only to take one.
void ThreadPool::work_on(State& s, int thread) {
  std::unique_lock<std::mutex> lock(s.mutex);
  while (s.next < s.count) {
    const int i = s.next++;
    lock.unlock();
    s.fn(s.ctx, i, thread);
    lock.lock();
    s.finished++;
  }
}

void ThreadPool::worker(std::shared_ptr<State> state, int thread) {
  State& s = *state;
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(s.mutex);
  for (;;) {
    s.start.wait(lock, [&] { return s.stopping || s.generation != seen; });
    if (s.stopping) return;
    seen = s.generation;
    if (thread >= s.helpers) continue;  // this run wants fewer threads
    s.busy++;
    lock.unlock();
    work_on(s, thread);
    lock.lock();
    s.busy--;
    if (s.finished == s.count && s.busy == 0) s.done.notify_all();
  }
}

void ThreadPool::run_tasks(int count, int threads, Trampoline fn, void* ctx) {
  if (count <= 0) return;
  const int caller = threads - 1;
  std::unique_lock<std::mutex> own(run_mutex_, std::defer_lock);
  if (threads == 1 || count == 1 || !own.try_lock()) {  // nothing to share, or the workers are busy
    for (int i = 0; i < count; i++) fn(ctx, i, caller);
    return;
  }
  reserve(threads);
  State& s = *state_;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.fn = fn, s.ctx = ctx, s.count = count, s.next = 0, s.finished = 0, s.helpers = threads - 1;
    s.generation++;
  }
  s.start.notify_all();
  work_on(s, caller);
  std::unique_lock<std::mutex> lock(s.mutex);
  // every task finished, and no worker still inside this run's work_on (one that has not started
  // yet is not waited for: it finds no task left when it does)
  s.done.wait(lock, [&] { return s.finished == s.count && s.busy == 0; });
  s.count = 0, s.helpers = 0;
}

}  // namespace convlab
