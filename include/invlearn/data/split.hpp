#pragma once
/// @file split.hpp
/// Seeded train/valid/test splits, keeping a fraction of the training labels, building
/// a Dataset, and the per-user pair index the samplers use to reject seen pairs.
///
/// Every random choice here draws from its own stream (Stream::split,
/// Stream::label_fraction), so the same seed gives the same split on every platform and
/// changing one option never shifts the rows another option picks.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/labeling.hpp"
#include "invlearn/data/readers.hpp"

namespace invlearn {

/// How a data set is split and which unlabeled pool it carries.
struct SplitOptions {
  double train = 0.6;          ///< share of labeled rows for training
  double valid = 0.2;          ///< share for validation; the rest is test
  std::uint64_t seed = 42;     ///< seeds the split and the label fraction
  double label_fraction = 1.0; ///< share of training labels kept, in (0, 1]
  /// Where unlabeled pairs come from: `uniform` — sampled over all items during
  /// training (no pool); `middle` — the unclear rows (between the label thresholds) that
  /// fall in the training split, truth unknown (NaN); `hidden` — the training rows whose
  /// labels label_fraction hid, with their true labels kept for measuring annotation
  /// accuracy (training never reads them).
  enum class Unlabeled { uniform, middle, hidden } unlabeled = Unlabeled::uniform;

