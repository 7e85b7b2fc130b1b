// native/core/thread_pool.cc — gdln's fixed pool of compute threads.
//
// Promise: parallel_for(n, grain, fn) calls fn(begin, end) exactly once for
// each chunk of a fixed partition of [0, n): chunks = clamp(n / grain, 1,
// size()), split as evenly as possible (sizes differ by at most one; each is
// >= grain whenever n >= grain). The partition depends only on n, grain and
// size(), never on timing. The calling thread runs chunks too; idle workers
// sleep on a condition variable (no spinning). The first exception thrown by
// fn is rethrown on the caller after every started chunk has finished; chunks
// not yet started when it was thrown are skipped. The pool runs one job at a
// time: a call made while it is busy (fn calling parallel_for, directly or
// through another pool, or a second outside thread) runs the same chunks
// inline, in order, on its own thread, so nesting can never deadlock.
// Destroying the pool joins its workers; it must not race a parallel_for.
#include "gdln/thread_pool.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace gdln {

namespace {

struct Partition {
  int64_t n, chunks, base, extra;  // first `extra` chunks get base + 1
  Partition(int64_t n_, int64_t grain, int64_t max_chunks) : n(n_) {
    chunks = std::max<int64_t>(1, std::min<int64_t>(n / grain, max_chunks));
    base = n / chunks;
    extra = n % chunks;
  }
  int64_t begin(int64_t c) const { return c * base + std::min(c, extra); }
  int64_t end(int64_t c) const { return begin(c + 1); }
};

}  // namespace

struct ThreadPool::Impl {
  int size = 1;
  std::vector<std::thread> workers;

  std::mutex submit_mu;  // held by the caller of the running job

  // Everything below is guarded by mu.
  std::mutex mu;
  std::condition_variable work_cv;  // workers wait here for a job
  std::condition_variable done_cv;  // the caller waits here for the end
  bool stopping = false;
  uint64_t generation = 0;  // bumped per job, so a worker joins each job once
  const std::function<void(int64_t, int64_t)>* fn = nullptr;
  const Partition* part = nullptr;
  int64_t next_chunk = 0;
  int64_t chunks_running = 0;
  int workers_inside = 0;  // workers holding a pointer into the current job
  std::exception_ptr error;

  // Claims and runs chunks of the current job until none is left. Called
  // with `lk` held; returns with it held.
  void drain(std::unique_lock<std::mutex>& lk) {
    const auto* f = fn;
    const Partition* p = part;
    while (next_chunk < p->chunks && !error) {
      const int64_t c = next_chunk++;
      ++chunks_running;
      lk.unlock();
      std::exception_ptr err;
      try {
        (*f)(p->begin(c), p->end(c));
      } catch (...) {
        err = std::current_exception();
      }
      lk.lock();
      --chunks_running;
      if (err && !error) error = err;
    }
  }

  void worker_loop() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lk(mu);
    for (;;) {
      work_cv.wait(lk, [&] { return stopping || generation != seen; });
      if (stopping) return;
      seen = generation;
      if (fn == nullptr) continue;  // the job already ended
      ++workers_inside;
      drain(lk);
      --workers_inside;
      if (workers_inside == 0 && chunks_running == 0) done_cv.notify_all();
    }
  }
};

ThreadPool::ThreadPool(int threads) : impl_(new Impl) {
  if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
  impl_->size = std::max(1, threads);
  try {
    impl_->workers.reserve(static_cast<size_t>(impl_->size - 1));
    for (int i = 1; i < impl_->size; ++i) {
      impl_->workers.emplace_back([impl = impl_] { impl->worker_loop(); });
    }
  } catch (...) {
    // Could not start every thread: stop the ones that did, then fail.
    {
      std::lock_guard<std::mutex> lk(impl_->mu);
      impl_->stopping = true;
    }
    impl_->work_cv.notify_all();
    for (auto& t : impl_->workers) t.join();
    delete impl_;
    throw;
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->stopping = true;
  }
  impl_->work_cv.notify_all();
  for (auto& t : impl_->workers) t.join();
  delete impl_;
}

int ThreadPool::size() const { return impl_->size; }

void ThreadPool::parallel_for(int64_t n, int64_t grain,
                              const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  if (n <= grain || impl_->size == 1) {
    fn(0, n);  // a single chunk: no synchronisation at all
    return;
  }
  const Partition part(n, grain, impl_->size);
  if (part.chunks == 1) {
    fn(0, n);
    return;
  }
  // The pool runs one job at a time. A call made while it is busy (nested
  // from fn, directly or through another pool's thread, or from another
  // outside thread) runs the same partition here, in order: blocking instead
  // could deadlock, since the running job may be waiting on this very call.
  std::unique_lock<std::mutex> submit(impl_->submit_mu, std::try_to_lock);
  if (!submit.owns_lock()) {
    for (int64_t c = 0; c < part.chunks; ++c) fn(part.begin(c), part.end(c));
    return;
  }
  std::unique_lock<std::mutex> lk(impl_->mu);
  impl_->fn = &fn;
  impl_->part = &part;
  impl_->next_chunk = 0;
  impl_->error = nullptr;
  ++impl_->generation;
  lk.unlock();
  // Wake only as many workers as there are chunks beyond the caller's own.
  for (int64_t c = 1; c < part.chunks; ++c) impl_->work_cv.notify_one();
  lk.lock();

  impl_->drain(lk);
  // fn and part live on this stack frame: wait until no worker can touch them.
  impl_->done_cv.wait(lk, [&] {
    return impl_->chunks_running == 0 && impl_->workers_inside == 0;
  });
  impl_->fn = nullptr;
  impl_->part = nullptr;
  std::exception_ptr err = impl_->error;
  impl_->error = nullptr;
  lk.unlock();
  if (err) std::rethrow_exception(err);
}

}  // namespace gdln
