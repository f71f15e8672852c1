// A fixed pool of worker threads; the calling thread joins in, so a pool of N threads
// uses N-1 workers. Sized to the cores, or to CONVKIT_THREADS when set.
#pragma once
#include <cstdint>
#include <functional>

namespace convkit {

// Runs task(i, thread) for i in [0, count), spread over the pool; returns when all are done.
// `thread` is in [0, threads()) and lets a task use per-thread scratch memory.
void parallel_for(int64_t count, const std::function<void(int64_t task, int thread)>& task);

// Splits [0, total) into contiguous chunks of at least `grain` items, one task per chunk.
void parallel_range(int64_t total, int64_t grain,
                    const std::function<void(int64_t begin, int64_t end)>& body);

int threads();
void set_threads(int count);

}  // namespace convkit
