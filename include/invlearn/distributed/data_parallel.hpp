#pragma once
/// @file data_parallel.hpp
/// A backbone run data-parallel over the ranks of a Communicator: every rank holds the same
/// θ and the whole global batch, computes the forward and backward of its shard, and the
/// collectives make the logits and the gradient those of the whole batch on every rank.

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "invlearn/core/types.hpp"
#include "invlearn/distributed/combine_gradient.hpp"
#include "invlearn/distributed/communicator.hpp"
#include "invlearn/distributed/replicated.hpp"
#include "invlearn/distributed/shard.hpp"
#include "invlearn/model/backbone.hpp"
#include "invlearn/train/paper_settings.hpp"

namespace invlearn {

namespace detail {
/// What a DataParallel passes on from its backbone when the backbone has it: `kind` (the
/// name in model files and checkpoints) and `Options` with `options()`, so a checkpoint of a
/// data-parallel run is the backbone's checkpoint, loadable with any number of ranks.
template <class M, class = void>
struct forwarded_kind {};
template <class M>
struct forwarded_kind<M, std::void_t<decltype(M::kind)>> {
  static constexpr const char* kind = M::kind;
};
template <class M, class = void>
struct forwarded_options {};
template <class M>
struct forwarded_options<M, std::void_t<typename M::Options, decltype(std::declval<const M&>().options())>> {
  using Options = typename M::Options;
};
}  // namespace detail

/// `Model` (any Backbone) data-parallel over `comm`; itself a Backbone, so a Trainer, every
/// update policy, sampler, schedule and evaluation run on it unchanged:
/// - forward (also displaced, and the fused candidate pass when `Model` has one): each rank
///   runs its shard (Shard) and the shards' logits are gathered, so every rank holds the
///   logits of the whole batch; losses, their gradients w.r.t. the logits (scaled by the
///   global batch), sampling, validation and IG's choices are then computed alike on every
///   rank, as one process would;
/// - backward: each rank takes its shard's part of dlogits through its shard's forward, and
///   combine_gradient() sums the parts (sparse rows gathered and summed in a fixed order,
///   the dense block by allreduce); the optimizer step that follows is the same on every rank.
/// The result depends on the number of ranks only through float rounding (sums of partial
/// sums). Every rank must call forward and backward on the same batches in the same order
/// (a Trainer with the same options, data and seed does). With NDEBUG unset, every backward
/// first checks that θ is the same on every rank (check_replicated).
template <class Model>
class DataParallel : public detail::forwarded_kind<Model>, public detail::forwarded_options<Model> {
 public:
  using Scalar = typename Model::Scalar;
  using Gradient = typename Model::Gradient;
  using local_model = Model;
  static_assert(std::is_same<Gradient, invlearn::Gradient<Scalar>>::value,
                "DataParallel: the backbone's Gradient must be invlearn::Gradient<Scalar>");

  /// The shard's workspace, its logits and the exchange buffers.
  struct Workspace {
    typename Model::Workspace local;
    Vector<Scalar> shard_logits;
    std::vector<Scalar> gathered;
    std::vector<std::int64_t> counts;
    GradientExchange<Scalar> exchange;
  };

  DataParallel(Model& model, const Communicator& comm) : model_(model), comm_(comm) {}

  Model& local() { return model_; }
  const Model& local() const { return model_; }
  const Communicator& communicator() const { return comm_; }

  Parameters<Scalar>& parameters() { return model_.parameters(); }
  const Parameters<Scalar>& parameters() const { return model_.parameters(); }
  Index num_users() const { return model_.num_users(); }
  Index num_items() const { return model_.num_items(); }
  std::vector<TableKey> table_keys() const { return table_keys_of(model_); }
  template <class M = Model>
  auto options() const -> decltype(std::declval<const M&>().options()) {
    return model_.options();
  }

  Workspace workspace(Index max_batch) const {
    const Index shard = (max_batch + comm_.size() - 1) / comm_.size();
    Workspace ws{model_.workspace(shard), Vector<Scalar>(shard), {}, {}, {}};
    ws.gathered.reserve(static_cast<std::size_t>(max_batch));
    return ws;
  }
  Gradient make_gradient(Index max_batch) const { return model_.make_gradient(max_batch); }

