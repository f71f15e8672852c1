// Per-thread scratch memory that grows on demand and is reused across calls, so hot
// kernels never allocate. 64-byte aligned for vector loads.
#pragma once
#include <cstddef>

namespace convkit {

// kPadded holds a kernel's padded copy of its input (pad_image), made by the calling
// thread before its parallel work, which uses the other slots; kFilter a kernel's
// rearranged copy of its filter, made before it calls another kernel that convolves with it;
// kHeld outputs a kernel holds on their way to another result (a conv's tiles to their pool).
enum class ScratchSlot { kPackA, kPackB, kKernel, kPadded, kFilter, kHeld, kCount };

// A buffer of at least `floats` floats for the calling thread; valid until the next call
// with the same slot on the same thread. CONVKIT_SCRATCH_GUARD=1 (tests) puts a page no
// access is allowed to right after the floats asked for (scratch.cc).
float* scratch(ScratchSlot slot, size_t floats);

}  // namespace convkit
