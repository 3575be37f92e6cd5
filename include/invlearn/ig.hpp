#pragma once
/// @file ig.hpp
/// The one header users include: the whole of invlearn.

#include "invlearn/config.hpp"
#include "invlearn/version.hpp"

#include "invlearn/core/archive.hpp"
#include "invlearn/core/atomic_file.hpp"
#include "invlearn/core/detect.hpp"
#include "invlearn/core/error.hpp"
#include "invlearn/core/math.hpp"
#include "invlearn/core/per_scalar_state.hpp"
#include "invlearn/core/random.hpp"
#include "invlearn/core/rows.hpp"
#include "invlearn/core/text.hpp"
#include "invlearn/core/types.hpp"

#include "invlearn/data.hpp"

#include "invlearn/model/models.hpp"
#include "invlearn/model/parameter_shape.hpp"
#include "invlearn/model/predict.hpp"

#include "invlearn/loss/losses.hpp"

#include "invlearn/optim/optimizers.hpp"

#include "invlearn/update/updates.hpp"

#include "invlearn/train/composition.hpp"
#include "invlearn/train/methods.hpp"
#include "invlearn/train/schedule.hpp"
#include "invlearn/train/trace.hpp"
#include "invlearn/train/trace_csv.hpp"
#include "invlearn/train/trainer.hpp"

#include "invlearn/rank/rank.hpp"

#include "invlearn/metrics/auc.hpp"
#include "invlearn/metrics/evaluate.hpp"
#include "invlearn/metrics/full_ranking.hpp"
#include "invlearn/metrics/ranking.hpp"
#include "invlearn/metrics/topk_metrics.hpp"

#include "invlearn/io/io.hpp"
