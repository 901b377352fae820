#include "tests/support/python_json.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "tests/support/child_process.h"
#include "tests/support/smtp_relay.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {

std::string WriteTempFile(const std::string& stem, const std::string& contents) {
  const std::string path = TempPath(stem);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

absl::StatusOr<nlohmann::json> RunPythonJson(const std::string& script,
                                             const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/python3", SourcePath(script)};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string out_path = TempPath("python-out");
  const std::string err_path = TempPath("python-err");
  const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  absl::StatusOr<pid_t> pid = SpawnChild(argv, {}, out, err);
  close(out);
  close(err);
  if (!pid.ok()) return pid.status();
  int status = 0;
  waitpid(*pid, &status, 0);
  const std::string stdout_text = ReadWholeFile(out_path);
  const std::string stderr_text = ReadWholeFile(err_path);
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  if (ExitCodeOf(status) != 0) {
    return absl::InternalError(
        absl::StrCat(script, " exited ", ExitCodeOf(status), ": ", stderr_text));
  }
  nlohmann::json parsed = nlohmann::json::parse(stdout_text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return absl::InternalError(absl::StrCat(script, " printed no JSON: ", stdout_text));
  }
  return parsed;
}

}  // namespace backinstock::testing
