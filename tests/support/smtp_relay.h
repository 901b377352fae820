// A real SMTP relay for tests: tests/support/smtp_relay.py (Debian's
// aiosmtpd) on a free loopback port, storing every message it accepts as a
// file, and answering 4xx/5xx or dropping the connection for recipients that
// match a rule. Stopped by the destructor.
#ifndef BACKINSTOCK_TESTS_SUPPORT_SMTP_RELAY_H_
#define BACKINSTOCK_TESTS_SUPPORT_SMTP_RELAY_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace backinstock::testing {

class SmtpRelay {
 public:
  struct Options {
    // "PATTERN=CODE" or "PATTERN=drop": the answer to the end of DATA for a
    // recipient matching the shell-style PATTERN (for example
    // "busy*@example.com=451").
    std::vector<std::string> rules;
    // "user:password": AUTH required with these credentials.
    std::string auth;
    absl::Duration ready_timeout = absl::Seconds(30);
  };

  static absl::StatusOr<std::unique_ptr<SmtpRelay>> Start(Options options);
  static absl::StatusOr<std::unique_ptr<SmtpRelay>> Start() { return Start(Options()); }
  ~SmtpRelay();

  int port() const { return port_; }
  std::string url() const;  // smtp://127.0.0.1:PORT
  // Where the messages are stored: NNNN.eml (bytes received) and NNNN.json
  // (envelope), numbered from 0001 in the order accepted.
  const std::string& directory() const { return directory_; }
  // Paths of the stored .eml files, in order.
  std::vector<std::string> Messages() const;

 private:
  SmtpRelay() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string directory_;
  std::string stdout_path_;
  std::string stderr_path_;
};

// The path of a test support file in the source tree.
std::string SourcePath(const std::string& relative);

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_SMTP_RELAY_H_
