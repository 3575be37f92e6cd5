#include <catch2/catch.hpp>
#include "invlearn/core/math.hpp"
TEST_CASE("smoke sigmoid") { REQUIRE(invlearn::sigmoid(0.0) == 0.5); }
