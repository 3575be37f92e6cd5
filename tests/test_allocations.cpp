// Steady-state training steps allocate nothing.
//
// This executable replaces the global operator new / delete (every form: plain, array,
// nothrow, aligned, sized) with counting versions, and on glibc (without sanitizers) also
// interposes malloc / calloc / realloc, because Eigen allocates through std::malloc, not
// operator new. After two warm-up steps (buffers grow to the batch size, Adam creates its
// state, OpenMP starts its threads), ten further steps of
//   (a) the NS step: UniformSampler + JointUpdate (BCE) + Adam, and
//   (b) the IG meta step: UniformSampler + InverseGradient<> (IDL, BCE) + Adam,
// for GMF<float> and NeuMF<float> must make zero heap allocations. On failure the test prints
// the call stack of the first allocation inside the measured window (resolve the addresses
// with addr2line -e <this test> -f -C, or break on `alloc_probe::hit` in gdb).

#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "invlearn/ig.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define INVLEARN_ALLOC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define INVLEARN_ALLOC_SANITIZED 1
#endif
#endif

#if defined(__GLIBC__) && !defined(INVLEARN_ALLOC_SANITIZED)
#define INVLEARN_ALLOC_COUNT_MALLOC 1
#include <execinfo.h>
#endif

// ---------------------------------------------------------------------------
// Counting hooks
// ---------------------------------------------------------------------------

