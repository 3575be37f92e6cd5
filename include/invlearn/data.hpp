#pragma once
/// @file data.hpp
/// The data layer: interactions and data sets, reading ratings files, labeling,
/// splitting, hiding labels, the pair index, synthetic data and the samplers.

#include "invlearn/data/dataset.hpp"
#include "invlearn/data/hide_labels.hpp"
#include "invlearn/data/id_map.hpp"
#include "invlearn/data/interactions.hpp"
#include "invlearn/data/labeling.hpp"
#include "invlearn/data/make_dataset.hpp"
#include "invlearn/data/pair_index.hpp"
#include "invlearn/data/read.hpp"
#include "invlearn/data/sampling.hpp"
#include "invlearn/data/split.hpp"
#include "invlearn/data/synthetic.hpp"
