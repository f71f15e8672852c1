#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace convkit {
namespace {

// One parallel_for call. Workers that joined it are counted in `helpers`, and run() waits
// until they have all left, so the job can live on run()'s stack.
struct Job {
  const std::function<void(int64_t, int)>* task;
  int64_t count;
  std::atomic<int64_t> next{0};
  int helpers = 0;  // guarded by the pool's mutex
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
      ++generation_;
    }
    wake_.notify_all();
    drain(job, 0);
    std::unique_lock<std::mutex> lock(mutex_);
    job_ = nullptr;  // latecomers find no job
    done_.wait(lock, [&] { return job.helpers == 0; });
  }

 private:
  static void drain(Job& job, int thread) {
    for (int64_t i = job.next.fetch_add(1); i < job.count; i = job.next.fetch_add(1)) (*job.task)(i, thread);
  }

  void work_loop(int thread) {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      Job* job = job_;
      if (!job) continue;
      ++job->helpers;
      lock.unlock();
      drain(*job, thread);
      lock.lock();
      if (--job->helpers == 0) done_.notify_all();
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
  uint64_t generation_ = 0;
  bool stopping_ = false;
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
