// Trains a backbone the library has never seen (example/dot_mf.hpp) with the
// Inverse Gradient method, with no change to the library: the method is model-agnostic.
//
//   custom_backbone            # synthetic data, 5 epochs

#include <cstdio>

#include <invlearn/ig.hpp>

#include "dot_mf.hpp"

int main() {
  try {
    invlearn::SyntheticOptions data_options;
    data_options.users = 1000;
    data_options.items = 500;
    const invlearn::SyntheticData synthetic(data_options);
    const invlearn::Dataset data = synthetic.dataset();

    using Model = example::DotMF<float>;
    Model model(data.num_users(), data.num_items(), 16, 42);

    invlearn::TrainerOptions options;
    options.epochs = 10;
    options.lr = 0.01;  // a small data set: fewer steps per epoch than the defaults assume
    options.method = "ig";
    invlearn::methods::IG<Model> trainer(model, options);
    trainer.on_epoch([](const invlearn::EpochReport& e) {
      std::printf("epoch %d  valid BCE %.4f  IG choices direct/none/inverse %lld/%lld/%lld\n", e.epoch,
                  e.valid_loss, static_cast<long long>(e.choices[0]), static_cast<long long>(e.choices[1]),
                  static_cast<long long>(e.choices[2]));
      return true;
    });
    const auto fit = trainer.fit(data.train, data.valid,
                                 [&](invlearn::Index u, invlearn::Index i) { return synthetic.truth(u, i); });
    const auto test = invlearn::evaluate(model, data.test);
    std::printf("DotMF + IG: best epoch %d, test AUC %.4f, GAUC %.4f, NDCG@10 %.4f\n", fit.best_epoch, test.auc,
                test.gauc, test.ndcg);

    // Ranking needs forward() only: DotMF has no score_block (docs/concepts.md), so
    // recommend() scores every (user, item) pair through forward(), a block at a time.
    const invlearn::FullRankingReport full =
        invlearn::evaluate_full_ranking(model, data.test, {&data.train, &data.valid}, {10});
    std::printf("full ranking: Recall@10 %.4f, NDCG@10 %.4f over %lld users\n", full.at[0].recall, full.at[0].ndcg,
                static_cast<long long>(full.users));
    invlearn::Recommendations<float> top;
    invlearn::recommend(model, {0}, 5, invlearn::PairIndex(data.train), top);
    std::printf("top 5 for user 0, training items excluded:");
    for (invlearn::Index j = 0; j < top.length(0); ++j) std::printf(" %lld", static_cast<long long>(top.items_of(0)[j]));
    std::printf("\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "custom_backbone: %s\n", e.what());
    return 1;
  }
}
