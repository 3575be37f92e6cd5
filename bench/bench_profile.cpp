// Where the time of a GMF IG step goes (docs/performance.md, "Profile of the GMF IG step").
//
//   profile/ig_step/gmf/<rows>  the step of ig_step/gmf/<rows> (step_env.hpp: Trainer's step,
//                               InverseGradient<> with the default Adam) taken piece by piece,
//                               each piece the library call the step makes, with a clock read
//                               between pieces. Counter <piece>_us is the mean time of that
//                               piece per step; total_us their sum. The pieces of
//                               GMF::backward (per-sample row gradients, then the two
//                               SparseRows::assign_sum calls) are written out here; before
//                               timing, one step taken this way is checked to leave θ and
//                               Adam's moments bit for bit as InverseGradient<>::step does.
//   profile/omp_region/<threads>  one `parallel for` region with an empty body, as the
//                               step's loops open them: threads = 1 is the `if` clause false
//                               (every GMF loop below kParallelGrain), 2 a real team.
//
// The clock reads (steady_clock, ~20 ns each, 17 per step) are inside the pieces' times.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

#include "step_env.hpp"

namespace {

using namespace bench;

enum Piece : int {
  kCatchUpLabeled,
  kSampling,
  kCatchUpUnlabeled,
  kUnlabeledForward,
  kUnlabeledLoss,
  kUnlabeledRowGradients,
  kUnlabeledDedup,
  kUnlabeledCheck,
  kCandidates,
  kChoice,
  kApply,
  kLabeledLoss,
  kLabeledRowGradients,
  kLabeledDedup,
  kLabeledCheck,
  kAdam,
  kPieces
};

const char* const kPieceNames[kPieces] = {
    "catch_up_labeled", "sampling",          "catch_up_unlabeled", "unlabeled_forward", "unlabeled_loss",
    "unlabeled_rowgrad", "unlabeled_dedup",  "unlabeled_check",    "candidates",        "choice",
    "apply",            "labeled_loss",       "labeled_rowgrad",   "labeled_dedup",
    "labeled_check",    "adam"};

using Clock = std::chrono::steady_clock;

struct Timer {
  double seconds[kPieces] = {};
  Clock::time_point last = Clock::now();
  void start() { last = Clock::now(); }
  void tick(Piece p) {
    const Clock::time_point now = Clock::now();
    seconds[p] += std::chrono::duration<double>(now - last).count();
    last = now;
  }
};

using Env = StepEnv<GMF<float>>;
using S = float;

/// GMF::backward, written out so its two parts can be timed apart: the per-sample row
/// gradients (and the head's), then the two SparseRows::assign_sum calls.
void backward_in_parts(const GMF<S>& model, const BatchView& batch, GMFWorkspace<S>& ws, const S* dlogits,
                       Gradient<S>& grad, Timer* timer, Piece rowgrad, Piece dedup) {
  const Index n = batch.size;
  const Index d = model.dim();
  const auto& params = model.parameters();
  const bool at_theta = ws.rows_at_theta;  // after forward_candidates: the rows as θ is now
  const S* w = at_theta ? params.dense.data() : ws.head.data();
  auto eu = [&](Index k) { return at_theta ? params.tables[0].data() + batch.users[k] * d : ws.eu.row(k).data(); };
  auto ei = [&](Index k) { return at_theta ? params.tables[1].data() + batch.items[k] * d : ws.ei.row(k).data(); };
  S* dw = grad.dense.data();
  std::fill(dw, dw + d, S(0));
  S db = S(0);
  for (Index k = 0; k < n; ++k) {
    GMFPart<S>::row_gradients(dlogits[k], w, eu(k), ei(k), ws.du.row(k).data(), ws.di.row(k).data(), d);
    GMFPart<S>::add_head_gradient(dlogits[k], eu(k), ei(k), dw, d);
    db += dlogits[k];
  }
  grad.dense[d] = db;
  if (timer) timer->tick(rowgrad);
  grad.tables[0].assign_sum(batch.users, n, ws.du.topRows(n));
  grad.tables[1].assign_sum(batch.items, n, ws.di.topRows(n));
  if (timer) timer->tick(dedup);
}

/// One IG step of `env`, as Env::ig_step takes it, piece by piece.
StepRecord profiled_ig_step(Env& env, Timer* timer) {
  auto tick = [&](Piece p) {
    if (timer) timer->tick(p);
  };
  auto& model = env.model;
  auto& b = env.buffers;
  auto& params = model.parameters();
  if (timer) timer->start();
  const BatchView labeled = env.next_batch();
  env.adam.bring_up_to_date(params, labeled, env.keys);
  tick(kCatchUpLabeled);
  env.sampler.sample(labeled, env.rng, env.unlabeled);
  tick(kSampling);
  env.adam.bring_up_to_date(params, env.unlabeled.batch.view(), env.keys);
  tick(kCatchUpUnlabeled);

  StepRecord rec;
  // Unlabeled gradient (unlabeled_gradient in update/step_kernels.hpp).
  const BatchView ub = env.unlabeled.batch.view();
  model.forward(ub, b.ws, b.logits.head(ub.size));
  tick(kUnlabeledForward);
  rec.unlabeled_loss = env.idl.evaluate(b.logits.data(), ub.labels, ub.size, b.dlogits.data());
  record_annotation(env.ig_ctx, env.idl, env.unlabeled, rec);
  tick(kUnlabeledLoss);
  backward_in_parts(model, ub, b.ws, b.dlogits.data(), b.unlabeled_grad, timer, kUnlabeledRowGradients,
                    kUnlabeledDedup);
  detail::check_finite_gradient(b.unlabeled_grad, "unlabeled loss");
  tick(kUnlabeledCheck);

  // Candidates and choice (InverseGradient<>::State::step).
  const Index n = labeled.size;
  const S steps[3] = {static_cast<S>(-kAlpha), S(0), static_cast<S>(kAlpha)};
  b.reserve_logits(3 * n);
  model.forward_candidates(labeled, b.unlabeled_grad, steps, 3, b.ws, b.logits.data());
  tick(kCandidates);
  double losses[3];
  int chosen = 0;
  b.reserve_loss_parts(3 * n);
  for (int c = 0; c < 3; ++c)
    losses[c] = env.bce.value_keeping_parts(b.logits.data() + c * n, labeled.labels, n, b.loss_parts.data() + c * n);
  for (int c = 1; c < 3; ++c)
    if (losses[c] < losses[chosen] || (losses[c] == losses[chosen] && c == 1)) chosen = c;
  rec.choice = chosen - 1;
  tick(kChoice);
  if (chosen != 1) model.apply(b.unlabeled_grad, steps[chosen]);
  tick(kApply);

  // The labeled step at the chosen θ (labeled_step_from_parts): the fused pass left the
  // chosen candidate's logits and a workspace that reads the rows at θ as it is now, and
  // the choice the parts of its loss.
  rec.labeled_loss = losses[chosen];
  env.bce.gradient_from_parts(b.logits.data() + chosen * n, labeled.labels, b.loss_parts.data() + chosen * n, n,
                              b.dlogits.data());
  tick(kLabeledLoss);
  backward_in_parts(model, labeled, b.ws, b.dlogits.data(), b.grad, timer, kLabeledRowGradients, kLabeledDedup);
  detail::check_finite_gradient(b.grad, "labeled loss");
  tick(kLabeledCheck);
  env.adam.step(params, b.grad);
  tick(kAdam);
  return rec;
}

bool same_tables(const Parameters<S>& a, const Parameters<S>& b) {
  if (a.tables.size() != b.tables.size() || !(a.dense.array() == b.dense.array()).all()) return false;
  for (std::size_t k = 0; k < a.tables.size(); ++k)
    if (!(a.tables[k].array() == b.tables[k].array()).all()) return false;
  return true;
}

/// True when profiled_ig_step leaves θ, Adam's moments and the sampler's stream as
/// Env::ig_step does, from the same state.
bool profiled_step_matches(Env& env) {
  const Parameters<S> params0 = env.model.parameters();
  const Adam::State<S> adam0 = env.adam;
  const Rng rng0 = env.rng;
  const Index cursor0 = env.cursor;
  const StepRecord a = env.ig_step();
  const Parameters<S> params1 = env.model.parameters();
  const Adam::State<S> adam1 = env.adam;
  env.model.parameters() = params0;
  env.adam = adam0;
  env.rng = rng0;
  env.cursor = cursor0;
  const StepRecord b = profiled_ig_step(env, nullptr);
  return a.choice == b.choice && a.labeled_loss == b.labeled_loss && same_tables(params1, env.model.parameters()) &&
         same_tables(adam1.moments().m, env.adam.moments().m) && same_tables(adam1.moments().v, env.adam.moments().v);
}

void bm_profile_ig_step(benchmark::State& state, Index rows) {
  Env& env = get_env<GMF<float>>(rows);
  if (!profiled_step_matches(env)) {
    state.SkipWithError("the profiled step differs from InverseGradient<>::step");
    return;
  }
  Timer timer;
  for (auto _ : state) {
    const StepRecord rec = profiled_ig_step(env, &timer);
    benchmark::DoNotOptimize(rec.labeled_loss);
  }
  const double it = static_cast<double>(state.iterations());
  double total = 0.0;
  for (int p = 0; p < kPieces; ++p) {
    state.counters[std::string(kPieceNames[p]) + "_us"] = 1e6 * timer.seconds[p] / it;
    total += timer.seconds[p];
  }
  state.counters["total_us"] = 1e6 * total / it;
}

void bm_omp_region(benchmark::State& state) {
  const bool parallel = state.range(0) > 1;
  long sink = 0;
  for (auto _ : state) {
    INVLEARN_OMP(parallel for schedule(static) if (parallel) reduction(+ : sink))
    for (long k = 0; k < 2; ++k) sink += k;
    benchmark::DoNotOptimize(sink);
  }
}

int register_all() {
  for (const Index rows : {Index(10000), Index(100000), Index(1000000)}) {
    benchmark::RegisterBenchmark(("profile/ig_step/gmf/" + std::to_string(rows)).c_str(),
                                 [rows](benchmark::State& s) { bm_profile_ig_step(s, rows); })
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark("profile/omp_region", bm_omp_region)
      ->Arg(1)
      ->Arg(2)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  return 0;
}

[[maybe_unused]] const int registered = register_all();

}  // namespace
