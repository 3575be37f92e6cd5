#pragma once
/// @file inverse_gradient.hpp
/// The Inverse Gradient meta step (Lin et al., WSDM'24, Algorithm 1 lines 8-18).

#include <tuple>
#include <type_traits>
#include <utility>

#include "invlearn/loss/loss.hpp"
#include "invlearn/model/candidates.hpp"
#include "invlearn/update/direct.hpp"
#include "invlearn/update/inverse.hpp"
#include "invlearn/update/no_update.hpp"
#include "invlearn/update/sgd_step.hpp"
#include "invlearn/update/step_kernels.hpp"

namespace invlearn {

/// One meta step on a labeled training-test batch B_l and an unlabeled batch B_u:
///  1. g = ∇L_u(θ) with the unlabeled loss (IDL), d = StepRule(g);
///  2. for each candidate c with direction s_c ∈ {-1, 0, +1}: L_c = the labeled loss's
///     value (Loss::value: no state changes) on B_l at θ + s_c·α·d, computed without
///     copying θ (candidate_logits: one fused pass when the backbone has it);
///  3. θ ← θ + s_c*·α·d for c* = argmin L_c; a tie with "no update" goes to no update;
///  4. one optimizer step on the labeled loss of B_l at the chosen θ, reusing the chosen
///     candidate's forward when the candidates were evaluated one by one (each in its own
///     workspace) or by a fused pass that keeps it (candidates_keep_forward_v); after a
///     fused pass that keeps no activations, B_l is forwarded again. With a reused forward
///     and a loss that keeps its parts (has_loss_parts_v: BCE), the loss is L_c* and its
///     gradient comes from the parts the candidate's evaluation kept.
/// Candidates default to DirectUpdate, NoUpdate, InverseUpdate (θ^d, θ, θ^i); only
/// their `direction` is read. StepRule: SgdStep (θ ± α∇L_u, as written) or
/// NormalizedStep. When the meta steps run is the trainer's schedule (train/schedule/).
template <class StepRule = SgdStep, class... Candidates>
class InverseGradient {
 public:
  static constexpr const char* name = "ig";
  static constexpr bool uses_unlabeled = true;
  static constexpr bool is_meta = true;
  using step_rule = StepRule;
  using candidates = std::conditional_t<sizeof...(Candidates) == 0,
                                        std::tuple<DirectUpdate, NoUpdate, InverseUpdate>,
                                        std::tuple<Candidates...>>;
  static constexpr int num_candidates = static_cast<int>(std::tuple_size<candidates>::value);
  static_assert(num_candidates >= 1 && num_candidates <= 3, "InverseGradient: between 1 and 3 candidates");

  StepRule rule;

  template <class S>
  class State {
   public:
    State(const InverseGradient& policy, const Parameters<S>& params) : rule_(policy.rule, params) {}

    template <class Ctx>
    void step(Ctx& ctx, const BatchView& labeled, const UnlabeledBatch* unlabeled, StepRecord& rec) {
      auto& b = ctx.buffers;
      int directions[3];
      fill_directions(directions, std::make_index_sequence<num_candidates>());

      // The labeled loss keeps what its gradient needs of each candidate (BCE: e^{−|x|}).
      constexpr bool keeps_parts = has_loss_parts_v<std::decay_t<decltype(ctx.labeled_loss)>, S>;
      int chosen = 0;
      double losses[3] = {0.0, 0.0, 0.0};
      bool reuse = false;  // the chosen candidate's forward is in candidate_workspace(.., chosen)
      if (unlabeled != nullptr && unlabeled->batch.size() > 0) {
        rec.unlabeled_loss = unlabeled_gradient(ctx, *unlabeled, rec);
        rule_.transform(ctx.model.parameters(), b.unlabeled_grad);
        S steps[3];
        for (int c = 0; c < num_candidates; ++c) steps[c] = static_cast<S>(directions[c] * ctx.alpha);
        const Index n = labeled.size;
        b.reserve_logits(num_candidates * n);
        reuse = candidate_logits(ctx.model, labeled, b.unlabeled_grad, steps, num_candidates, b.ws, b.candidate_ws,
                                 b.logits.data());
        if constexpr (keeps_parts) b.reserve_loss_parts(num_candidates * n);
        for (int c = 0; c < num_candidates; ++c) {
          if constexpr (keeps_parts) {
            losses[c] = ctx.labeled_loss.value_keeping_parts(b.logits.data() + c * n, labeled.labels, n,
                                                             b.loss_parts.data() + c * n);
          } else {
            losses[c] = ctx.labeled_loss.value(b.logits.data() + c * n, labeled.labels, n);
          }
          detail::check_finite_loss(losses[c], "training-test loss of a candidate");
          rec.candidate_loss[directions[c] + 1] = losses[c];
        }
        // argmin; on a tie the no-update candidate wins, otherwise the earlier one.
        for (int c = 1; c < num_candidates; ++c) {
          if (losses[c] < losses[chosen] || (losses[c] == losses[chosen] && directions[c] == 0)) chosen = c;
        }
        if (directions[chosen] != 0) ctx.model.apply(b.unlabeled_grad, steps[chosen]);
        rec.choice = directions[chosen];
      }
      if (reuse) {
        // θ is now the chosen candidate's point, where its forward was taken.
        const auto* logits = b.logits.data() + chosen * labeled.size;
        auto& ws = candidate_workspace<std::decay_t<decltype(ctx.model)>>(b.ws, b.candidate_ws, chosen);
        if constexpr (keeps_parts) {
          rec.labeled_loss = labeled_step_from_parts(ctx, labeled, ws, logits,
                                                     b.loss_parts.data() + chosen * labeled.size, losses[chosen]);
        } else {
          rec.labeled_loss = labeled_step_from_forward(ctx, labeled, ws, logits);
        }
      } else {
        rec.labeled_loss = labeled_step(ctx, labeled);
      }
    }

    /// Archive protocol (core/archive.hpp): the step rule's state, if it has one.
    template <class Archive>
    void serialize(Archive& ar) {
      ar(rule_);
    }

   private:
    typename StepRule::template State<S> rule_;
  };

 private:
  template <std::size_t... I>
  static void fill_directions(int* out, std::index_sequence<I...>) {
    ((out[I] = std::tuple_element_t<I, candidates>::direction), ...);
  }
};

}  // namespace invlearn
