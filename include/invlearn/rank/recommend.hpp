#pragma once
/// @file recommend.hpp
/// recommend(): the top k items of the whole catalogue for each of many users, never an
/// excluded item, blocked over users × items so that memory stays bounded.
///
/// Users are cut into blocks of RecommendOptions::user_block and the catalogue into tiles
/// of RecommendOptions::item_tile. One work unit is a user block against a run of
/// consecutive tiles (a stripe); each tile is scored into a buffer of block × tile scores
/// (BlockScorer: the backbone's score_block, or forward() on every pair), the user's
/// excluded items in it are set to −∞, and each user's row goes through a bounded heap
/// (TopKLists). No catalogue is sorted and no users × items matrix exists: a thread holds
/// one buffer, its heaps and the backbone's workspace. Units run in parallel; when there
/// are fewer user blocks than threads, the catalogue is cut into as many stripes as fill
/// the threads, and each user's stripes are merged at the end.
///
/// Ties go to the lower item id (rank/top_k.hpp). Blocks and tiles are fixed by the
/// options and the sizes alone, so every score is computed by the same call whatever the
/// thread count, and the top k under a total order is one set: the lists are the same for
/// any number of threads.

#include <algorithm>
#include <exception>
#include <limits>
#include <string>
#include <vector>

#include "invlearn/config.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/pair_index.hpp"
#include "invlearn/rank/block_scorer.hpp"
#include "invlearn/rank/recommendations.hpp"
#include "invlearn/rank/top_k.hpp"

namespace invlearn {

/// How recommend() cuts its work. The defaults keep a block's scores (1 MB in float)
/// in the L2 cache; neither size changes the lists.
struct RecommendOptions {
  Index user_block = 256;  ///< users scored together (the GEMM's rows for GMF)
  Index item_tile = 1024;  ///< items per score_block call

