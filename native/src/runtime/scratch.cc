#include "scratch.h"

#include <cstdlib>
#include <new>

namespace convkit {

namespace {
struct Buffer {
  float* data = nullptr;
  size_t capacity = 0;
  ~Buffer() { std::free(data); }
};
}  // namespace

float* scratch(ScratchSlot slot, size_t floats) {
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
