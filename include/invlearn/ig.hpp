#pragma once
/// @file ig.hpp
/// The one header users include: the whole of invlearn.

#include "invlearn/config.hpp"
#include "invlearn/version.hpp"

#include "invlearn/core/detect.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/math.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/core/text.hpp"
#include "invlearn/core/traits.hpp"
#include "invlearn/core/types.hpp"

#include "invlearn/data.hpp"

#include "invlearn/model/gmf.hpp"
#include "invlearn/model/gradient.hpp"
#include "invlearn/model/neumf.hpp"

#include "invlearn/loss/bce.hpp"
#include "invlearn/loss/inverse_dual.hpp"
#include "invlearn/loss/reweighted.hpp"
#include "invlearn/loss/truncated.hpp"

#include "invlearn/optim/adam.hpp"
#include "invlearn/optim/sgd.hpp"

#include "invlearn/update/direct.hpp"
#include "invlearn/update/inverse.hpp"
#include "invlearn/update/inverse_gradient.hpp"
#include "invlearn/update/joint.hpp"
#include "invlearn/update/no_update.hpp"
#include "invlearn/update/schedule.hpp"
#include "invlearn/update/step_rule.hpp"

#include "invlearn/train/methods.hpp"
#include "invlearn/train/trace.hpp"
#include "invlearn/train/trainer.hpp"

#include "invlearn/metrics/auc.hpp"
#include "invlearn/metrics/evaluate.hpp"
#include "invlearn/metrics/ranking.hpp"

#include "invlearn/io/checkpoint.hpp"
