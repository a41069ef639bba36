#include "thread_pool.h"

#include <string>

#include "error.h"

namespace convlab {

ThreadPool::ThreadPool(int threads) {
  try {
    for (int t = 0; t + 1 < threads; t++) workers_.emplace_back([this, t] { worker(t); });
  } catch (const std::exception& e) {  // a host without threads (no shared memory), or too many
    stop();
    throw Error("cannot start " + std::to_string(threads) + " threads here (" + e.what() + ")");
  }
}

ThreadPool::~ThreadPool() { stop(); }

void ThreadPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (std::thread& w : workers_) w.join();
  workers_.clear();
}

// Takes tasks until none is left; the lock is held only to take one.
void ThreadPool::work_on(int thread) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (next_ < count_) {
    const int i = next_++;
    lock.unlock();
    fn_(ctx_, i, thread);
    lock.lock();
    finished_++;
  }
}

void ThreadPool::worker(int thread) {
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
    if (stopping_) return;
    seen = generation_;
    busy_++;
    lock.unlock();
    work_on(thread);
    lock.lock();
    busy_--;
    if (finished_ == count_ && busy_ == 0) done_.notify_all();
  }
}

void ThreadPool::run_tasks(int count, Trampoline fn, void* ctx) {
  if (count <= 0) return;
  const int caller = (int)workers_.size();
  if (workers_.empty() || count == 1) {  // nothing to share
    for (int i = 0; i < count; i++) fn(ctx, i, caller);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = fn, ctx_ = ctx, count_ = count, next_ = 0, finished_ = 0;
    generation_++;
  }
  start_.notify_all();
  work_on(caller);
  std::unique_lock<std::mutex> lock(mutex_);
  // every task finished, and no worker still inside this generation's work_on
  done_.wait(lock, [&] { return finished_ == count_ && busy_ == 0; });
  count_ = 0;
}

}  // namespace convlab
