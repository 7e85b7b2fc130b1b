// gdln/thread_pool.h — gdln's own fixed pool of compute threads, so training
// never occupies libuv's pool beyond the one coordinating thread. Work is split
// into a fixed partition of [0, n) that depends only on n, the grain and
// size(), never on timing, so reductions are reproducible run to run (for a
// given pool size).
#pragma once

#include <cstdint>
#include <functional>

namespace gdln {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // 0 = hardware_concurrency()
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const;
  // Calls fn(begin, end) on disjoint chunks covering [0, n); blocks until all
  // are done. min(size(), n / grain) chunks (at least 1), as even as possible,
  // so each is at least `grain` long when n >= grain; the caller runs chunks
  // too. Exceptions thrown by fn are rethrown on the calling thread (the first
  // one wins; chunks not started yet are skipped). A call made while the pool
  // is busy (nested inside fn, or from another thread) runs its chunks inline
  // on its own thread, so nesting never deadlocks.
  void parallel_for(int64_t n, int64_t grain,
                    const std::function<void(int64_t, int64_t)>& fn);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace gdln
