#pragma once
/// @file rank.hpp
/// Ranking the catalogue for users: score() through forward, recommend() over every item
/// with exclusions (blocked, bounded memory, the same lists for any thread count), and the
/// pieces they are made of (BlockScorer, TopKLists, Recommendations).

#include "invlearn/rank/block_scorer.hpp"
#include "invlearn/rank/recommend.hpp"
#include "invlearn/rank/recommendations.hpp"
#include "invlearn/rank/score.hpp"
#include "invlearn/rank/top_k.hpp"
