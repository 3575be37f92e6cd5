#pragma once
// Building the Dataset the options ask for: the built-in synthetic data, one ratings
// file split 60/20/20, or pre-split train/valid/test files. Also what is known about
// the truth of unlabeled pairs, which decides whether annotation accuracy is reported.

#include <memory>
#include <string>

#include <invlearn/data/labeling.hpp>
#include <invlearn/data/read.hpp>
#include <invlearn/data/sampling/unlabeled_batch.hpp>
#include <invlearn/data/make_dataset.hpp>
#include <invlearn/data/split.hpp>
#include <invlearn/data/synthetic.hpp>

#include "options.hpp"
#include "results.hpp"

namespace train {

struct LoadedData {
  invlearn::Dataset dataset;
  std::shared_ptr<const invlearn::SyntheticData> synthetic;  ///< set for the built-in data
  invlearn::LabelRule rule;  ///< the thresholds used (files only)

  /// Truth of uniformly sampled pairs: known for synthetic data only.
  invlearn::TruthFn truth() const {
    if (!synthetic) return {};
    auto syn = synthetic;
    return [syn](invlearn::Index u, invlearn::Index i) { return syn->truth(u, i); };
  }
  /// The fixed pool of unlabeled pairs for middle/hidden, null for uniform sampling.
  const invlearn::Interactions* pool() const {
    return dataset.unlabeled_pool.empty() ? nullptr : &dataset.unlabeled_pool;
  }
  /// True when annotation accuracy can be measured: synthetic data (every pair's truth)
  /// or hidden labels (the pool keeps the labels training never saw).
  bool truth_known(const Options& o) const { return synthetic != nullptr || o.unlabeled == "hidden"; }
};

inline invlearn::SplitOptions split_options(const Options& o) {
  invlearn::SplitOptions s;
  s.seed = o.seed;
  s.label_fraction = o.label_fraction;
  s.unlabeled = invlearn::parse_unlabeled(o.unlabeled);
  return s;
}

/// The preset for what was read, with the thresholds the command line gave.
inline invlearn::LabelRule label_rule(const Options& o, const invlearn::RawRatings& raw) {
  invlearn::LabelRule rule = invlearn::LabelRule::for_data(raw);
  if (o.positive_above) rule.positive_above = *o.positive_above;
  if (o.negative_below) rule.negative_below = *o.negative_below;
  return rule;
}

/// Reads and splits the data. Throws invlearn::ParseError (file and line) for
/// malformed files and invlearn::InvalidArgument for data the options cannot use.
inline LoadedData load_data(const Options& o) {
  LoadedData out;
  const invlearn::SplitOptions split = split_options(o);
  if (o.synthetic()) {
    invlearn::SyntheticOptions so;
    so.users = o.synthetic_users;
    so.items = o.synthetic_items;
    so.labeled_per_user = o.synthetic_rows_per_user;
    so.seed = o.seed;
    auto syn = std::make_shared<const invlearn::SyntheticData>(so);
    out.dataset = syn->dataset(split);
    out.synthetic = std::move(syn);
    return out;
  }
  const invlearn::Format format = invlearn::parse_format(o.format);
  if (o.presplit()) {
    const invlearn::PresplitRatings raw = invlearn::read_ratings_presplit(o.data, o.valid, o.test, format);
    out.rule = label_rule(o, raw.train);
    out.dataset = invlearn::make_dataset_presplit(raw.train, raw.valid, raw.test, out.rule, split);
  } else {
    const invlearn::RawRatings raw = invlearn::read_ratings(o.data, format);
    out.rule = label_rule(o, raw);
    out.dataset = invlearn::make_dataset(raw, out.rule, split);
  }
  return out;
}

inline DatasetSummary summarize(const LoadedData& data, const Options& o) {
  const invlearn::Dataset& d = data.dataset;
  DatasetSummary s;
  s.name = d.name;
  s.users = d.num_users();
  s.items = d.num_items();
  s.train_rows = d.train.size();
  s.valid_rows = d.valid.size();
  s.test_rows = d.test.size();
  s.positive_share = d.train.size() > 0 ? static_cast<double>(d.train.positives()) / static_cast<double>(d.train.size())
                                        : MethodResult::nan;
  s.unlabeled = o.unlabeled;
  s.pool_rows = d.unlabeled_pool.size();
  s.label_fraction = o.label_fraction;
  return s;
}

}  // namespace train
