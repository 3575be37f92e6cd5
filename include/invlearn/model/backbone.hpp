#pragma once
/// @file backbone.hpp
/// The Backbone concept: what a model must provide to be trained by every method, its
/// compile-time check, an archetype that documents the contract, and the optional
/// members the library uses when a backbone has them. Includes the building blocks a
/// backbone is written with (parameters, sparse gradients, displaced reads, apply).

#include <string>
#include <utility>
#include <vector>

#include "invlearn/core/detect.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/model/apply.hpp"
#include "invlearn/model/check_batch.hpp"
#include "invlearn/model/displaced_table.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/model/parameters.hpp"

namespace invlearn {

/// There is no BackboneArchetype model in the library: this class only documents the
/// contract (docs/concepts.md, "Backbone"); `check_backbone<BackboneArchetype<float>>()`
/// holds. GMF, NeuMF and examples/dot_mf.hpp model it.
template <class S>
class BackboneArchetype {
 public:
  /// float or double.
  using Scalar = S;
  /// Buffers for one batch, allocated once by workspace(); copyable (IG keeps one per
  /// candidate when the backbone has no forward_candidates). No heap work per step.
  struct Workspace {};
  /// ∇θ: the rows a batch touched per table, and the dense block.
  using Gradient = invlearn::Gradient<S>;

