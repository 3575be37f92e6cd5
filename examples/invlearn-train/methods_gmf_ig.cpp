// The IG trainers (IG by blocks, the paper's four schedule × step pairs) on GMF, compiled
// apart from main.cpp (run_method.hpp says why).
#include "run_method.hpp"

namespace train {
template MethodResult run_ig<Trained<invlearn::GMF<float>>>(Trained<invlearn::GMF<float>>&,
                                                           const invlearn::TrainerOptions&, const RunSettings&);
}  // namespace train
