// A fresh directory for one test, removed with everything in it afterwards.
#ifndef BACKINSTOCK_TESTS_SUPPORT_TEMP_DIR_H_
#define BACKINSTOCK_TESTS_SUPPORT_TEMP_DIR_H_

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "tests/support/test_server.h"

namespace backinstock::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& stem) : path_(TempPath(stem)) {
    // Never reuse a directory: a journal left in it would be replayed.
    if (!std::filesystem::create_directories(path_)) {
      throw std::runtime_error("temporary directory already exists: " + path_);
    }
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_TEMP_DIR_H_