  template <class Out>
  void forward(const BatchView& batch, Workspace& ws, Out&& logits) const {
    sharded(batch, ws, logits, [&](const BatchView& part, auto&& out) { model_.forward(part, ws.local, out); });
  }

  template <class Out>
  void forward_displaced(const BatchView& batch, const Gradient& grad, Scalar step, Workspace& ws,
                         Out&& logits) const {
    sharded(batch, ws, logits,
            [&](const BatchView& part, auto&& out) { model_.forward_displaced(part, grad, step, ws.local, out); });
  }

  /// The fused candidate pass of `Model` on each shard, out[c·n + j] gathered per candidate.
  template <class M = Model, std::enable_if_t<has_forward_candidates_v<M>, int> = 0>
  void forward_candidates(const BatchView& batch, const Gradient& grad, const Scalar* steps, int k, Workspace& ws,
                          Scalar* out) const {
    check_batch(batch, num_users(), num_items(), "DataParallel::forward_candidates");
    const Index n = batch.size;
    const Shard s = Shard::of(n, comm_.rank(), comm_.size());
    if (ws.shard_logits.size() < k * s.size) ws.shard_logits.resize(k * s.size);
    if (comm_.size() == 1) {  // the shard is the batch: no gather
      model_.forward_candidates(batch, grad, steps, k, ws.local, out);
      return;
    }
    if (s.size > 0) model_.forward_candidates(batch.slice(s.begin, s.size), grad, steps, k, ws.local, ws.shard_logits.data());
    Shard::sizes(n, comm_.size(), 1, ws.counts);
    for (int c = 0; c < k; ++c) comm_.allgatherv(ws.shard_logits.data() + c * s.size, ws.counts, out + c * n);
  }

  /// grad ← ∇θ of Σ_k dlogits[k]·x_k over the whole batch, the same on every rank.
  template <class In>
  void backward(const BatchView& batch, Workspace& ws, const In& dlogits, Gradient& grad) const {
#ifndef NDEBUG
    check_replicated(comm_, parameters(), "DataParallel::backward");
#endif
    const Shard s = Shard::of(batch.size, comm_.rank(), comm_.size());
    if (s.size > 0)
      model_.backward(batch.slice(s.begin, s.size), ws.local, dlogits.segment(s.begin, s.size), grad);
    else
      grad.clear();
    combine_gradient(comm_, grad, ws.exchange);
  }

  void apply(const Gradient& grad, Scalar step) { model_.apply(grad, step); }

 private:
  /// Runs `local_forward(shard, shard_logits)` on this rank's shard and gathers every
  /// shard's logits into `logits` (batch.size of them, in batch order).
  template <class Out, class LocalForward>
  void sharded(const BatchView& batch, Workspace& ws, Out& logits, LocalForward&& local_forward) const {
    // Every rank checks the whole batch, so a bad id fails on every rank, not only its owner's.
    check_batch(batch, num_users(), num_items(), "DataParallel::forward");
    const Index n = batch.size;
    const Shard s = Shard::of(n, comm_.rank(), comm_.size());
    if (ws.shard_logits.size() < s.size) ws.shard_logits.resize(s.size);
    if (s.size > 0) local_forward(batch.slice(s.begin, s.size), ws.shard_logits.head(s.size));
    if (comm_.size() == 1) {
      logits = ws.shard_logits.head(n);
      return;
    }
    Shard::sizes(n, comm_.size(), 1, ws.counts);
    ws.gathered.resize(static_cast<std::size_t>(n));
    comm_.allgatherv(ws.shard_logits.data(), ws.counts, ws.gathered.data());
    logits = Eigen::Map<const Vector<Scalar>>(ws.gathered.data(), n);
  }

  Model& model_;
  const Communicator& comm_;
};

/// The paper's settings of the backbone a DataParallel runs.
template <class Model>
struct PaperSettings<DataParallel<Model>> : PaperSettings<Model> {};

}  // namespace invlearn
