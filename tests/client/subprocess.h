// Runs programs for the client tests (backinstockctl, cmake, the installed
// consumer): to completion with their output captured, or in the background
// with stdout readable line by line.
#ifndef BACKINSTOCK_TESTS_CLIENT_SUBPROCESS_H_
#define BACKINSTOCK_TESTS_CLIENT_SUBPROCESS_H_

#include <sys/types.h>

#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace backinstock::testing {

struct Completed {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] a path) with `env` added to a copy of this process's
// environment minus every BACKINSTOCK_* variable, and waits for it.
Completed RunProgram(const std::vector<std::string>& argv,
                     const std::vector<std::pair<std::string, std::string>>& env = {});

// A program running in the background whose stdout is a pipe.
class Background {
 public:
  explicit Background(const std::vector<std::string>& argv,
                      const std::vector<std::pair<std::string, std::string>>& env = {});
  ~Background();  // kills and reaps the child if it still runs

  // The next line of stdout without its newline; nullopt at end of output.
  std::optional<std::string> ReadLine();

  // Sends `signal` to the child.
  void Signal(int signal);

  // Waits for the exit; returns the exit code (128 + signal when killed).
  int Wait();

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
};

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_CLIENT_SUBPROCESS_H_
