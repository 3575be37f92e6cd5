#pragma once
/// @file updates.hpp
/// Every update policy and step rule, and the concepts they model.

#include "invlearn/update/block_inverse_gradient.hpp"
#include "invlearn/update/direct.hpp"
#include "invlearn/update/inverse.hpp"
#include "invlearn/update/inverse_gradient.hpp"
#include "invlearn/update/joint.hpp"
#include "invlearn/update/no_update.hpp"
#include "invlearn/update/normalized_step.hpp"
#include "invlearn/update/signed_joint.hpp"
#include "invlearn/update/sgd_step.hpp"
#include "invlearn/update/signed_step.hpp"
#include "invlearn/update/step_rule.hpp"
#include "invlearn/update/update_policy.hpp"
