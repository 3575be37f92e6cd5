// Package test consumer: must build against an installed invlearn (find_package)
// and against the source tree (add_subdirectory), then run and return 0.
#include <invlearn/ig.hpp>

#include <cstdio>

int main() {
  std::printf("invlearn %s\n", INVLEARN_VERSION_STRING);
  // BODY
  return 0;
}
