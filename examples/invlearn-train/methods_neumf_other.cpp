// The trainers of every method but IG on NeuMF, compiled apart from main.cpp (run_method.hpp
// says why).
#include "run_method.hpp"

namespace train {
template MethodResult run_other<Trained<invlearn::NeuMF<float>>>(const std::string&, Trained<invlearn::NeuMF<float>>&,
                                                              const invlearn::TrainerOptions&, const RunSettings&);
}  // namespace train
