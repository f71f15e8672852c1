#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace convkit {
namespace {

// How long a thread that waits for the pool spins before it sleeps. A training step runs
// hundreds of parallel calls a few microseconds of JavaScript apart; a sleeping thread takes
// tens of microseconds to wake (a futex, and in a VM an interrupt to a halted vCPU), which
// the step paid twice per call (worker woken, caller woken). CONVKIT_SPIN_US overrides it
// (0: always sleep).
std::chrono::microseconds spin_budget() {
  static const std::chrono::microseconds budget([] {
    const char* env = std::getenv("CONVKIT_SPIN_US");
    return env ? std::max(0, std::atoi(env)) : 500;
  }());
  return budget;
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins until done() or the budget runs out; returns done().
template <typename Done>
bool spin_until(const Done& done) {
  const auto budget = spin_budget();
  if (budget.count() == 0) return done();
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0;; ++round) {
    if (done()) return true;
    if ((round & 63) == 63 && std::chrono::steady_clock::now() - start > budget) return done();
    cpu_relax();
  }
}

// One parallel_for call. Workers join it under the pool's mutex while it is published, and
// run() waits until all that joined have left, so the job can live on run()'s stack.
struct Job {
  const std::function<void(int64_t, int)>* task;
  int64_t count;
  std::atomic<int64_t> next{0};
  std::atomic<int> helpers{0};
};

class ThreadPool {
 public:
  explicit ThreadPool(int count) { resize(count); }
  ~ThreadPool() { stop_workers(); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int count) {
    stop_workers();
    stopping_ = false;
    for (int t = 1; t < std::max(1, count); ++t) workers_.emplace_back([this, t] { work_loop(t); });
  }

  void run(int64_t count, const std::function<void(int64_t, int)>& task) {
    if (count <= 0) return;
    if (workers_.empty() || count == 1) {
      for (int64_t i = 0; i < count; ++i) task(i, 0);
      return;
    }
    Job job{&task, count};
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &job;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    drain(job, 0);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = nullptr;  // latecomers find no job
    }
    auto finished = [&] { return job.helpers.load(std::memory_order_acquire) == 0; };
    if (spin_until(finished)) return;
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, finished);
  }

 private:
  static void drain(Job& job, int thread) {
    for (int64_t i = job.next.fetch_add(1); i < job.count; i = job.next.fetch_add(1)) (*job.task)(i, thread);
  }

  void work_loop(int thread) {
    uint64_t seen = 0;
    for (;;) {
      spin_until([&] { return generation_.load(std::memory_order_acquire) != seen || stopping_; });
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      Job* job = job_;
      if (!job) continue;
      job->helpers.fetch_add(1, std::memory_order_relaxed);
      lock.unlock();
      drain(*job, thread);
      if (job->helpers.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        // The caller may be about to sleep: taking the mutex orders this notify after its
        // check of `helpers` (no lost wake-up). `job` is not touched again: it may be gone.
        std::lock_guard<std::mutex> sync(mutex_);
        done_.notify_all();
      }
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  Job* job_ = nullptr;
  // Changed under the mutex, read without it by spinning workers.
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stopping_{false};
};

int default_threads() {
  if (const char* env = std::getenv("CONVKIT_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

ThreadPool& pool() {
  static ThreadPool instance(default_threads());
  return instance;
}

}  // namespace

void parallel_for(int64_t count, const std::function<void(int64_t, int)>& task) {
  pool().run(count, task);
}

void parallel_range(int64_t total, int64_t grain,
                    const std::function<void(int64_t, int64_t)>& body) {
  if (total <= 0) return;
  int64_t chunks = std::min<int64_t>(threads(), (total + grain - 1) / std::max<int64_t>(grain, 1));
  chunks = std::max<int64_t>(chunks, 1);
  int64_t step = (total + chunks - 1) / chunks;
  parallel_for(chunks, [&](int64_t c, int) {
    int64_t begin = c * step, end = std::min(total, begin + step);
    if (begin < end) body(begin, end);
  });
}

int threads() { return pool().size(); }
void set_threads(int count) { pool().resize(count); }

}  // namespace convkit
