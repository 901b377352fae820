// A real SMTP relay for tests: tests/support/smtp_relay.py (Debian's
// aiosmtpd) on a free loopback port (or a given one), storing every message
// it accepts as a file, and answering 4xx/5xx, dropping the connection or
// answering late for recipients that match a rule. Stopped by the destructor.
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
    // The answer to the end of DATA for a recipient matching the shell-style
    // PATTERN; the first rule that applies decides, no rule: 250 (stored).
    //  "PATTERN=CODE"    that reply code ("busy*@example.com=451");
    //  "PATTERN=drop"    the connection closed without an answer;
    //  "PATTERN=CODExN"  CODE to each matching recipient's first N messages,
    //                    then the rule no longer applies to it
    //                    ("busy@example.com=451x2": accepted the 3rd time);
    //  "PATTERN=delay:S" answer S seconds (a decimal) late, then the rules
    //                    after this one decide.
    std::vector<std::string> rules;
    // The loopback port to listen on; 0: a free one. A given port lets a test
    // start a relay again where a server already expects it.
    int port = 0;
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
  // Whether at least `count` messages are stored: one stat, cheap enough to
  // poll while thousands are (the relay numbers and writes them in order).
  bool Holds(size_t count) const;
  // The attempts the rules refused or dropped, in order: "RECIPIENT ACTION
  // ATTEMPT" (ACTION a reply code or "drop", ATTEMPT counting that
  // recipient's DATA from 1). A stored message's .json carries its
  // "attempt" the same way.
  std::vector<std::string> Refusals() const;

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