  /// Throws InvalidArgument naming the bad option.
  void validate() const {
    if (!(train > 0.0 && train <= 1.0))
      throw InvalidArgument("split: train fraction must be in (0, 1], got " +
                            LabelRule::number(train));
    if (!(valid >= 0.0 && valid < 1.0))
      throw InvalidArgument("split: valid fraction must be in [0, 1), got " +
                            LabelRule::number(valid));
    if (train + valid > 1.0 + 1e-12)
      throw InvalidArgument("split: train + valid fractions exceed 1 (" +
                            LabelRule::number(train) + " + " + LabelRule::number(valid) + ")");
    if (!(label_fraction > 0.0 && label_fraction <= 1.0))
      throw InvalidArgument("--label-fraction must be in (0, 1], got " +
                            LabelRule::number(label_fraction));
  }
};

/// Parses "uniform", "middle" or "hidden" (the `--unlabeled` flag).
inline SplitOptions::Unlabeled parse_unlabeled(const std::string& name) {
  if (name == "uniform") return SplitOptions::Unlabeled::uniform;
  if (name == "middle") return SplitOptions::Unlabeled::middle;
  if (name == "hidden") return SplitOptions::Unlabeled::hidden;
  throw InvalidArgument("unknown --unlabeled '" + name + "': expected uniform, middle or hidden");
}

/// The name parse_unlabeled accepts for `u`.
inline const char* unlabeled_name(SplitOptions::Unlabeled u) {
  switch (u) {
    case SplitOptions::Unlabeled::uniform: return "uniform";
    case SplitOptions::Unlabeled::middle: return "middle";
    case SplitOptions::Unlabeled::hidden: return "hidden";
  }
  return "?";
}

/// The three parts of a split.
struct SplitParts {
  Interactions train, valid, test;
};

namespace detail {

inline Interactions empty_like(const Interactions& rows) {
  Interactions out;
  out.num_users = rows.num_users;
  out.num_items = rows.num_items;
  return out;
}

inline Interactions gather(const Interactions& rows, const std::vector<std::size_t>& idx,
                           std::size_t begin, std::size_t end) {
  Interactions out = empty_like(rows);
  out.reserve(end - begin);
  for (std::size_t k = begin; k < end; ++k)
    out.push_back(rows.users[idx[k]], rows.items[idx[k]], rows.labels[idx[k]]);
  return out;
}

inline std::size_t share(double fraction, std::size_t n) {
  return static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
}

}  // namespace detail

/// Random split of `rows` into round(train·n), round(valid·n) and the rest, drawing
/// the permutation from `rng`. Each part is in the permuted (random) order, not file
/// order: a later "first 90% / last 10%" cut of the training part (IG's training-train
/// and training-test) is then a random cut rather than a cut by user.
inline SplitParts split_rows(const Interactions& rows, double train, double valid, Rng& rng) {
  SplitOptions check;
  check.train = train;
  check.valid = valid;
  check.validate();
  const std::size_t n = rows.users.size();
  std::vector<std::size_t> idx(n);
  for (std::size_t k = 0; k < n; ++k) idx[k] = k;
  rng.shuffle(idx);
  const std::size_t nt = std::min(n, detail::share(train, n));
  const std::size_t nv = std::min(n - nt, detail::share(valid, n));
  SplitParts parts;
  parts.train = detail::gather(rows, idx, 0, nt);
  parts.valid = detail::gather(rows, idx, nt, nt + nv);
  parts.test = detail::gather(rows, idx, nt + nv, n);
  return parts;
}

/// Random split of `rows` seeded by `seed` (stream Stream::split).
inline SplitParts split_rows(const Interactions& rows, double train = 0.6, double valid = 0.2,
                             std::uint64_t seed = 42) {
  Rng rng(seed, Stream::split);
  return split_rows(rows, train, valid, rng);
}

/// Keeps a seeded share `fraction` of the labeled training rows (round(fraction·n), at
/// least one when n > 0) and moves the others, labels included, to `*hidden_out` (if
/// given). Both keep the rows' relative order. The hidden labels are the truth used to
/// score annotation accuracy; training never reads them.
inline void label_fraction(Interactions& train, double fraction, std::uint64_t seed,
                           Interactions* hidden_out) {
  if (!(fraction > 0.0 && fraction <= 1.0))
    throw InvalidArgument("--label-fraction must be in (0, 1], got " +
                          LabelRule::number(fraction));
  Interactions hidden = detail::empty_like(train);
  const std::size_t n = train.users.size();
  std::size_t keep_count = std::min(n, detail::share(fraction, n));
  if (n > 0 && keep_count == 0) keep_count = 1;
  if (keep_count < n) {
    std::vector<std::size_t> idx(n);
    for (std::size_t k = 0; k < n; ++k) idx[k] = k;
    Rng rng(seed, Stream::label_fraction);
    rng.shuffle(idx);
    std::vector<char> keep(n, 0);
    for (std::size_t k = 0; k < keep_count; ++k) keep[idx[k]] = 1;
    hidden.reserve(n - keep_count);
    std::size_t w = 0;
    for (std::size_t r = 0; r < n; ++r) {
      if (keep[r]) {
        train.users[w] = train.users[r];
        train.items[w] = train.items[r];
        train.labels[w] = train.labels[r];
        ++w;
      } else {
        hidden.push_back(train.users[r], train.items[r], train.labels[r]);
      }
    }
    train.users.resize(w);
    train.items.resize(w);
    train.labels.resize(w);
  }
  if (hidden_out) *hidden_out = std::move(hidden);
}

namespace detail {

inline void set_sizes(Dataset& d, Index num_users, Index num_items) {
  for (Interactions* part : {&d.train, &d.valid, &d.test, &d.unlabeled_pool}) {
    part->num_users = num_users;
    part->num_items = num_items;
  }
}

inline void require_parts(const Dataset& d, const SplitOptions& opts, std::size_t labeled) {
  const std::string n = std::to_string(labeled);
  if (d.train.empty())
    throw InvalidArgument(d.name + ": no labeled training rows (" + n + " labeled rows in all)");
  if (opts.valid > 0.0 && d.valid.empty())
    throw InvalidArgument(d.name + ": too few labeled rows (" + n + ") for a validation part");
  if (opts.train + opts.valid < 1.0 - 1e-12 && d.test.empty())
    throw InvalidArgument(d.name + ": too few labeled rows (" + n + ") for a test part");
}

/// Fills d.unlabeled_pool from the training part's unclear rows or hidden rows.
inline void fill_pool(Dataset& d, const SplitOptions& opts, Interactions&& unclear_train,
                      Interactions&& hidden) {
  switch (opts.unlabeled) {
    case SplitOptions::Unlabeled::uniform:
      d.unlabeled_pool = Interactions();
      break;
    case SplitOptions::Unlabeled::middle:
      if (unclear_train.empty())
        throw InvalidArgument(d.name +
                              ": --unlabeled middle: the label rule leaves no unclear rows in "
                              "the training data (every value is above --positive-above or "
                              "below --negative-below)");
      d.unlabeled_pool = std::move(unclear_train);
      break;
    case SplitOptions::Unlabeled::hidden:
      if (hidden.empty())
        throw InvalidArgument(d.name + ": --unlabeled hidden needs --label-fraction below 1 "
                                       "(no training labels were hidden)");
      d.unlabeled_pool = std::move(hidden);
      break;
  }
}

}  // namespace detail

/// Labels `raw` by `rule`, splits the labeled rows train/valid/test (seeded), keeps
/// `opts.label_fraction` of the training labels, and fills the unlabeled pool as
/// `opts.unlabeled` asks. The unclear rows are split with the same fractions from the
/// same stream (after the labeled rows), and only their training share feeds `middle`,
/// so no pair of the validation or test period is ever trained on. Every part's
/// num_users/num_items are the full id-map sizes.
inline Dataset make_dataset(const RawRatings& raw, const LabelRule& rule,
                            const SplitOptions& opts = {}) {
  opts.validate();
  LabeledRows rows = apply_labels(raw, rule);
  Dataset d;
  d.name = raw.source;
  Rng rng(opts.seed, Stream::split);
  SplitParts parts = split_rows(rows.labeled, opts.train, opts.valid, rng);
  d.train = std::move(parts.train);
  d.valid = std::move(parts.valid);
  d.test = std::move(parts.test);
  detail::require_parts(d, opts, rows.labeled.users.size());
  Interactions hidden;
  label_fraction(d.train, opts.label_fraction, opts.seed, &hidden);
  Interactions unclear_train;
  if (opts.unlabeled == SplitOptions::Unlabeled::middle)
    unclear_train = split_rows(rows.unclear, opts.train, opts.valid, rng).train;
  detail::fill_pool(d, opts, std::move(unclear_train), std::move(hidden));
  d.users = raw.user_ids;
  d.items = raw.item_ids;
  detail::set_sizes(d, d.users.size(), d.items.size());
  return d;
}

/// Builds a Dataset from pre-split files read with shared id maps (see
/// read_ratings_presplit). opts.train/valid are not used; label_fraction and
/// unlabeled are, and `middle` takes the unclear rows of the training file. Throws
/// InvalidArgument if the three parts' id maps disagree (files read with separate maps).
inline Dataset make_dataset_presplit(const RawRatings& train, const RawRatings& valid,
                                     const RawRatings& test, const LabelRule& rule,
                                     const SplitOptions& opts = {}) {
  opts.validate();
  const RawRatings* parts[] = {&train, &valid, &test};
  const RawRatings* users_from = &train;
  const RawRatings* items_from = &train;
  for (const RawRatings* p : parts) {
    if (p->user_ids.size() > users_from->user_ids.size()) users_from = p;
    if (p->item_ids.size() > items_from->item_ids.size()) items_from = p;
  }
  for (const RawRatings* p : parts) {
    for (Index k = 0; k < p->user_ids.size(); ++k)
      if (p->user_ids.raw(k) != users_from->user_ids.raw(k))
        throw InvalidArgument(p->source + ": user ids are not mapped like " + users_from->source +
                              "'s; read pre-split files with one IdMap pair "
                              "(read_ratings_presplit)");
    for (Index k = 0; k < p->item_ids.size(); ++k)
      if (p->item_ids.raw(k) != items_from->item_ids.raw(k))
        throw InvalidArgument(p->source + ": item ids are not mapped like " + items_from->source +
                              "'s; read pre-split files with one IdMap pair "
                              "(read_ratings_presplit)");
  }
  LabeledRows tr = apply_labels(train, rule);
  Dataset d;
  d.name = train.source;
  d.train = std::move(tr.labeled);
  d.valid = apply_labels(valid, rule).labeled;
  d.test = apply_labels(test, rule).labeled;
  SplitOptions need = opts;
  need.train = 0.6;  // presplit: every part must be non-empty
  need.valid = 0.2;
  detail::require_parts(d, need, d.train.users.size() + d.valid.users.size() + d.test.users.size());
  Interactions hidden;
  label_fraction(d.train, opts.label_fraction, opts.seed, &hidden);
  detail::fill_pool(d, opts, std::move(tr.unclear), std::move(hidden));
  d.users = users_from->user_ids;
  d.items = items_from->item_ids;
  detail::set_sizes(d, d.users.size(), d.items.size());
  return d;
}

/// Which (user, item) pairs a set of interactions holds, in CSR form: per user, a
/// sorted vector of distinct items. contains() is a binary search in one user's items,
/// O(log d); samplers call it to reject pairs seen in training without ever scanning
/// the whole set.
///
/// A blocked Bloom filter (one 64-byte block per pair, 16 to 32 bits per pair) answers
/// first. Samplers mostly ask about pairs that are not there, and a binary search over
/// a large index is a chain of dependent cache misses (it was three quarters of the
/// uniform sampler's time); the filter rejects almost all of those with one cache line.
/// It has no false negatives, so contains() answers exactly as the search alone would.
class PairIndex {
 public:
  PairIndex() : offsets_(1, 0) {}