  /// θ: embedding tables (one row per user or item id) and the dense block.
  Parameters<S>& parameters();
  const Parameters<S>& parameters() const;
  /// Id ranges: ids are in [0, num_users()) and [0, num_items()).
  Index num_users() const;
  Index num_items() const;
  /// Buffers for batches of up to `max_batch` rows. A forward on a larger batch must
  /// grow its workspace itself, or throw.
  Workspace workspace(Index max_batch) const;
  /// A zero gradient shaped like θ with room for `max_batch` rows per table.
  Gradient make_gradient(Index max_batch) const;
  /// requires: ids of `batch` in range (else InvalidArgument, never undefined behaviour).
  /// ensures: logits[k] for k < batch.size (any Eigen vector expression of Scalar); `ws`
  /// holds what backward() needs.
  void forward(const BatchView& batch, Workspace& ws, Vector<S>& logits) const;
  /// ensures: `grad` = ∇θ of Σ_k dlogits[k]·x_k at the point of the last forward on `ws`;
  /// rows a sample repeats are summed (SparseRows::assign_sum), in sample order.
  void backward(const BatchView& batch, Workspace& ws, const Vector<S>& dlogits, Gradient& grad) const;
  /// ensures: logits at θ + step·grad, read in place without copying θ (DisplacedTable).
  void forward_displaced(const BatchView& batch, const Gradient& grad, S step, Workspace& ws,
                         Vector<S>& logits) const;
  /// ensures: θ ← θ + step·grad, touching only the rows grad holds (invlearn::apply).
  void apply(const Gradient& grad, S step);
};

namespace detail {

template <class M> using scalar_t = typename M::Scalar;
template <class M> using workspace_t = typename M::Workspace;
template <class M> using gradient_t = typename M::Gradient;
template <class M> using parameters_t = decltype(std::declval<M&>().parameters().dense);
template <class M> using make_workspace_t = decltype(std::declval<const M&>().workspace(Index(1)));
template <class M> using make_gradient_t = decltype(std::declval<const M&>().make_gradient(Index(1)));
template <class M>
using sizes_t = decltype(std::declval<const M&>().num_users() + std::declval<const M&>().num_items());
template <class M>
using forward_t = decltype(std::declval<const M&>().forward(
    std::declval<const BatchView&>(), std::declval<typename M::Workspace&>(), std::declval<Vector<typename M::Scalar>&>()));
template <class M>
using backward_t = decltype(std::declval<const M&>().backward(
    std::declval<const BatchView&>(), std::declval<typename M::Workspace&>(),
    std::declval<const Vector<typename M::Scalar>&>(), std::declval<typename M::Gradient&>()));
template <class M>
using forward_displaced_t = decltype(std::declval<const M&>().forward_displaced(
    std::declval<const BatchView&>(), std::declval<const typename M::Gradient&>(), std::declval<typename M::Scalar>(),
    std::declval<typename M::Workspace&>(), std::declval<Vector<typename M::Scalar>&>()));
template <class M>
using apply_t = decltype(std::declval<M&>().apply(std::declval<const typename M::Gradient&>(),
                                                  std::declval<typename M::Scalar>()));
template <class M>
using forward_candidates_t = decltype(std::declval<const M&>().forward_candidates(
    std::declval<const BatchView&>(), std::declval<const typename M::Gradient&>(),
    std::declval<const typename M::Scalar*>(), 0, std::declval<typename M::Workspace&>(),
    std::declval<typename M::Scalar*>()));

template <class M, bool = is_detected_v<workspace_t, M>>
struct workspace_copyable : std::true_type {};  // a missing Workspace is reported by its own check
template <class M>
struct workspace_copyable<M, true> : std::is_copy_constructible<typename M::Workspace> {};

}  // namespace detail

namespace detail {
template <class M> using table_keys_t = decltype(std::vector<TableKey>(std::declval<const M&>().table_keys()));
}  // namespace detail

/// Optional: `std::vector<TableKey> table_keys() const`, whether each embedding table is
/// indexed by user or by item id (so that an optimizer can bring the rows a batch reads up
/// to date). Without it the keys are inferred from the tables' sizes.
template <class M>
constexpr bool has_table_keys_v = is_detected_v<detail::table_keys_t, M>;

/// Which id indexes each table of `model`: its table_keys(), or, without one, user for a
/// table with num_users rows and item for one with num_items rows. Throws InvalidArgument
/// when that is ambiguous (num_users == num_items) or fits neither.
template <class M>
inline std::vector<TableKey> table_keys_of(const M& model) {
  if constexpr (has_table_keys_v<M>) {
    return model.table_keys();
  } else {
    std::vector<TableKey> keys;
    const auto& tables = model.parameters().tables;
    for (std::size_t t = 0; t < tables.size(); ++t) {
      const Index rows = tables[t].rows();
      const bool user = rows == model.num_users(), item = rows == model.num_items();
      if (user == item)
        throw InvalidArgument("table " + std::to_string(t) + " of the backbone has " + std::to_string(rows) +
                              " rows: cannot tell whether users or items index it; give the backbone "
                              "`std::vector<TableKey> table_keys() const`");
      keys.push_back(user ? TableKey::user : TableKey::item);
    }
    return keys;
  }
}

/// Optional: `void forward_candidates(const BatchView&, const Gradient&, const Scalar* steps,
/// int k, Workspace&, Scalar* out) const`, the logits at θ + steps[c]·g for k ≤ 3
/// candidates in one pass (out candidate-major). IG uses it when present.
template <class M>
constexpr bool has_forward_candidates_v = is_detected_v<detail::forward_candidates_t, M>;

namespace detail {
template <class M>
using candidates_keep_forward_t = std::enable_if_t<M::candidates_keep_forward>;
}  // namespace detail

/// Optional, with forward_candidates: `static constexpr bool candidates_keep_forward =
/// true` when forward_candidates leaves its workspace holding the batch at whatever θ is
/// when backward() runs, so that once θ is moved to a candidate the backward is that
/// candidate's (GMF). IG then takes its labeled step without forwarding the batch again.
template <class M>
constexpr bool candidates_keep_forward_v =
    has_forward_candidates_v<M> && is_detected_v<detail::candidates_keep_forward_t, M>;

namespace detail {
template <class M>
using score_block_t = decltype(std::declval<const M&>().score_block(
    std::declval<const Index*>(), Index(1), Index(0), Index(1), std::declval<typename M::Workspace&>(),
    std::declval<typename M::Scalar*>()));
}  // namespace detail

/// Optional: `void score_block(const Index* users, Index user_count, Index first_item, Index
/// item_count, Workspace&, Scalar* out) const`, the logits of every pair of the users
/// users[0..user_count) and the items [first_item, first_item + item_count) into `out`,
/// row-major (user r's scores at out[r·item_count ..]). It throws InvalidArgument for ids
/// out of range, grows `ws` as it needs, and its results depend on neither the thread
/// count nor the other users of the block. Ranking (rank/recommend.hpp) scores the
/// catalogue through it when present; without it, through forward() on every pair. GMF
/// has it (one GEMM per block), NeuMF too (its first MLP layer split into a user half
/// and an item half).
template <class M>
constexpr bool has_score_block_v = is_detected_v<detail::score_block_t, M>;

/// The id check of a score_block: throws InvalidArgument, naming `where`, unless every
/// user is in [0, num_users), and [first_item, first_item + item_count) in [0, num_items).
inline void check_score_block(const Index* users, Index user_count, Index first_item, Index item_count,
                              Index num_users, Index num_items, const char* where) {
  if (user_count < 0 || item_count < 0 || (user_count > 0 && users == nullptr))
    throw InvalidArgument(std::string(where) + ": negative counts or a null user array");
  for (Index r = 0; r < user_count; ++r)
    if (users[r] < 0 || users[r] >= num_users)
      throw InvalidArgument(std::string(where) + ": user id " + std::to_string(users[r]) + " is outside [0, " +
                            std::to_string(num_users) + ")");
  if (first_item < 0 || first_item > num_items - item_count)
    throw InvalidArgument(std::string(where) + ": items [" + std::to_string(first_item) + ", " +
                          std::to_string(first_item + item_count) + ") are outside [0, " +
                          std::to_string(num_items) + ")");
}

/// Checks that M models the Backbone concept; each missing piece fails with its own
/// message. Returns true so it can sit in a static_assert.
template <class M>
constexpr bool check_backbone() {
  using namespace detail;
  static_assert(is_detected_v<scalar_t, M>, "Backbone: missing `using Scalar = float or double;`");
  static_assert(is_detected_v<workspace_t, M>, "Backbone: missing `using Workspace = ...;` (per-batch buffers)");
  static_assert(workspace_copyable<M>::value, "Backbone: Workspace must be copyable (IG keeps one per candidate)");
  static_assert(is_detected_v<gradient_t, M>, "Backbone: missing `using Gradient = invlearn::Gradient<Scalar>;`");
  static_assert(is_detected_v<parameters_t, M>,
                "Backbone: missing `Parameters<Scalar>& parameters()` (tables + dense block)");
  static_assert(is_detected_v<make_workspace_t, M>, "Backbone: missing `Workspace workspace(Index max_batch) const`");
  static_assert(is_detected_v<make_gradient_t, M>, "Backbone: missing `Gradient make_gradient(Index max_batch) const`");
  static_assert(is_detected_v<sizes_t, M>, "Backbone: missing `Index num_users() const` / `num_items() const`");
  static_assert(is_detected_v<forward_t, M>,
                "Backbone: missing `void forward(const BatchView&, Workspace&, logits) const`");
  static_assert(is_detected_v<backward_t, M>,
                "Backbone: missing `void backward(const BatchView&, Workspace&, dlogits, Gradient&) const`");
  static_assert(is_detected_v<forward_displaced_t, M>,
                "Backbone: missing `void forward_displaced(const BatchView&, const Gradient&, Scalar step, "
                "Workspace&, logits) const` (logits at θ + step·g without copying θ)");
  static_assert(is_detected_v<apply_t, M>, "Backbone: missing `void apply(const Gradient&, Scalar step)`");
  return true;
}

}  // namespace invlearn