namespace alloc_probe {

std::atomic<bool> active{false};
std::atomic<long> news{0};     ///< operator new calls (any form) while active
std::atomic<long> deletes{0};  ///< operator delete calls (any form, non-null) while active
std::atomic<long> mallocs{0};  ///< malloc / calloc / realloc calls while active (glibc only)

#if defined(INVLEARN_ALLOC_COUNT_MALLOC)
constexpr int kFrames = 48;
void* first_stack[kFrames];
std::atomic<int> first_depth{0};
std::atomic<bool> have_stack{false};
thread_local bool in_probe = false;
#endif

/// Called on every counted allocation: a place for a gdb breakpoint.
__attribute__((noinline)) void hit() {
#if defined(INVLEARN_ALLOC_COUNT_MALLOC)
  if (in_probe) return;
  bool expected = false;
  if (have_stack.compare_exchange_strong(expected, true)) {
    in_probe = true;
    first_depth = backtrace(first_stack, kFrames);
    in_probe = false;
  }
#endif
  asm volatile("" ::: "memory");
}

#if defined(INVLEARN_ALLOC_COUNT_MALLOC)
// backtrace() loads libgcc's unwinder on first use: do that now, not inside a counted call.
const int warm_backtrace = [] {
  void* frames[2];
  return backtrace(frames, 2);
}();
#endif

inline void on_new() {
  if (active.load(std::memory_order_relaxed)) {
    news.fetch_add(1, std::memory_order_relaxed);
    hit();
  }
}
inline void on_delete(void* p) {
  if (p != nullptr && active.load(std::memory_order_relaxed)) deletes.fetch_add(1, std::memory_order_relaxed);
}

void* allocate(std::size_t n) {
  on_new();
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* allocate_nothrow(std::size_t n) noexcept {
  on_new();
  return std::malloc(n == 0 ? 1 : n);
}
void* allocate_aligned_nothrow(std::size_t n, std::align_val_t al) noexcept {
  on_new();
  std::size_t a = static_cast<std::size_t>(al);
  if (a < sizeof(void*)) a = sizeof(void*);
  void* p = nullptr;
  if (posix_memalign(&p, a, n == 0 ? 1 : n) != 0) return nullptr;
  return p;
}
void* allocate_aligned(std::size_t n, std::align_val_t al) {
  void* p = allocate_aligned_nothrow(n, al);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void release(void* p) noexcept {
  on_delete(p);
  std::free(p);
}

struct Counts {
  long news, deletes, mallocs;
};
void start() {
  news = 0;
  deletes = 0;
  mallocs = 0;
#if defined(INVLEARN_ALLOC_COUNT_MALLOC)
  have_stack = false;
  first_depth = 0;
#endif
  active = true;
}
Counts stop() {
  active = false;
  return Counts{news.load(), deletes.load(), mallocs.load()};
}
void print_first_stack() {
#if defined(INVLEARN_ALLOC_COUNT_MALLOC)
  if (have_stack && first_depth > 0) {
    std::fprintf(stderr, "first allocation inside the measured steps:\n");
    backtrace_symbols_fd(first_stack, first_depth, 2);
  }
#endif
}

}  // namespace alloc_probe

void* operator new(std::size_t n) { return alloc_probe::allocate(n); }
void* operator new[](std::size_t n) { return alloc_probe::allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return alloc_probe::allocate_nothrow(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return alloc_probe::allocate_nothrow(n); }
void* operator new(std::size_t n, std::align_val_t al) { return alloc_probe::allocate_aligned(n, al); }
void* operator new[](std::size_t n, std::align_val_t al) { return alloc_probe::allocate_aligned(n, al); }
void* operator new(std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  return alloc_probe::allocate_aligned_nothrow(n, al);
}
void* operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  return alloc_probe::allocate_aligned_nothrow(n, al);
}
void operator delete(void* p) noexcept { alloc_probe::release(p); }
void operator delete[](void* p) noexcept { alloc_probe::release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { alloc_probe::release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { alloc_probe::release(p); }
void operator delete(void* p, std::size_t) noexcept { alloc_probe::release(p); }
void operator delete[](void* p, std::size_t) noexcept { alloc_probe::release(p); }
void operator delete(void* p, std::align_val_t) noexcept { alloc_probe::release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { alloc_probe::release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { alloc_probe::release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { alloc_probe::release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { alloc_probe::release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { alloc_probe::release(p); }

#if defined(INVLEARN_ALLOC_COUNT_MALLOC)
// glibc: the C allocator itself, so Eigen's (std::malloc-based) allocations are counted too.
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);

void* malloc(std::size_t n) {
  if (alloc_probe::active.load(std::memory_order_relaxed) && !alloc_probe::in_probe) {
    alloc_probe::mallocs.fetch_add(1, std::memory_order_relaxed);
    alloc_probe::hit();
  }
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
  if (alloc_probe::active.load(std::memory_order_relaxed) && !alloc_probe::in_probe) {
    alloc_probe::mallocs.fetch_add(1, std::memory_order_relaxed);
    alloc_probe::hit();
  }
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
  if (alloc_probe::active.load(std::memory_order_relaxed) && !alloc_probe::in_probe) {
    alloc_probe::mallocs.fetch_add(1, std::memory_order_relaxed);
    alloc_probe::hit();
  }
  return __libc_realloc(p, n);
}
}
#endif

// ---------------------------------------------------------------------------
// The steps
// ---------------------------------------------------------------------------

namespace {

using namespace invlearn;

constexpr Index kUsers = 500;
constexpr Index kItems = 500;
constexpr Index kBatch = 256;
constexpr int kWarmup = 2;
constexpr int kMeasured = 10;

Interactions labeled_rows() {
  Interactions t;
  t.num_users = kUsers;
  t.num_items = kItems;
  Rng rng(11, Stream::synthetic);
  const Index n = (kWarmup + kMeasured) * kBatch;
  t.reserve(static_cast<std::size_t>(n));
  for (Index k = 0; k < n; ++k)
    t.push_back(rng.index(kUsers), rng.index(kItems), rng.uniform() < 0.5 ? 1.0f : 0.0f);
  return t;
}

GMF<float> small_model(GMF<float>*) { return GMF<float>(kUsers, kItems, GMFOptions{}, 42); }
NeuMF<float> small_model(NeuMF<float>*) {
  NeuMFOptions o;
  o.dim = 8;
  return NeuMF<float>(kUsers, kItems, o, 42);
}

/// Runs kWarmup + kMeasured steps of `Policy` (sampling included) and returns the counts
/// of the measured ones.
template <class Model, class Policy, class UnlabeledLoss>
alloc_probe::Counts measure_steps() {
  Model model = small_model(static_cast<Model*>(nullptr));
  const Interactions rows = labeled_rows();
  UniformSampler sampler;
  sampler.prepare(rows, nullptr, TruthFn());
  using S = typename Model::Scalar;
  Adam::State<S> adam(Adam(1e-3), model.parameters());
  BCE bce;
  UnlabeledLoss unlabeled_loss;
  StepBuffers<Model> buffers(model, 4 * kBatch);  // as Trainer::fit sizes them
  StepContext<Model, BCE, UnlabeledLoss, Adam::State<S>> ctx{model, adam, bce, unlabeled_loss, buffers, 1e-4};
  auto policy = make_state<S>(Policy{}, model.parameters());
  UnlabeledBatch unlabeled;
  Rng rng(42, Stream::sampler);
  int meta = 0;
  auto step = [&](int b) {
    const BatchView labeled = rows.view().slice(static_cast<Index>(b) * kBatch, kBatch);
    sampler.sample(labeled, rng, unlabeled);
    StepRecord rec;
    policy.step(ctx, labeled, &unlabeled, rec);
    meta += rec.is_meta() ? 1 : 0;
  };
  for (int b = 0; b < kWarmup; ++b) step(b);
  alloc_probe::start();
  for (int b = kWarmup; b < kWarmup + kMeasured; ++b) step(b);
  const alloc_probe::Counts c = alloc_probe::stop();
  if (c.news != 0 || c.mallocs != 0) alloc_probe::print_first_stack();
  if (Policy::is_meta) REQUIRE(meta == kWarmup + kMeasured);
  return c;
}

#define INVLEARN_CHECK_NO_ALLOCATIONS(counts)                                                 \
  do {                                                                                         \
    const alloc_probe::Counts c_ = (counts);                                                   \
    INFO("operator new: " << c_.news << ", operator delete: " << c_.deletes                    \
                          << ", malloc/calloc/realloc (glibc): " << c_.mallocs << " in "       \
                          << kMeasured << " steps");                                           \
    CHECK(c_.news == 0);                                                                       \
    CHECK(c_.mallocs == 0);                                                                    \
  } while (0)

}  // namespace

TEST_CASE("alloc: the counting hooks see allocations", "[alloc]") {
  alloc_probe::start();
  auto* p = new std::vector<float>(1000);
  delete p;
  Eigen::VectorXf v(1000);
  v.setZero();
  const alloc_probe::Counts c = alloc_probe::stop();
  CHECK(c.news >= 2);  // the vector object and its buffer
  CHECK(c.deletes >= 2);
#if defined(INVLEARN_ALLOC_COUNT_MALLOC)
  CHECK(c.mallocs >= 3);  // operator new goes through malloc; Eigen calls malloc itself
#endif
}

TEST_CASE("alloc: NS step on GMF allocates nothing after warm-up", "[alloc]") {
  INVLEARN_CHECK_NO_ALLOCATIONS((measure_steps<GMF<float>, JointUpdate, BCE>()));
}

TEST_CASE("alloc: NS step on NeuMF allocates nothing after warm-up", "[alloc]") {
  INVLEARN_CHECK_NO_ALLOCATIONS((measure_steps<NeuMF<float>, JointUpdate, BCE>()));
}

TEST_CASE("alloc: IG meta step on GMF allocates nothing after warm-up", "[alloc]") {
  INVLEARN_CHECK_NO_ALLOCATIONS((measure_steps<GMF<float>, InverseGradient<>, InverseDual>()));
}

TEST_CASE("alloc: IG meta step on NeuMF allocates nothing after warm-up", "[alloc]") {
  INVLEARN_CHECK_NO_ALLOCATIONS((measure_steps<NeuMF<float>, InverseGradient<>, InverseDual>()));
}
