#include "scratch.h"

#include <cstdlib>
#include <new>

#ifdef __unix__
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace convkit {

namespace {

struct Buffer {
  float* data = nullptr;
  size_t capacity = 0;
  ~Buffer() { std::free(data); }
};

#ifdef __unix__
// CONVKIT_SCRATCH_GUARD=1, for tests: every call gets a fresh buffer of just the floats asked
// for (rounded up to 16, the alignment), ending where a page no access is allowed to begins,
// so that a kernel going past what it asked for stops with a segfault instead of quietly
// writing into memory that belongs to something else.
struct Guarded {
  void* base = nullptr;
  size_t length = 0;
  void release() {
    if (base) munmap(base, length);
    base = nullptr;
  }
  ~Guarded() { release(); }
};

float* guarded(Guarded& g, size_t floats) {
  g.release();
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t bytes = ((floats * sizeof(float) + 63) / 64) * 64, body = (bytes + page - 1) / page * page;
  g.length = body + page;
  g.base = mmap(nullptr, g.length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (g.base == MAP_FAILED || mprotect(static_cast<char*>(g.base) + body, page, PROT_NONE) != 0) {
    g.base = nullptr;
    throw std::bad_alloc();
  }
  return reinterpret_cast<float*>(static_cast<char*>(g.base) + body - bytes);
}

const bool kGuarded = [] {
  const char* setting = std::getenv("CONVKIT_SCRATCH_GUARD");
  return setting && setting[0] == '1';
}();
#endif

}  // namespace

float* scratch(ScratchSlot slot, size_t floats) {
#ifdef __unix__
  if (kGuarded) {
    thread_local Guarded guards[static_cast<int>(ScratchSlot::kCount)];
    return guarded(guards[static_cast<int>(slot)], floats);
  }
#endif
  thread_local Buffer buffers[static_cast<int>(ScratchSlot::kCount)];
  Buffer& b = buffers[static_cast<int>(slot)];
  if (b.capacity < floats) {
    std::free(b.data);
    size_t bytes = ((floats * sizeof(float) + 63) / 64) * 64;
    b.data = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!b.data) throw std::bad_alloc();
    b.capacity = floats;
  }
  return b.data;
}

}  // namespace convkit
