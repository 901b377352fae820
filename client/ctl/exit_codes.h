// backinstockctl's exit codes: scripts tell a wrong command line (fix the
// script) from a call that failed (look at the server or the data).
#ifndef BACKINSTOCK_CLIENT_CTL_EXIT_CODES_H_
#define BACKINSTOCK_CLIENT_CTL_EXIT_CODES_H_

namespace backinstock::ctl {

inline constexpr int kExitOk = 0;
// The RPC failed (the reason is printed), or a file could not be read.
inline constexpr int kExitFailure = 1;
// The command line is wrong: unknown command or flag, missing argument,
// request JSON that does not parse into the request message.
inline constexpr int kExitUsage = 2;

}  // namespace backinstock::ctl

#endif  // BACKINSTOCK_CLIENT_CTL_EXIT_CODES_H_
