// Starting the programs tests run (the server binary, backinstockctl, cmake):
// one fork/exec with a controlled environment, so that every test child starts
// from the same clean slate.
#ifndef BACKINSTOCK_TESTS_SUPPORT_CHILD_PROCESS_H_
#define BACKINSTOCK_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace backinstock::testing {

// Forks and execs `argv` (argv[0] a path) with stdout on `stdout_fd` and
// stderr on `stderr_fd`. The child's environment is this process's minus every
// BACKINSTOCK_* variable (a developer's shell must not change what a test
// sees), plus `env`. The caller still owns and closes both descriptors.
absl::StatusOr<pid_t> SpawnChild(const std::vector<std::string>& argv,
                                 const std::vector<std::pair<std::string, std::string>>& env,
                                 int stdout_fd, int stderr_fd);

// A waitpid status as a shell would show it: the exit code, or 128 + signal.
int ExitCodeOf(int wait_status);

// The whole contents of `path`; empty when it cannot be read.
std::string ReadWholeFile(const std::string& path);

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_CHILD_PROCESS_H_
