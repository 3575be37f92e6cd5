#pragma once
/// @file batches.hpp
/// The labeled rows of a fit as batches: the training(-train) and training-test parts,
/// each epoch's shuffled order of them, and the batch gathered from it.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "invlearn/core/error.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/types.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/split.hpp"

namespace invlearn {

/// The rows of a fit, split once and reshuffled every epoch.
class TrainBatches {
 public:
  /// Rows of `n` labeled rows held out as training-test at `fraction`: round(fraction·n),
  /// at least one and at most n - 1.
  static Index test_rows(Index n, double fraction) {
    const Index want = static_cast<Index>(std::llround(fraction * static_cast<double>(n)));
    return std::min(std::max<Index>(want, 1), n - 1);
  }

  /// Takes the rows of `train` (kept by pointer: it must outlive the fit) in batches of
  /// `batch_size`. With `hold_out`, a seeded share `fraction` of them (Stream::split)
  /// becomes the training-test part and the rest training-train, as Algorithm 1's line 1.
  void split(const Interactions& train, bool hold_out, double fraction, std::uint64_t seed, Index batch_size) {
    rows_ = &train;
    batch_size_ = batch_size;
    train_base_.clear();
    test_base_.clear();
    train_base_.reserve(static_cast<std::size_t>(train.size()));
    if (!hold_out) {
      train_base_.resize(static_cast<std::size_t>(train.size()));
      for (Index k = 0; k < train.size(); ++k) train_base_[static_cast<std::size_t>(k)] = k;
      return;
    }
    require(train.size() >= 2, "Trainer::fit: a meta policy needs at least 2 labeled rows");
    Rng rng(seed, Stream::split);
    const std::vector<Index> order = shuffled_indices(train.size(), rng);
    const Index n_test = test_rows(train.size(), fraction);
    for (Index k = 0; k < train.size(); ++k) (k < n_test ? test_base_ : train_base_).push_back(order[k]);
  }

  /// A fresh order of the training(-train) rows: the base order, shuffled by `rng`.
  void shuffle_train(Rng& rng) {
    train_ = train_base_;
    rng.shuffle(train_);
  }
  /// A fresh order of the training-test rows.
  void shuffle_test(Rng& rng) {
    test_ = test_base_;
    rng.shuffle(test_);
  }

  Index train_batches() const { return batches(train_base_.size()); }
  Index test_batches() const { return batches(test_base_.size()); }
  /// Batch b of this epoch's training(-train) order (valid until the next call).
  const Batch& train(Index b) { return gather(train_, b); }
  /// Batch b of the current training-test order (valid until the next call).
  const Batch& test(Index b) { return gather(test_, b); }

 private:
  Index batches(std::size_t rows) const {
    return (static_cast<Index>(rows) + batch_size_ - 1) / batch_size_;
  }
  const Batch& gather(const std::vector<Index>& order, Index b) {
    const Index n = static_cast<Index>(order.size());
    const Index begin = b * batch_size_;
    invlearn::gather(*rows_, order.data() + begin, std::min(n, begin + batch_size_) - begin, batch_);
    return batch_;
  }

  const Interactions* rows_ = nullptr;
  Index batch_size_ = 1;
  std::vector<Index> train_base_, test_base_;  ///< training(-train) and training-test rows
  std::vector<Index> train_, test_;            ///< this epoch's order of them
  Batch batch_;
};

}  // namespace invlearn
