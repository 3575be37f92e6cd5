#pragma once
// A temporary file with given content, removed at scope exit.

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <unistd.h>

namespace invlearn_test {

struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& name, const std::string& content)
      : path(std::filesystem::temp_directory_path() /
             ("invlearn_test_data_" + std::to_string(::getpid()) + "_" + name)) {
    std::ofstream f(path, std::ios::binary);
    f << content;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  std::string str() const { return path.string(); }
};

}  // namespace invlearn_test
