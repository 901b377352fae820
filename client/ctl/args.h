// backinstockctl's command line: words and flags. Flags are `--name=value`,
// `--name value`, or `--name` for switches; the same flag twice is an error, so
// is a flag nobody declared. Every flag may come from an environment variable
// instead (the flag wins).
#ifndef BACKINSTOCK_CLIENT_CTL_ARGS_H_
#define BACKINSTOCK_CLIENT_CTL_ARGS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace backinstock::ctl {

struct FlagSpec {
  absl::string_view name;   // without the dashes
  bool is_switch = false;   // takes no value
  absl::string_view value;  // placeholder for help, "JSON"
  absl::string_view help;
  absl::string_view env = {};  // environment variable read when the flag is absent
};

class Args {
 public:
  // Splits argv (without the program name). `flags` must name every flag any
  // command accepts.
  static absl::StatusOr<Args> Parse(absl::Span<char* const> argv, absl::Span<const FlagSpec> flags);

  const std::vector<std::string>& words() const { return words_; }

  // The flag's value, or its environment variable's, or nullopt.
  std::optional<std::string> Get(absl::string_view name) const;
  bool Has(absl::string_view name) const { return Get(name).has_value(); }

  // The flags given on the command line (not from the environment).
  std::vector<std::string> GivenFlags() const;

 private:
  std::vector<std::string> words_;
  std::map<std::string, std::string, std::less<>> values_;
  std::map<std::string, std::string, std::less<>> env_names_;
};

}  // namespace backinstock::ctl

#endif  // BACKINSTOCK_CLIENT_CTL_ARGS_H_
