#pragma once
/// @file read.hpp
/// Reading ratings files: every registered format (data/read/formats.hpp), detection and
/// the readers.

#include "invlearn/data/read/detect.hpp"
#include "invlearn/data/read/format.hpp"
#include "invlearn/data/read/formats.hpp"
#include "invlearn/data/read/raw_ratings.hpp"
#include "invlearn/data/read/read_ratings.hpp"
