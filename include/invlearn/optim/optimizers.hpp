#pragma once
/// @file optimizers.hpp
/// Every optimizer, and the concept they model.

#include "invlearn/optim/adam.hpp"
#include "invlearn/optim/moments.hpp"
#include "invlearn/optim/optimizer.hpp"
#include "invlearn/optim/sgd.hpp"