  /// Index of the pairs in `rows`.
  explicit PairIndex(const Interactions& rows) : PairIndex(std::vector<const Interactions*>{&rows}) {}

  /// Index of the pairs in all of `parts` (e.g. train and an unlabeled pool).
  /// Users range over [0, max num_users of the parts) (or beyond, if a row's id is).
  explicit PairIndex(const std::vector<const Interactions*>& parts) {
    Index nu = 0;
    std::size_t total = 0;
    for (const Interactions* p : parts) {
      nu = std::max(nu, p->num_users);
      total += p->users.size();
      for (std::size_t r = 0; r < p->users.size(); ++r) {
        if (p->users[r] < 0 || p->items[r] < 0)
          throw InvalidArgument("PairIndex: row " + std::to_string(r) + " has a negative id");
        nu = std::max(nu, p->users[r] + 1);
      }
    }
    const std::size_t n_users = static_cast<std::size_t>(nu);
    std::vector<Index> offsets(n_users + 1, 0);
    for (const Interactions* p : parts)
      for (Index u : p->users) ++offsets[static_cast<std::size_t>(u) + 1];
    for (std::size_t u = 0; u < n_users; ++u) offsets[u + 1] += offsets[u];
    items_.resize(total);
    {
      std::vector<Index> fill(offsets.begin(), offsets.end() - 1);
      for (const Interactions* p : parts)
        for (std::size_t r = 0; r < p->users.size(); ++r)
          items_[static_cast<std::size_t>(fill[static_cast<std::size_t>(p->users[r])]++)] =
              p->items[r];
    }
    // Sort each user's items, drop repeats, and compact in place.
    offsets_.assign(n_users + 1, 0);
    std::size_t w = 0;
    for (std::size_t u = 0; u < n_users; ++u) {
      auto b = items_.begin() + offsets[u];
      auto e = items_.begin() + offsets[u + 1];
      std::sort(b, e);
      e = std::unique(b, e);
      const auto out = items_.begin() + static_cast<std::ptrdiff_t>(w);
      if (out != b) std::move(b, e, out);
      w += static_cast<std::size_t>(e - b);
      offsets_[u + 1] = static_cast<Index>(w);
    }
    items_.resize(w);
    items_.shrink_to_fit();
    build_filter();
  }

