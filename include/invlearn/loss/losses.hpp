#pragma once
/// @file losses.hpp
/// Every loss policy, and the concept they model.

#include "invlearn/loss/bce.hpp"
#include "invlearn/loss/inverse_dual.hpp"
#include "invlearn/loss/loss.hpp"
#include "invlearn/loss/reweighted.hpp"
#include "invlearn/loss/truncated.hpp"
