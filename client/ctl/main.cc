// backinstockctl: every RPC of the Back In Stock services as a subcommand,
// JSON in and out, plus `token` to mint tokens for local use.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "client/ctl/args.h"
#include "client/ctl/command.h"
#include "client/ctl/exit_codes.h"
#include "client/ctl/help.h"
#include "client/ctl/interrupts.h"

namespace {

using backinstock::ctl::Command;

// The command named `word`: its name, or the RPC's own name
// ("GetSettings" for get-settings).
const Command* Find(const std::vector<Command>& commands, const std::string& word) {
  for (const Command& command : commands) {
    if (command.name == word) return &command;
    const size_t slash = command.rpc.rfind('/');
    if (slash != std::string::npos && command.rpc.substr(slash + 1) == word) return &command;
  }
  return nullptr;
}

int Usage(const std::string& message) {
  std::cerr << "backinstockctl: " << message << "\nRun `backinstockctl --help` for the commands.\n";
  return backinstock::ctl::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace backinstock::ctl;
  InstallInterruptHandling();

  std::vector<Command> commands = RpcCommands();
  commands.push_back(TokenCommand());

  absl::StatusOr<Args> args = Args::Parse(absl::MakeSpan(argv + 1, argc - 1), AllFlags());
  if (!args.ok()) return Usage(std::string(args.status().message()));
  const std::vector<std::string>& words = args->words();
  if (words.empty() || words[0] == "help") {
    if (words.size() > 1) {  // `backinstockctl help <command>`
      if (const Command* command = Find(commands, words[1])) {
        std::cout << CommandHelp(*command);
        return kExitOk;
      }
      return Usage("unknown command \"" + words[1] + "\"");
    }
    // Asked for (--help, `help`): stdout and success. No command at all: a
    // usage error, so the help goes to stderr.
    const bool asked = args->Has("help") || !words.empty();
    (asked ? std::cout : std::cerr) << MainHelp(commands);
    return asked ? kExitOk : kExitUsage;
  }

  const Command* command = Find(commands, words[0]);
  if (command == nullptr) return Usage("unknown command \"" + words[0] + "\"");
  if (args->Has("help")) {
    std::cout << CommandHelp(*command);
    return kExitOk;
  }
  for (const std::string& flag : args->GivenFlags()) {
    if (std::find(command->flags.begin(), command->flags.end(), flag) == command->flags.end()) {
      std::cerr << "backinstockctl " << command->name << ": --" << flag
                << " does not apply to this command\n";
      return kExitUsage;
    }
  }
  return command->run(*args, std::vector<std::string>(words.begin() + 1, words.end()));
}