  /// True if (u, i) is one of the indexed pairs; false for a user outside the index.
  bool contains(Index u, Index i) const {
    if (u < 0 || u >= num_users()) return false;
    if (!filter_.empty() && !may_contain(u, i)) return false;
    return std::binary_search(begin(u), end(u), i);
  }

  Index num_users() const { return static_cast<Index>(offsets_.size()) - 1; }
  /// Number of distinct pairs.
  Index size() const { return static_cast<Index>(items_.size()); }
  /// Number of distinct items of user u (0 outside the index).
  Index degree(Index u) const {
    return (u < 0 || u >= num_users()) ? 0 : offsets_[static_cast<std::size_t>(u) + 1] -
                                                 offsets_[static_cast<std::size_t>(u)];
  }
  /// User u's items, sorted ascending: [begin(u), end(u)). u must be in [0, num_users()).
  const Index* begin(Index u) const { return items_.data() + offsets_[static_cast<std::size_t>(u)]; }
  const Index* end(Index u) const { return items_.data() + offsets_[static_cast<std::size_t>(u) + 1]; }

  /// CSR arrays: user u's items are items()[offsets()[u] .. offsets()[u+1]).
  const std::vector<Index>& offsets() const { return offsets_; }
  const std::vector<Index>& items() const { return items_; }

