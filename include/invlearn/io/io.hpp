#pragma once
/// @file io.hpp
/// Convenience include for saving and loading: model files (model_file.hpp), training
/// checkpoints (checkpoint.hpp) and their headers (header.hpp). The format's parts:
/// bytes.hpp, encoding.hpp, output_archive.hpp, input_archive.hpp, named_fields.hpp,
/// sections.hpp, container.hpp.

#include "invlearn/io/checkpoint.hpp"
#include "invlearn/io/header.hpp"
#include "invlearn/io/model_file.hpp"
#include "invlearn/io/sections.hpp"
