// The IG trainers (IG by blocks, the paper's four schedule × step pairs) on NeuMF, compiled
// apart from main.cpp (run_method.hpp says why).
#include "run_method.hpp"

namespace train {
template MethodResult run_ig<Trained<invlearn::NeuMF<float>>>(Trained<invlearn::NeuMF<float>>&,
                                                           const invlearn::TrainerOptions&, const RunSettings&);
}  // namespace train