 private:
  static constexpr int kWordsPerBlock = 8;  // 512 bits: one cache line
  static constexpr int kBitsPerPair = 4;    // bits set per pair, all in its block

  static std::uint64_t pair_hash(Index u, Index i) {
    // splitmix64's finaliser over a combination of the two ids.
    std::uint64_t h = static_cast<std::uint64_t>(u) * 0x9E3779B97F4A7C15ull ^
                      (static_cast<std::uint64_t>(i) + 0x632BE59BD9B4E019ull);
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 31);
  }

  /// Index in filter_ of the first word of the pair's block (from the hash's high bits);
  /// the bits set in it are kBitsPerPair positions of 9 bits each from the low ones.
  std::size_t block_of(std::uint64_t h) const {
    return filter_begin_ + static_cast<std::size_t>(h >> block_shift_) * kWordsPerBlock;
  }
  static unsigned bit_of(std::uint64_t h, int b) { return static_cast<unsigned>(h >> (9 * b)) & 511u; }

  bool may_contain(Index u, Index i) const {
    const std::uint64_t h = pair_hash(u, i);
    const std::uint64_t* block = filter_.data() + block_of(h);
    for (int b = 0; b < kBitsPerPair; ++b) {
      const unsigned bit = bit_of(h, b);
      if (!(block[bit >> 6] & (std::uint64_t(1) << (bit & 63u)))) return false;
    }
    return true;
  }

  void build_filter() {
    filter_.clear();
    filter_begin_ = 0;
    if (items_.empty()) return;
    // A power of two (at least 2) of blocks, with at least 16 bits per pair.
    int log_blocks = 1;
    while ((std::size_t(1) << log_blocks) * 512 < 16 * items_.size()) ++log_blocks;
    block_shift_ = 64 - log_blocks;
    // One block more than needed, so that block 0 can start on a cache line.
    filter_.assign((std::size_t(1) << log_blocks) * kWordsPerBlock + kWordsPerBlock, 0);
    const auto address = reinterpret_cast<std::uintptr_t>(filter_.data());
    filter_begin_ = ((64 - address % 64) % 64) / sizeof(std::uint64_t);
    for (Index u = 0; u < num_users(); ++u) {
      for (const Index* it = begin(u); it != end(u); ++it) {
        const std::uint64_t h = pair_hash(u, *it);
        std::uint64_t* block = filter_.data() + block_of(h);
        for (int b = 0; b < kBitsPerPair; ++b) {
          const unsigned bit = bit_of(h, b);
          block[bit >> 6] |= std::uint64_t(1) << (bit & 63u);
        }
      }
    }
  }

  std::vector<Index> offsets_;
  std::vector<Index> items_;
  std::vector<std::uint64_t> filter_;  // empty: no filter (an empty index)
  std::size_t filter_begin_ = 0;       // first word of block 0 (cache-line aligned)
  int block_shift_ = 63;               // h >> block_shift_ is the block
};

}  // namespace invlearn
