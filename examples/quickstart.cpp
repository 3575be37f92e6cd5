// The shortest complete use of invlearn: train GMF with the Inverse Gradient
// method on the built-in synthetic data and print the test metrics.

#include <cstdio>

#include <invlearn/ig.hpp>

int main() {
  const invlearn::SyntheticData synthetic;               // planted ground truth
  const invlearn::Dataset data = synthetic.dataset();    // 60/20/20 split of the labeled rows

  invlearn::GMF<float> model(data.num_users(), data.num_items());  // d = 32
  invlearn::methods::IG<invlearn::GMF<float>> trainer(model);      // IG by blocks, Adam lr 1e-3, early stopping
  const auto fit = trainer.fit(data.train, data.valid);

  const auto test = invlearn::evaluate(model, data.test);
  std::printf("best epoch %d  AUC %.4f  GAUC %.4f  NDCG@10 %.4f  MRR %.4f\n", fit.best_epoch, test.auc,
              test.gauc, test.ndcg, test.mrr);
  return 0;
}
