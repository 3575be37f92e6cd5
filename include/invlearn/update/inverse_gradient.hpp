#pragma once
/// @file inverse_gradient.hpp
/// The Inverse Gradient meta step (Lin et al., WSDM'24, Algorithm 1 lines 8-18).

#include <tuple>
#include <type_traits>
#include <utility>

#include "invlearn/loss/bce.hpp"
#include "invlearn/update/context.hpp"
#include "invlearn/update/direct.hpp"
#include "invlearn/update/inverse.hpp"
#include "invlearn/update/no_update.hpp"
#include "invlearn/update/schedule.hpp"
#include "invlearn/update/step_rule.hpp"

namespace invlearn {

namespace detail {

template <class Model, class = void>
struct has_forward_candidates : std::false_type {};
template <class Model>
struct has_forward_candidates<
    Model, std::void_t<decltype(std::declval<const Model&>().forward_candidates(
               std::declval<const BatchView&>(), std::declval<const typename Model::Gradient&>(),
               std::declval<const typename Model::Scalar*>(), 0,
               std::declval<typename Model::Workspace&>(), std::declval<typename Model::Scalar*>()))>>
    : std::true_type {};

}  // namespace detail

/// One meta step on a labeled training-test batch B_l and an unlabeled batch B_u:
///  1. g = ∇L_u(θ) with the unlabeled loss (IDL), d = StepRule(g);
///  2. for each candidate c with direction s_c ∈ {-1, 0, +1}: L_c = BCE of B_l at θ + s_c·α·d,
///     computed without copying θ (Model::forward_displaced, or one fused pass through
///     Model::forward_candidates when the backbone has it), summed in double;
///  3. θ ← θ + s_c*·α·d for c* = argmin L_c; a tie with "no update" goes to no update;
///  4. one optimizer step on the labeled loss of B_l at the chosen θ, reusing the chosen
///     candidate's forward when the candidates were evaluated one by one (each in its own
///     workspace); after a fused pass, which keeps no activations, B_l is forwarded again.
/// Candidates default to DirectUpdate, NoUpdate, InverseUpdate (θ^d, θ, θ^i); only
/// their `direction` is read. Schedule: TestPass or PerTrainBatch. StepRule: SgdStep
/// (θ ± α∇L_u, as written) or NormalizedStep.
template <class Schedule = TestPass, class StepRule = SgdStep, class... Candidates>
class InverseGradient {
 public:
  static constexpr const char* name = "ig";
  static constexpr bool uses_unlabeled = true;
  static constexpr bool is_meta = true;
  using schedule = Schedule;
  using candidates = std::conditional_t<sizeof...(Candidates) == 0,
                                        std::tuple<DirectUpdate, NoUpdate, InverseUpdate>,
                                        std::tuple<Candidates...>>;
  static constexpr int num_candidates = static_cast<int>(std::tuple_size<candidates>::value);
  static_assert(num_candidates >= 1 && num_candidates <= 3, "InverseGradient: between 1 and 3 candidates");

  StepRule rule;

  /// Checkpoint archive protocol (core/archive.hpp): the step rule's state, if it has one.
  template <class Archive>
  void serialize(Archive& ar) {
    ar(rule);
  }

  template <class Ctx>
  void step(Ctx& ctx, const BatchView& labeled, const UnlabeledBatch* unlabeled, StepRecord& rec) {
    using S = typename Ctx::Scalar;
    using Model = std::decay_t<decltype(ctx.model)>;
    auto& b = ctx.buffers;
    int directions[3];
    fill_directions(directions, std::make_index_sequence<num_candidates>());

    int chosen = 0;
    bool reuse = false;  // the chosen candidate's forward is in b.candidate_ws[chosen]
    if (unlabeled != nullptr && unlabeled->batch.size() > 0) {
      rec.unlabeled_loss = unlabeled_gradient(ctx, *unlabeled, rec);
      rule.transform(ctx.model.parameters(), b.unlabeled_grad);
      double losses[3];
      S steps[3];
      for (int c = 0; c < num_candidates; ++c) steps[c] = static_cast<S>(directions[c] * ctx.alpha);
      const Index n = labeled.size;
      if (b.logits.size() < num_candidates * n) {
        b.logits.resize(num_candidates * n);
        b.dlogits.resize(num_candidates * n);
      }
      if constexpr (detail::has_forward_candidates<Model>::value) {
        ctx.model.forward_candidates(labeled, b.unlabeled_grad, steps, num_candidates, b.ws, b.logits.data());
      } else {
        // Each candidate in its own workspace: the winner's activations are then exactly
        // those of a forward at the θ it moves to, and line 18 needs no forward of its own.
        if (b.candidate_ws.size() < static_cast<std::size_t>(num_candidates))
          b.candidate_ws.resize(static_cast<std::size_t>(num_candidates), ctx.model.workspace(n));
        for (int c = 0; c < num_candidates; ++c) {
          auto out = b.logits.segment(c * n, n);
          auto& ws = b.candidate_ws[static_cast<std::size_t>(c)];
          if (directions[c] == 0)
            ctx.model.forward(labeled, ws, out);
          else
            ctx.model.forward_displaced(labeled, b.unlabeled_grad, steps[c], ws, out);
        }
        reuse = true;
      }
      BCE bce;
      for (int c = 0; c < num_candidates; ++c) {
        losses[c] = bce.evaluate(b.logits.data() + c * n, labeled.labels, n, static_cast<S*>(nullptr));
        detail::check_finite_loss(losses[c], "training-test loss of a candidate");
        rec.candidate_loss[directions[c] + 1] = losses[c];
      }
      // argmin; on a tie the no-update candidate wins, otherwise the earlier one.
      for (int c = 1; c < num_candidates; ++c) {
        if (losses[c] < losses[chosen] || (losses[c] == losses[chosen] && directions[c] == 0)) chosen = c;
      }
      if (directions[chosen] != 0) ctx.model.apply(b.unlabeled_grad, steps[chosen]);
      rec.choice = directions[chosen];
    } else {
      rec.choice = 0;
    }
    if (reuse) {
      // θ is now the chosen candidate's point, where its forward was taken.
      const auto* logits = b.logits.data() + chosen * labeled.size;
      rec.labeled_loss = labeled_step_from_forward(ctx, labeled, b.candidate_ws[static_cast<std::size_t>(chosen)], logits);
    } else {
      rec.labeled_loss = labeled_step(ctx, labeled);
    }
  }

 private:
  template <std::size_t... I>
  static void fill_directions(int* out, std::index_sequence<I...>) {
    ((out[I] = std::tuple_element_t<I, candidates>::direction), ...);
  }
};

}  // namespace invlearn
