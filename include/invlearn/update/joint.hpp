#pragma once
/// @file joint.hpp
/// One optimizer step on labeled and unlabeled rows together: how the baselines
/// NS, T-CE, R-CE, IDL, DNS and SRNS train.

#include <type_traits>

#include "invlearn/update/step_kernels.hpp"

namespace invlearn {

/// The labeled and unlabeled rows form one batch of n_l + n_u rows and the
/// optimizer takes one step on
/// \f$L = (n_l L_l + n_u L_u)/(n_l + n_u)\f$, the mean over all rows for mean-reduced
/// losses. When both losses are the same policy (NS, T-CE, R-CE: unlabeled rows
/// carry the label 0) it is applied once to the whole batch, so T-CE ranks
/// labeled and sampled rows together as DenoisingRec does.
struct JointUpdate {
  static constexpr const char* name = "joint";
  static constexpr bool uses_unlabeled = true;
  static constexpr bool is_meta = false;

  template <class Ctx>
  void step(Ctx& ctx, const BatchView& labeled, const UnlabeledBatch* unlabeled, StepRecord& rec) {
    if (unlabeled == nullptr || unlabeled->batch.size() == 0) {
      rec.labeled_loss = labeled_step(ctx, labeled);
      return;
    }
    step_with_unlabeled_weight(ctx, labeled, *unlabeled, 1.0, rec);
  }

  /// The joint step with the unlabeled loss's gradient multiplied by `weight` (1: the
  /// joint step; -1: its unlabeled term inverted). A weight other than 1 needs two loss
  /// policies (the unlabeled term must be a loss of its own).
  template <class Ctx>
  static void step_with_unlabeled_weight(Ctx& ctx, const BatchView& labeled, const UnlabeledBatch& unlabeled,
                                         double weight, StepRecord& rec) {
    using S = typename Ctx::Scalar;
    auto& b = ctx.buffers;
    const Index nl = labeled.size, nu = unlabeled.batch.size(), n = nl + nu;
    b.joint.clear();
    b.joint.users.insert(b.joint.users.end(), labeled.users, labeled.users + nl);
    b.joint.items.insert(b.joint.items.end(), labeled.items, labeled.items + nl);
    b.joint.labels.insert(b.joint.labels.end(), labeled.labels, labeled.labels + nl);
    const auto& u = unlabeled.batch;
    b.joint.users.insert(b.joint.users.end(), u.users.begin(), u.users.end());
    b.joint.items.insert(b.joint.items.end(), u.items.begin(), u.items.end());
    b.joint.labels.insert(b.joint.labels.end(), u.labels.begin(), u.labels.end());
    const BatchView all = b.joint.view();
    b.reserve_logits(n);
    auto logits = b.logits.head(n);
    ctx.model.forward(all, b.ws, logits);
    double loss;
    using LL = std::decay_t<decltype(ctx.labeled_loss)>;
    using UL = std::decay_t<decltype(ctx.unlabeled_loss)>;
    if constexpr (std::is_same<LL, UL>::value) {
      (void)weight;  // one loss over both parts: the weight is 1
      loss = ctx.labeled_loss.evaluate(b.logits.data(), all.labels, n, b.dlogits.data());
      rec.labeled_loss = loss;
    } else {
      const double ll = ctx.labeled_loss.evaluate(b.logits.data(), all.labels, nl, b.dlogits.data());
      const double lu = ctx.unlabeled_loss.evaluate(b.logits.data() + nl, all.labels + nl, nu, b.dlogits.data() + nl);
      record_annotation(ctx, ctx.unlabeled_loss, unlabeled, rec);
      const S wl = static_cast<S>(nl) / static_cast<S>(n), wu = static_cast<S>(nu) / static_cast<S>(n);
      b.dlogits.head(nl) *= wl;
      b.dlogits.segment(nl, nu) *= static_cast<S>(weight) * wu;
      loss = (static_cast<double>(nl) * ll + static_cast<double>(nu) * lu) / static_cast<double>(n);
      rec.labeled_loss = ll;
      rec.unlabeled_loss = lu;
    }
    detail::check_finite_loss(loss, "joint loss");
    descend(ctx, all, b.ws, "joint loss");
  }
};

}  // namespace invlearn
