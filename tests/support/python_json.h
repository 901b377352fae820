// Runs a checker script with Debian's /usr/bin/python3 and reads the JSON it
// prints, so tests can judge the email with Python's own email package.
#ifndef BACKINSTOCK_TESTS_SUPPORT_PYTHON_JSON_H_
#define BACKINSTOCK_TESTS_SUPPORT_PYTHON_JSON_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace backinstock::testing {

// Runs `/usr/bin/python3 <source dir>/<script> args...`; its stdout parsed as
// JSON, or an error with its stderr when it fails.
absl::StatusOr<nlohmann::json> RunPythonJson(const std::string& script,
                                             const std::vector<std::string>& args);

// Writes `contents` to a new temporary file and returns its path.
std::string WriteTempFile(const std::string& stem, const std::string& contents);

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_PYTHON_JSON_H_
