#include "client/ctl/args.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace backinstock::ctl {

absl::StatusOr<Args> Args::Parse(absl::Span<char* const> argv, absl::Span<const FlagSpec> flags) {
  Args args;
  for (const FlagSpec& flag : flags) {
    if (!flag.env.empty()) args.env_names_.emplace(flag.name, flag.env);
  }
  bool only_words = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    absl::string_view arg = argv[i];
    if (only_words || !absl::StartsWith(arg, "--")) {
      args.words_.emplace_back(arg);
      continue;
    }
    if (arg == "--") {  // everything after is a word, even "--x"
      only_words = true;
      continue;
    }
    arg.remove_prefix(2);
    const size_t eq = arg.find('=');
    const absl::string_view name = arg.substr(0, eq);
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& flag : flags) {
      if (flag.name == name) spec = &flag;
    }
    if (spec == nullptr) return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    if (args.values_.count(name) > 0) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " given twice"));
    }
    std::string value;
    if (spec->is_switch) {
      if (eq != absl::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
      }
      value = "true";
    } else if (eq != absl::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (i + 1 < argv.size()) {
      value = argv[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
    }
    args.values_.emplace(std::string(name), std::move(value));
  }
  return args;
}

std::optional<std::string> Args::Get(absl::string_view name) const {
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  if (auto env = env_names_.find(name); env != env_names_.end()) {
    if (const char* value = std::getenv(env->second.c_str()); value != nullptr && *value != '\0') {
      return std::string(value);
    }
  }
  return std::nullopt;
}

std::vector<std::string> Args::GivenFlags() const {
  std::vector<std::string> names;
  for (const auto& [name, value] : values_) names.push_back(name);
  return names;
}

}  // namespace backinstock::ctl
