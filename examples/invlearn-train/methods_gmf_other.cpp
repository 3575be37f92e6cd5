// The trainers of every method but IG on GMF, compiled apart from main.cpp (run_method.hpp
// says why).
#include "run_method.hpp"

namespace train {
template MethodResult run_other<Trained<invlearn::GMF<float>>>(const std::string&, Trained<invlearn::GMF<float>>&,
                                                              const invlearn::TrainerOptions&, const RunSettings&);
}  // namespace train
