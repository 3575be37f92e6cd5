// Package test consumer: must build against an installed invlearn (find_package)
// and against the source tree (add_subdirectory), then train a few steps and return 0.
#include <invlearn/ig.hpp>

#include <cmath>
#include <cstdio>

int main() {
  std::printf("invlearn %s\n", INVLEARN_VERSION_STRING);
  invlearn::SyntheticOptions data_options;
  data_options.users = 200;
  data_options.items = 100;
  data_options.labeled_per_user = 20;
  const invlearn::SyntheticData synthetic(data_options);
  const invlearn::Dataset data = synthetic.dataset();

  invlearn::GMF<float> model(data.num_users(), data.num_items());
  invlearn::TrainerOptions options;
  options.epochs = 2;
  options.batch_size = 256;
  invlearn::methods::IG<invlearn::GMF<float>> trainer(model, options);
  const auto fit = trainer.fit(data.train, data.valid);
  const auto test = invlearn::evaluate(model, data.test);
  std::printf("trained %zu steps, best epoch %d, test AUC %.4f\n", trainer.trace().steps.size(), fit.best_epoch,
              test.auc);
  return trainer.trace().steps.empty() || !std::isfinite(test.auc) ? 1 : 0;
}
