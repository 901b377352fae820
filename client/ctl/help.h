// backinstockctl's help texts.
#ifndef BACKINSTOCK_CLIENT_CTL_HELP_H_
#define BACKINSTOCK_CLIENT_CTL_HELP_H_

#include <string>
#include <vector>

#include "client/ctl/command.h"

namespace backinstock::ctl {

// `backinstockctl --help`: every command with its summary.
std::string MainHelp(const std::vector<Command>& commands);

// `backinstockctl <command> --help`: usage line, description, flags.
std::string CommandHelp(const Command& command);

}  // namespace backinstock::ctl

#endif  // BACKINSTOCK_CLIENT_CTL_HELP_H_
