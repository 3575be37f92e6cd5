#pragma once
/// @file version.hpp
/// Version of the invlearn headers.

#define INVLEARN_VERSION_MAJOR 0
#define INVLEARN_VERSION_MINOR 1
#define INVLEARN_VERSION_PATCH 0
#define INVLEARN_VERSION_STRING "0.1.0"
