// One backinstockctl subcommand: its name, what --help says about it, the
// flags it accepts, and what it runs.
#ifndef BACKINSTOCK_CLIENT_CTL_COMMAND_H_
#define BACKINSTOCK_CLIENT_CTL_COMMAND_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "client/ctl/args.h"

namespace backinstock::ctl {

struct Command {
  std::string name;         // "start-collecting-requests"
  std::string rpc;          // "backinstock.v1.BackInStockSettingsService/StartCollectingRequests"
  std::string arguments;    // words after the name, for the usage line: "APP_ID"
  std::string summary;      // one line, for the command list
  std::string description;  // paragraphs, for --help
  std::vector<std::string> flags;  // the flags it accepts (besides --help)
  // Runs with the words after the command's name; returns the exit code.
  std::function<int(const Args& args, const std::vector<std::string>& words)> run;
};

// Every flag of every command (the parser needs them all up front).
absl::Span<const FlagSpec> AllFlags();

// The flags that say how to reach the server, accepted by every RPC command.
const std::vector<std::string>& ConnectionFlagNames();

// The RPC commands (rpc_commands.cc) and `token` (token_command.cc).
std::vector<Command> RpcCommands();
Command TokenCommand();

}  // namespace backinstock::ctl

#endif  // BACKINSTOCK_CLIENT_CTL_COMMAND_H_
