#include "client/ctl/help.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/ctl/exit_codes.h"

namespace backinstock::ctl {
namespace {

const FlagSpec* FindFlag(absl::string_view name) {
  for (const FlagSpec& flag : AllFlags()) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

std::string FlagLine(const FlagSpec& flag) {
  std::string left = absl::StrCat("--", flag.name);
  if (!flag.is_switch) absl::StrAppend(&left, "=", flag.value);
  std::string line = absl::StrFormat("  %-24s %s", left, flag.help);
  if (!flag.env.empty()) absl::StrAppend(&line, " [$", flag.env, "]");
  return absl::StrCat(line, "\n");
}

}  // namespace

std::string MainHelp(const std::vector<Command>& commands) {
  std::string text =
      "backinstockctl: call the Back In Stock services from the command line.\n\n"
      "Usage: backinstockctl <command> [arguments] [flags]\n"
      "       backinstockctl <command> --help\n\n"
      "Commands:\n";
  for (const Command& command : commands) {
    absl::StrAppend(&text, absl::StrFormat("  %-28s %s\n", command.name, command.summary));
  }
  absl::StrAppend(
      &text,
      "\nRequests and responses are proto3 JSON. Exit codes: 0 success, 1 the call failed\n"
      "(the error's code, message and ErrorInfo reason are printed to stderr), 2 usage error.\n"
      "Each command also answers to its RPC's name, for example GetSettings.\n\n"
      "Quick start against `make run`:\n"
      "  export BACKINSTOCK_TOKEN=$(backinstockctl token identity \\\n"
      "      --keys_file=config/dev-keys.json --site=my-site --role=user)\n"
      "  backinstockctl get-settings\n");
  return text;
}

std::string CommandHelp(const Command& command) {
  std::string text = absl::StrCat("Usage: backinstockctl ", command.name);
  if (!command.arguments.empty()) absl::StrAppend(&text, " ", command.arguments);
  absl::StrAppend(&text, " [flags]\n\n", command.description, "\n");
  if (!command.rpc.empty()) absl::StrAppend(&text, "\nRPC: ", command.rpc, "\n");
  const auto& connection = ConnectionFlagNames();
  std::string own, shared;
  for (const std::string& name : command.flags) {
    const FlagSpec* flag = FindFlag(name);
    if (flag == nullptr) continue;
    const bool is_connection =
        std::find(connection.begin(), connection.end(), name) != connection.end();
    absl::StrAppend(is_connection ? &shared : &own, FlagLine(*flag));
  }
  if (!own.empty()) absl::StrAppend(&text, "\nFlags:\n", own);
  if (!shared.empty()) absl::StrAppend(&text, "\nConnection flags:\n", shared);
  return text;
}

}  // namespace backinstock::ctl
