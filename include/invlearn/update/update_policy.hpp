#pragma once
/// @file update_policy.hpp
/// The UpdatePolicy concept: what one step does with a labeled batch and the unlabeled
/// batch drawn for it; its compile-time check and an archetype that documents it.

#include <utility>

#include "invlearn/core/detect.hpp"
#include "invlearn/core/per_scalar_state.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/sampling/unlabeled_batch.hpp"
#include "invlearn/update/step_record.hpp"

namespace invlearn {

/// There is no UpdatePolicyArchetype policy in the library: this class only documents
/// the contract (docs/concepts.md, "Update policy"). NoUpdate, JointUpdate, DirectUpdate,
/// InverseUpdate and InverseGradient model it.
struct UpdatePolicyArchetype {
  /// Names the policy in checkpoints and messages.
  static constexpr const char* name = "archetype";
  /// Whether the trainer draws an unlabeled batch for each step.
  static constexpr bool uses_unlabeled = true;
  /// Whether the policy needs the meta protocol: labeled rows split into training-train
  /// and training-test, and the schedule's meta steps on training-test batches (IG).
  static constexpr bool is_meta = false;
  /// requires: `ctx` a StepContext (update/step_context.hpp); `unlabeled` null when
  /// uses_unlabeled is false, else the batch drawn for `labeled` (possibly empty).
  /// ensures: θ moved by the step (through ctx.optimizer for gradient steps; the
  /// kernels of step_kernels.hpp do the common parts); `rec` says what happened.
  /// A policy with per-run state instead has a nested `template <class S> class State`,
  /// constructible from (const Policy&, const Parameters<S>&), that has this member
  /// (and, optionally, serialize).
  template <class Ctx>
  void step(Ctx& ctx, const BatchView& labeled, const UnlabeledBatch* unlabeled, StepRecord& rec);
};

namespace detail {
template <class P> using policy_name_t = decltype(P::name);
template <class P> using policy_uses_unlabeled_t = decltype(bool(P::uses_unlabeled));
template <class P> using policy_is_meta_t = decltype(bool(P::is_meta));
template <class P, class Ctx>
using policy_step_t = decltype(std::declval<P&>().step(std::declval<Ctx&>(), std::declval<const BatchView&>(),
                                                       std::declval<const UnlabeledBatch*>(),
                                                       std::declval<StepRecord&>()));
}  // namespace detail

/// Checks that P models the UpdatePolicy concept for the step context Ctx (whose Scalar
/// is the model's); each missing piece fails with its own message.
template <class P, class Ctx>
constexpr bool check_update_policy() {
  using namespace detail;
  using Bound = state_of_t<P, typename Ctx::Scalar>;
  static_assert(is_detected_v<policy_name_t, P>, "UpdatePolicy: missing `static constexpr const char* name`");
  static_assert(is_detected_v<policy_uses_unlabeled_t, P>,
                "UpdatePolicy: missing `static constexpr bool uses_unlabeled` (draw an unlabeled batch per step?)");
  static_assert(is_detected_v<policy_is_meta_t, P>,
                "UpdatePolicy: missing `static constexpr bool is_meta` (train with the IG protocol?)");
  static_assert(is_detected_v<policy_step_t, Bound, Ctx>,
                "UpdatePolicy: missing `template <class Ctx> void step(Ctx&, const BatchView& labeled, "
                "const UnlabeledBatch* unlabeled, StepRecord&)` (on the policy, or on its State<S>)");
  return true;
}

}  // namespace invlearn
