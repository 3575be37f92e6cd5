#pragma once
/// @file models.hpp
/// The backbones the library ships, and the concept every backbone models.

#include "invlearn/model/backbone.hpp"
#include "invlearn/model/candidates.hpp"
#include "invlearn/model/gmf.hpp"
#include "invlearn/model/neumf.hpp"