  /// Throws OptionError naming the option unless both are at least 1.
  void validate() const {
    require_option(user_block >= 1, "RecommendOptions::user_block", "must be at least 1, got " + std::to_string(user_block));
    require_option(item_tile >= 1, "RecommendOptions::item_tile", "must be at least 1, got " + std::to_string(item_tile));
  }
};

namespace detail {

/// The cut of `users` × `items` into work units.
struct RankPlan {
  Index block, blocks;   ///< users per block, number of blocks
  Index tile, tiles;     ///< items per tile, number of tiles
  Index stripes;         ///< runs of tiles per block (1 unless blocks are fewer than threads)
  RankPlan(Index users, Index items, const RecommendOptions& o, int threads)
      : block(std::min(o.user_block, users)),
        blocks((users + block - 1) / block),
        tile(std::min(o.item_tile, items)),
        tiles((items + tile - 1) / tile),
        stripes(std::min(tiles, std::max<Index>(1, (threads + blocks - 1) / blocks))) {}
  Index units() const { return blocks * stripes; }
  /// Tiles [first_tile(s), first_tile(s + 1)) make stripe s.
  Index first_tile(Index s) const { return s * tiles / stripes; }
};

/// User `user`'s excluded items in [first, first + count): their scores in `row` become −∞.
template <class S>
inline void mask_excluded(const PairIndex& exclude, Index user, Index first, Index count, S* row) {
  if (user >= exclude.num_users()) return;
  const Index* end = exclude.end(user);
  for (const Index* it = std::lower_bound(exclude.begin(user), end, first); it != end && *it < first + count; ++it)
    row[*it - first] = -std::numeric_limits<S>::infinity();
}

/// How many items of [0, num_items) `user` may be recommended.
inline Index candidate_count(const PairIndex& exclude, Index user, Index num_items) {
  if (user >= exclude.num_users()) return num_items;
  return num_items - static_cast<Index>(std::lower_bound(exclude.begin(user), exclude.end(user), num_items) -
                                        exclude.begin(user));
}

}  // namespace detail

/// The top min(k, candidates) items for each of `users` into `out` (reset to those users
/// and rows of min(k, model.num_items()), its `k`): every item of [0, model.num_items()) is scored except the user's items in
/// `exclude` (an empty PairIndex excludes nothing; users beyond it have no exclusions),
/// highest score first, ties to the lower item id. Any backbone with forward() works; one
/// with score_block() (model/backbone.hpp) is scored through it. Threads: OpenMP over
/// the work units; the lists do not depend on the thread count (see the file comment).
///
/// @throws InvalidArgument if k < 1 or a user id is outside [0, model.num_users());
///         OptionError for bad `options`; NumericalError if a user gets fewer items than
///         it has candidates because the model scored them NaN or −∞.
template <class Model>
void recommend(const Model& model, const std::vector<Index>& users, Index k, const PairIndex& exclude,
               Recommendations<typename Model::Scalar>& out, const RecommendOptions& options = {}) {
  using S = typename Model::Scalar;
  if (k < 1) throw InvalidArgument("recommend: k must be at least 1 (got " + std::to_string(k) + ")");
  options.validate();
  const Index num_items = model.num_items();
  for (std::size_t r = 0; r < users.size(); ++r)
    if (users[r] < 0 || users[r] >= model.num_users())
      throw InvalidArgument("recommend: users[" + std::to_string(r) + "] = " + std::to_string(users[r]) +
                            " is outside [0, " + std::to_string(model.num_users()) + ")");
  const Index keep = std::min(k, num_items);  // no list is longer: rows of `keep`, whatever k
  out.reset(users, keep);
  const Index n = out.size();
  if (n == 0) return;
  const detail::RankPlan plan(n, num_items, options, max_threads());
  // With stripes, each unit's lists go here first: (block, stripe, user of the block) rows of `keep`.
  const std::size_t partial_rows = plan.stripes > 1 ? static_cast<std::size_t>(plan.units() * plan.block) : 0;
  std::vector<Index> partial_items(partial_rows * static_cast<std::size_t>(keep));
  std::vector<S> partial_scores(partial_items.size());
  std::vector<Index> partial_lengths(partial_rows, 0);
  std::exception_ptr error;

  INVLEARN_OMP(parallel if (plan.units() > 1))
  {
    try {
      BlockScorer<Model> scorer(model, plan.block, plan.tile);
      TopKLists<S> lists;
      std::vector<S> buffer(static_cast<std::size_t>(plan.block * plan.tile));
      for (Index unit = thread_in_team(); unit < plan.units(); unit += team_size()) {
        const Index b = unit / plan.stripes, s = unit % plan.stripes;
        const Index first_user = b * plan.block, count = std::min(plan.block, n - first_user);
        const Index* who = out.users.data() + first_user;
        lists.reset(count, keep);
        for (Index t = plan.first_tile(s); t < plan.first_tile(s + 1); ++t) {
          const Index first = t * plan.tile, width = std::min(plan.tile, num_items - first);
          scorer.score(who, count, first, width, buffer.data());
          for (Index r = 0; r < count; ++r) {
            S* row = buffer.data() + r * width;
            detail::mask_excluded(exclude, who[r], first, width, row);
            lists.offer(r, row, first, width);
          }
        }
        for (Index r = 0; r < count; ++r) {
          if (plan.stripes == 1) {
            const Index g = first_user + r;
            out.lengths[static_cast<std::size_t>(g)] =
                lists.take(r, out.items.data() + g * keep, out.scores.data() + g * keep);
          } else {
            const Index row = unit * plan.block + r;
            partial_lengths[static_cast<std::size_t>(row)] =
                lists.take(r, partial_items.data() + row * keep, partial_scores.data() + row * keep);
          }
        }
      }
    } catch (...) {
      INVLEARN_OMP(critical(invlearn_recommend_error))
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);

  if (plan.stripes > 1) {
    TopKLists<S> lists;
    for (Index g = 0; g < n; ++g) {
      const Index b = g / plan.block, r = g % plan.block;
      lists.reset(1, keep);
      for (Index s = 0; s < plan.stripes; ++s) {
        const Index row = (b * plan.stripes + s) * plan.block + r;
        for (Index j = 0; j < partial_lengths[static_cast<std::size_t>(row)]; ++j)
          lists.push(0, {partial_scores[static_cast<std::size_t>(row * keep + j)],
                         partial_items[static_cast<std::size_t>(row * keep + j)]});
      }
      out.lengths[static_cast<std::size_t>(g)] = lists.take(0, out.items.data() + g * keep, out.scores.data() + g * keep);
    }
  }
  for (Index g = 0; g < n; ++g) {
    const Index user = out.users[static_cast<std::size_t>(g)];
    const Index want = std::min(k, detail::candidate_count(exclude, user, num_items));
    if (out.length(g) < want)
      throw NumericalError("recommend: user " + std::to_string(user) + " has " + std::to_string(want - out.length(g)) +
                           " of its top " + std::to_string(want) +
                           " candidates scored NaN or -inf by the model (diverged parameters?)");
  }
}

}  // namespace invlearn
